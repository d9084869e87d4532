//! The compiled plan: a `CompiledConfig` written as JSON text, so that a
//! page can start from a config checked and compiled ahead of time (by
//! `onstage compile`, or the compiler entry of the package) and carry none
//! of the config compiler (issue 11: bytes and cold start).
//!
//! A plan is positional: every compiled value is a JSON array of its
//! fields in declaration order, an enum `[tag, fields...]`, so reading it
//! walks no keys. Plans are written and read by the same version of
//! onstage only: the header names both the format and the crate version,
//! and a plan of any other is refused (`invalid_plan`, "compile it
//! again"). Reading never panics: anything not as written is `None`, and
//! the whole plan is refused.

pub(crate) mod condition;

use crate::json::Json;
use std::sync::Arc;

/// The format of the positional encoding; bumped with any change to it.
pub const FORMAT: u32 = 1;

/// A compiled value that can be written into a plan and read back.
///
/// `from_plan(&x.to_plan())` must give a value that behaves exactly as
/// `x` (the plan tests replay every shared timeline through a plan).
pub trait Plan: Sized {
    fn to_plan(&self) -> Json;
    fn from_plan(v: &Json) -> Option<Self>;
}

/// The fields of a positional value: `[a, b, c]`.
pub fn fields(v: &Json) -> Option<Fields<'_>> {
    v.as_arr().map(|items| Fields { items, at: 0 })
}

/// Reads the fields of a positional value in order.
pub struct Fields<'a> {
    items: &'a [Json],
    at: usize,
}

impl<'a> Fields<'a> {
    /// The next field, as raw JSON.
    pub fn raw(&mut self) -> Option<&'a Json> {
        let v = self.items.get(self.at)?;
        self.at += 1;
        Some(v)
    }

    /// The next field, read as `T`.
    pub fn take<T: Plan>(&mut self) -> Option<T> {
        T::from_plan(self.raw()?)
    }

    /// `Some(())` when every field was read: a plan with extra fields is
    /// not one this version wrote.
    pub fn end(self) -> Option<()> {
        (self.at == self.items.len()).then_some(())
    }
}

/// Numbers: finite ones as JSON numbers; `-0`, NaN and the infinities,
/// which JSON text cannot carry, as strings.
impl Plan for f64 {
    fn to_plan(&self) -> Json {
        if self.is_finite() && !(*self == 0.0 && self.is_sign_negative()) {
            Json::Num(*self)
        } else if self.is_nan() {
            Json::str("NaN")
        } else if *self == 0.0 {
            Json::str("-0")
        } else if *self > 0.0 {
            Json::str("Infinity")
        } else {
            Json::str("-Infinity")
        }
    }
    fn from_plan(v: &Json) -> Option<Self> {
        match v {
            Json::Num(n) => Some(*n),
            Json::Str(s) => match &**s {
                "NaN" => Some(f64::NAN),
                "-0" => Some(-0.0),
                "Infinity" => Some(f64::INFINITY),
                "-Infinity" => Some(f64::NEG_INFINITY),
                _ => None,
            },
            _ => None,
        }
    }
}

/// Counts and indexes: JSON numbers (exact below 2^53).
impl Plan for usize {
    fn to_plan(&self) -> Json {
        Json::Num(*self as f64)
    }
    fn from_plan(v: &Json) -> Option<Self> {
        let n = v.as_f64()?;
        (n >= 0.0 && n.fract() == 0.0 && n <= 9_007_199_254_740_991.0).then_some(n as usize)
    }
}

impl Plan for u32 {
    fn to_plan(&self) -> Json {
        Json::Num(f64::from(*self))
    }
    fn from_plan(v: &Json) -> Option<Self> {
        let n = v.as_f64()?;
        (n >= 0.0 && n.fract() == 0.0 && n <= f64::from(u32::MAX)).then_some(n as u32)
    }
}

impl Plan for i64 {
    fn to_plan(&self) -> Json {
        Json::Num(*self as f64)
    }
    fn from_plan(v: &Json) -> Option<Self> {
        let n = v.as_f64()?;
        (n.fract() == 0.0 && n.abs() <= 9_007_199_254_740_991.0).then_some(n as i64)
    }
}

/// 64-bit values (hashes, fingerprints): decimal text, as JSON numbers
/// lose their low bits past 2^53.
impl Plan for u64 {
    fn to_plan(&self) -> Json {
        Json::Str(self.to_string().into())
    }
    fn from_plan(v: &Json) -> Option<Self> {
        let s = v.as_str()?;
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        s.parse().ok()
    }
}

impl Plan for bool {
    fn to_plan(&self) -> Json {
        Json::Bool(*self)
    }
    fn from_plan(v: &Json) -> Option<Self> {
        v.as_bool()
    }
}

impl Plan for String {
    fn to_plan(&self) -> Json {
        Json::str(self)
    }
    fn from_plan(v: &Json) -> Option<Self> {
        v.as_str().map(String::from)
    }
}

impl Plan for Box<str> {
    fn to_plan(&self) -> Json {
        Json::str(self)
    }
    fn from_plan(v: &Json) -> Option<Self> {
        v.as_str().map(Box::from)
    }
}

impl Plan for Arc<str> {
    fn to_plan(&self) -> Json {
        Json::str(self)
    }
    fn from_plan(v: &Json) -> Option<Self> {
        v.as_str().map(Arc::from)
    }
}

/// JSON as written in the config (contents, literals): itself.
impl Plan for Json {
    fn to_plan(&self) -> Json {
        self.clone()
    }
    fn from_plan(v: &Json) -> Option<Self> {
        Some(v.clone())
    }
}

/// `None` is `null`, `Some(x)` is `[x]` (so that `Some(None)` and a value
/// that is itself `null` stay apart).
impl<T: Plan> Plan for Option<T> {
    fn to_plan(&self) -> Json {
        match self {
            None => Json::Null,
            Some(x) => Json::Arr(vec![x.to_plan()]),
        }
    }
    fn from_plan(v: &Json) -> Option<Self> {
        match v {
            Json::Null => Some(None),
            Json::Arr(items) => match items.as_slice() {
                [x] => T::from_plan(x).map(Some),
                _ => None,
            },
            _ => None,
        }
    }
}

impl<T: Plan> Plan for Vec<T> {
    fn to_plan(&self) -> Json {
        Json::Arr(self.iter().map(Plan::to_plan).collect())
    }
    fn from_plan(v: &Json) -> Option<Self> {
        let items = v.as_arr()?;
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            out.push(T::from_plan(item)?);
        }
        Some(out)
    }
}

impl<T: Plan> Plan for Box<[T]> {
    fn to_plan(&self) -> Json {
        Json::Arr(self.iter().map(Plan::to_plan).collect())
    }
    fn from_plan(v: &Json) -> Option<Self> {
        Vec::<T>::from_plan(v).map(Vec::into_boxed_slice)
    }
}

impl<T: Plan> Plan for Box<T> {
    fn to_plan(&self) -> Json {
        (**self).to_plan()
    }
    fn from_plan(v: &Json) -> Option<Self> {
        T::from_plan(v).map(Box::new)
    }
}

impl<T: Plan> Plan for Arc<T> {
    fn to_plan(&self) -> Json {
        (**self).to_plan()
    }
    fn from_plan(v: &Json) -> Option<Self> {
        T::from_plan(v).map(Arc::new)
    }
}

/// Writes a positional value: `positional![a, b, c]` is `[a, b, c]`, each
/// by its `Plan` impl.
#[macro_export]
#[doc(hidden)]
macro_rules! positional {
    ($($field:expr),* $(,)?) => {
        $crate::json::Json::Arr(vec![$($crate::plan::Plan::to_plan(&$field)),*])
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip<T: Plan + PartialEq + std::fmt::Debug>(x: T) {
        let text = x.to_plan().to_json_string();
        let back = crate::json::parse(&text).ok().and_then(|v| T::from_plan(&v));
        assert_eq!(back, Some(x), "{text}");
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn primitives_round_trip_through_text() {
        for n in [0.0, 1.5, -2.25, 1e300, 5e-324, f64::MAX, f64::INFINITY, f64::NEG_INFINITY] {
            round_trip(n);
        }
        let neg_zero = f64::from_plan(&crate::json::parse(&(-0.0f64).to_plan().to_json_string()).unwrap_or_default());
        assert!(neg_zero.is_some_and(|z| z == 0.0 && z.is_sign_negative()));
        let nan = f64::from_plan(&crate::json::parse(&f64::NAN.to_plan().to_json_string()).unwrap_or_default());
        assert!(nan.is_some_and(f64::is_nan));
        round_trip(u64::MAX);
        round_trip(0u64);
        round_trip(u32::MAX);
        round_trip(9_007_199_254_740_991usize);
        round_trip(-5i64);
        round_trip(Some(Some(1.0)));
        round_trip(Some(None::<f64>));
        round_trip(None::<f64>);
        round_trip(vec![Box::<str>::from("a\"b"), Box::from("é")]);
        round_trip(Arc::<str>::from("x"));
        round_trip(true);
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn values_not_as_written_are_refused() {
        assert_eq!(usize::from_plan(&Json::Num(1.5)), None);
        assert_eq!(usize::from_plan(&Json::Num(-1.0)), None);
        assert_eq!(u32::from_plan(&Json::Num(4_294_967_296.0)), None);
        assert_eq!(u64::from_plan(&Json::str("+1")), None);
        assert_eq!(u64::from_plan(&Json::str("18446744073709551616")), None);
        assert_eq!(f64::from_plan(&Json::str("nan")), None);
        assert_eq!(Option::<f64>::from_plan(&Json::Arr(vec![])), None);
        assert_eq!(Vec::<f64>::from_plan(&Json::Arr(vec![Json::Null])), None);
        let v = Json::Arr(vec![Json::Num(1.0), Json::Num(2.0)]);
        let mut f = fields(&v).unwrap_or_else(|| unreachable!());
        assert_eq!(f.take::<f64>(), Some(1.0));
        assert!(f.end().is_none(), "a field left unread is refused");
    }
}

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

use crate::code::ErrorCode;
use crate::compiled::CompiledConfig;
use crate::json::Json;
use std::fmt;
use std::sync::Arc;

mod compiled;

/// The format of the positional encoding; bumped with any change to it.
pub const FORMAT: u32 = 1;

/// The version of onstage that writes and reads plans.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Deepest nesting of a plan's JSON text. A plan nests deeper than the
/// config it was compiled from (at most `json::MAX_DEPTH`): a condition's
/// plan up to `condition::MAX_CONDITION_PLAN_DEPTH` (130) levels, under the
/// few levels of the plan around it. The deepest configs give plans of 130
/// levels (`tests/plan.rs`, `the_deepest_configs_give_plans_that_read`).
pub const MAX_PLAN_DEPTH: usize = condition::MAX_CONDITION_PLAN_DEPTH + 16;

/// The plan of a compiled config, as JSON text:
/// `{"onstage_plan":1,"version":"<onstage's version>","plan":[...]}`.
pub fn write(config: &CompiledConfig) -> String {
    let mut out = String::from("{\"onstage_plan\":");
    crate::json::write_number(f64::from(FORMAT), &mut out);
    out.push_str(",\"version\":");
    Json::write_str(VERSION, &mut out);
    out.push_str(",\"plan\":");
    config.to_plan().write_to(&mut out);
    out.push('}');
    out
}

/// Whether `text` is meant as a plan (not a config): after whitespace, it
/// starts with `{"onstage_plan"`. Cheap: it reads no further.
pub fn is_plan(text: &str) -> bool {
    // By bytes: `trim_start_matches` was 159 B of the page's module for this.
    let mut rest = text.as_bytes();
    while let [b' ' | b'\t' | b'\n' | b'\r', tail @ ..] = rest {
        rest = tail;
    }
    rest.starts_with(b"{\"onstage_plan\"")
}

/// Reads a plan written by [`write`] of this version of onstage. Refuses
/// anything else (never panics; the work is linear in the text): a plan
/// of another format or version as such when it is JSON this version
/// reads (at most `MAX_PLAN_DEPTH` deep), else as damaged.
pub fn read(text: &str) -> Result<CompiledConfig, PlanError> {
    if !is_plan(text) {
        return Err(PlanError::NotAPlan);
    }
    // A plan of another version reads as JSON (as it must to be told
    // apart): its header says whose it is before its body is looked at.
    let doc = crate::json::read_with_depth(text, MAX_PLAN_DEPTH).map_err(|_| PlanError::Damaged)?;
    let plan = doc.value.as_obj().ok_or(PlanError::Damaged)?;
    let version = plan.get("version").and_then(Json::as_str);
    if plan.get("onstage_plan").and_then(Json::as_f64) != Some(f64::from(FORMAT)) || version != Some(VERSION) {
        let made_by = crate::input::truncate(version.unwrap_or("(unknown)"), 64);
        return Err(PlanError::OtherVersion { made_by: made_by.into() });
    }
    let body = if plan.len() == 3 { plan.get("plan") } else { None };
    body.and_then(CompiledConfig::from_plan).ok_or(PlanError::Damaged)
}

/// Why a text is not a plan this version can read. Its code is always
/// `invalid_plan`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PlanError {
    /// Not a plan at all (a config, or anything else).
    NotAPlan,
    /// A plan of another format or version of onstage; `made_by` is the
    /// version it names (its first 64 characters, `…` when it was longer).
    OtherVersion { made_by: Box<str> },
    /// A plan of this version that does not read as one it wrote.
    Damaged,
}

impl PlanError {
    pub fn code(&self) -> ErrorCode {
        ErrorCode::InvalidPlan
    }
}

impl fmt::Display for PlanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PlanError::NotAPlan => f.write_str("not a compiled plan of onstage (a plan starts with {\"onstage_plan\":)"),
            PlanError::OtherVersion { made_by } => {
                f.write_str("this plan was made by onstage ")?;
                f.write_str(made_by)?;
                f.write_str("; this is ")?;
                f.write_str(VERSION)?;
                f.write_str(": compile the config again with `onstage compile`")
            }
            PlanError::Damaged => f.write_str(
                "this plan is damaged (it does not read as a plan of this version of onstage): compile the config again with `onstage compile`",
            ),
        }
    }
}

impl std::error::Error for PlanError {}

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

/// The `N` fields of a positional value, `[a, b, c]`, or `None` for any
/// other number of them.
pub fn arr<const N: usize>(v: &Json) -> Option<&[Json; N]> {
    v.as_arr()?.try_into().ok()
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
        // Digits only, summed by hand (`str::parse` was 200 B of the page's
        // wasm for this one use).
        let s = v.as_str()?;
        let mut n: u64 = 0;
        for b in s.bytes() {
            let digit = b.wrapping_sub(b'0');
            if digit > 9 {
                return None;
            }
            n = n.checked_mul(10)?.checked_add(u64::from(digit))?;
        }
        (!s.is_empty()).then_some(n)
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
            _ => {
                let [x] = arr(v)?;
                T::from_plan(x).map(Some)
            }
        }
    }
}

impl<T: Plan> Plan for Vec<T> {
    fn to_plan(&self) -> Json {
        Json::Arr(self.iter().map(Plan::to_plan).collect())
    }
    fn from_plan(v: &Json) -> Option<Self> {
        let mut out = Vec::new();
        for item in v.as_arr()? {
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
        assert_eq!(f.take::<bool>(), None, "a field of another type is refused");
        assert!(f.raw().is_none(), "nothing after the last field");
    }
}

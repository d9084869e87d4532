//! Conditions over a plain JSON value (the conformance vectors, a signal's
//! `where` over event properties), and the path walk every [`Doc`] shares.

use super::coerce::array_index;
use super::{Doc, PathRef, PathResolver, Value};
use crate::json::Json;
use crate::problem::ErrorCode;

/// Resolves any path to root 0 with its dotted parts, for [`PlainDoc`].
#[derive(Clone, Copy, Debug, Default)]
pub struct PlainResolver;

impl PathResolver for PlainResolver {
    fn resolve(&self, path: &str) -> Result<PathRef, (ErrorCode, String)> {
        Ok(PathRef { root: 0, rest: path.split('.').map(Into::into).collect(), text: path.into() })
    }
}

/// A JSON value as the document, its paths walked from the value itself.
#[derive(Clone, Copy, Debug)]
pub struct PlainDoc<'a>(pub &'a Json);

impl Doc for PlainDoc<'_> {
    fn get(&self, path: &PathRef) -> Value<'_> {
        walk(self.0.into(), &path.rest)
    }
}

/// Follows `parts` from `value` as the SDK's `getPath` does: object keys,
/// array indexes (`"0"`, not `"00"`) and an array's `length`; anything else
/// (a missing key, a step into a scalar or `null`) is `Missing`.
pub fn walk<'a>(value: Value<'a>, parts: &[Box<str>]) -> Value<'a> {
    let mut current = value;
    for part in parts {
        current = match current {
            Value::Obj(o) => o.get(part).map_or(Value::Missing, Value::from),
            Value::Arr(items) if &**part == "length" => Value::Num(items.len() as f64),
            Value::Arr(items) => {
                array_index(part).and_then(|i| items.get(i as usize)).map_or(Value::Missing, Value::from)
            }
            _ => return Value::Missing,
        };
    }
    current
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at<'a>(doc: &'a Json, path: &str) -> Value<'a> {
        match PlainResolver.resolve(path) {
            Ok(p) => walk(doc.into(), &p.rest),
            Err(_) => Value::Missing,
        }
    }

    #[test]
    fn walks_like_get_path() {
        let doc = crate::json::parse(r#"{"a":{"b":[10,{"c":"x"}]},"n":null,"e":""}"#).unwrap_or_default();
        assert_eq!(at(&doc, "a.b.0"), Value::Num(10.0));
        assert_eq!(at(&doc, "a.b.1.c"), Value::Str("x"));
        assert_eq!(at(&doc, "a.b.length"), Value::Num(2.0));
        assert_eq!(at(&doc, "a.b.01"), Value::Missing);
        assert_eq!(at(&doc, "a.b.2"), Value::Missing);
        assert_eq!(at(&doc, "n"), Value::Null);
        assert_eq!(at(&doc, "n.x"), Value::Missing);
        assert_eq!(at(&doc, "e.length"), Value::Missing);
        assert_eq!(at(&doc, "zz"), Value::Missing);
    }
}

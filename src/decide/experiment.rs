//! Experiment assignment, bit-equal to GrowthBook's: the same key, hash
//! attribute value, hash version, coverage and weights give the same
//! variation as a backend running a GrowthBook SDK.

use super::bucket::{choose_variation, hash, in_namespace};
use crate::condition::{Doc, PathRef, Value};
use crate::doc::EvalDoc;
use crate::json::js_number_string;
use crate::model::ExperimentDef;

/// Why a user meets an experience without its experiment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotInExperiment {
    /// The hash attribute is missing, null, "", 0 or false.
    NoHashValue,
    OutsideNamespace,
    OutsideCoverage,
}

impl NotInExperiment {
    pub fn as_str(self) -> &'static str {
        match self {
            NotInExperiment::NoHashValue => "no_hash_value",
            NotInExperiment::OutsideNamespace => "outside_namespace",
            NotInExperiment::OutsideCoverage => "outside_coverage",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Assignment {
    pub variation: usize,
    pub hash_value: String,
}

/// An experiment with its bucket ranges computed once.
#[derive(Debug)]
pub struct CompiledExperiment {
    pub def: ExperimentDef,
    pub hash_attribute: PathRef,
    pub ranges: Vec<(f64, f64)>,
    /// The hash value is an attribute or entitlement, which only
    /// `identify` changes: its assignment can be kept between decisions.
    pub cacheable: bool,
}

impl CompiledExperiment {
    pub fn new(def: ExperimentDef, hash_attribute: PathRef) -> Self {
        let ranges = super::bucket::bucket_ranges(def.variations.len(), def.coverage, Some(&def.weights));
        let cacheable = matches!(
            crate::doc::Root::decode(hash_attribute.root),
            Some(crate::doc::Root::Attributes | crate::doc::Root::Entitlements)
        );
        CompiledExperiment { def, hash_attribute, ranges, cacheable }
    }

    /// The user's variation, as GrowthBook's `run` would choose it.
    pub fn assign(&self, doc: &EvalDoc) -> Result<Assignment, NotInExperiment> {
        let hash_value = hash_value(doc.get(&self.hash_attribute)).ok_or(NotInExperiment::NoHashValue)?;
        if let Some((id, start, end)) = &self.def.namespace {
            if !in_namespace(&hash_value, (id, *start, *end)) {
                return Err(NotInExperiment::OutsideNamespace);
            }
        }
        let n = hash(&self.def.key, &hash_value, self.def.hash_version).ok_or(NotInExperiment::OutsideCoverage)?;
        let variation = choose_variation(n, &self.ranges).ok_or(NotInExperiment::OutsideCoverage)?;
        Ok(Assignment { variation, hash_value })
    }
}

/// The hash value: the attribute as JavaScript's `String()` writes it;
/// missing, null, "", 0 and false are no value (DESIGN).
pub fn hash_value(v: Value) -> Option<String> {
    let s = match v {
        Value::Missing | Value::Null | Value::Bool(false) => return None,
        Value::Num(0.0) => return None,
        Value::Bool(true) => "true".to_string(),
        Value::Num(n) => js_number_string(n),
        Value::Str(s) => s.to_string(),
        Value::Arr(items) => {
            // `Array.prototype.join(",")`, written in place (no `[String]::join`
            // in the wasm).
            let mut out = String::new();
            for (i, j) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                match Value::from(j) {
                    Value::Null | Value::Missing => {}
                    other => out.push_str(&hash_value(other).unwrap_or_else(|| js_string_of_falsy(other))),
                }
            }
            out
        }
        Value::Obj(_) => "[object Object]".to_string(),
    };
    (!s.is_empty()).then_some(s)
}

/// `String()` of the values `hash_value` treats as no value, for array
/// elements (where JavaScript still writes them).
fn js_string_of_falsy(v: Value) -> String {
    match v {
        Value::Bool(false) => "false".into(),
        Value::Num(_) => "0".into(),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::Json;

    #[test]
    fn hash_values_follow_javascript_string() {
        assert_eq!(hash_value(Value::Str("u1")), Some("u1".into()));
        assert_eq!(hash_value(Value::Num(42.0)), Some("42".into()));
        assert_eq!(hash_value(Value::Num(1.5)), Some("1.5".into()));
        assert_eq!(hash_value(Value::Bool(true)), Some("true".into()));
        for none in [Value::Missing, Value::Null, Value::Str(""), Value::Num(0.0), Value::Bool(false)] {
            assert_eq!(hash_value(none), None);
        }
        let arr = [Json::Num(1.0), Json::Null, Json::Bool(false), Json::str("x")];
        assert_eq!(hash_value(Value::Arr(&arr)), Some("1,,false,x".into()));
    }
}

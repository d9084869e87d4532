//! A reader over a JSON tree that records every shape problem with its
//! path and keeps going, so validation reports all problems at once.

use crate::json::{Json, Obj};
use crate::problem::{ErrorCode, JsonPath, Problems};
use crate::time::{parse_duration, Millis};

/// Longest id (signal, segment, stage, experience, item, variation, group).
pub const MAX_ID_LEN: usize = 64;

pub struct Reader<'p> {
    pub problems: &'p mut Problems,
}

/// The fields of one JSON object, checked against the ones a place allows.
pub struct Fields<'a> {
    obj: &'a Obj,
    pub path: JsonPath,
}

impl<'a> Fields<'a> {
    pub fn get(&self, key: &str) -> Option<&'a Json> {
        self.obj.get(key)
    }

    pub fn has(&self, key: &str) -> bool {
        self.obj.contains_key(key)
    }

    pub fn keys(&self) -> impl Iterator<Item = &'a str> {
        self.obj.keys()
    }

    pub fn at(&self, key: &str) -> JsonPath {
        self.path.key(key)
    }
}

impl<'p> Reader<'p> {
    pub fn new(problems: &'p mut Problems) -> Self {
        Reader { problems }
    }

    pub fn problem(&mut self, code: ErrorCode, path: &JsonPath, message: impl Into<String>) {
        self.problems.push(code, path, message);
    }

    /// Opens `value` as an object whose keys must all be in `allowed`;
    /// `what` names the thing for messages ("signal", "experience").
    pub fn fields<'a>(&mut self, value: &'a Json, path: &JsonPath, what: &str, allowed: &[&str]) -> Option<Fields<'a>> {
        let Json::Obj(obj) = value else {
            self.problem(ErrorCode::WrongType, path, format!("{what} must be an object, found {}", value.type_name()));
            return None;
        };
        for key in obj.keys() {
            if !allowed.contains(&key) {
                self.problem(
                    ErrorCode::UnknownField,
                    &path.key(key),
                    format!("unknown field \"{key}\" in {what} (allowed: {})", allowed.join(", ")),
                );
            }
        }
        Some(Fields { obj, path: path.clone() })
    }

    /// A field that must be present.
    pub fn required<'a>(&mut self, f: &Fields<'a>, key: &str, what: &str) -> Option<&'a Json> {
        let v = f.get(key);
        if v.is_none() {
            self.problem(ErrorCode::MissingField, &f.path, format!("{what} needs \"{key}\""));
        }
        v
    }

    pub fn string(&mut self, value: &Json, path: &JsonPath) -> Option<Box<str>> {
        match value {
            Json::Str(s) => Some(s.clone()),
            other => {
                self.problem(ErrorCode::WrongType, path, format!("expected a string, found {}", other.type_name()));
                None
            }
        }
    }

    pub fn non_empty_string(&mut self, value: &Json, path: &JsonPath) -> Option<Box<str>> {
        let s = self.string(value, path)?;
        if s.is_empty() {
            self.problem(ErrorCode::BadId, path, "must not be empty");
            return None;
        }
        Some(s)
    }

    /// An id: 1 to 64 characters of letters, digits, `_` and `-` (ids are
    /// written inside condition paths such as `signals.<id>`, so no dots).
    pub fn id(&mut self, value: &Json, path: &JsonPath) -> Option<Box<str>> {
        let s = self.string(value, path)?;
        self.check_id(&s, path).then_some(s)
    }

    pub fn check_id(&mut self, s: &str, path: &JsonPath) -> bool {
        let ok = !s.is_empty()
            && s.len() <= MAX_ID_LEN
            && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if !ok {
            self.problem(
                ErrorCode::BadId,
                path,
                format!("\"{s}\" is not a valid id: use 1 to {MAX_ID_LEN} letters, digits, '_' or '-'"),
            );
        }
        ok
    }

    pub fn number(&mut self, value: &Json, path: &JsonPath) -> Option<f64> {
        match value {
            Json::Num(n) if n.is_finite() => Some(*n),
            other => {
                self.problem(ErrorCode::WrongType, path, format!("expected a number, found {}", other.type_name()));
                None
            }
        }
    }

    /// A whole number in `min..=max`.
    pub fn integer(&mut self, value: &Json, path: &JsonPath, min: i64, max: i64) -> Option<i64> {
        let n = self.number(value, path)?;
        if n.fract() != 0.0 {
            self.problem(ErrorCode::WrongType, path, format!("expected a whole number, found {}", crate::json::Num(n)));
            return None;
        }
        if n < min as f64 || n > max as f64 {
            self.problem(
                ErrorCode::OutOfRange,
                path,
                format!("{} is out of range: expected {min} to {max}", crate::json::Num(n)),
            );
            return None;
        }
        Some(n as i64)
    }

    pub fn boolean(&mut self, value: &Json, path: &JsonPath) -> Option<bool> {
        match value {
            Json::Bool(b) => Some(*b),
            other => {
                self.problem(
                    ErrorCode::WrongType,
                    path,
                    format!("expected true or false, found {}", other.type_name()),
                );
                None
            }
        }
    }

    pub fn duration(&mut self, value: &Json, path: &JsonPath) -> Option<Millis> {
        match value {
            Json::Str(s) => match parse_duration(s) {
                Ok(ms) => Some(ms),
                Err(message) => {
                    self.problem(ErrorCode::BadDuration, path, message);
                    None
                }
            },
            other => {
                self.problem(
                    ErrorCode::BadDuration,
                    path,
                    format!("a duration is a string such as \"7d\", found {}", other.type_name()),
                );
                None
            }
        }
    }

    pub fn object<'a>(&mut self, value: &'a Json, path: &JsonPath, what: &str) -> Option<&'a Obj> {
        match value {
            Json::Obj(o) => Some(o),
            other => {
                self.problem(
                    ErrorCode::WrongType,
                    path,
                    format!("{what} must be an object, found {}", other.type_name()),
                );
                None
            }
        }
    }

    /// A `content` object, handed to the host as it is: an object whose
    /// keys, at any depth, are not reserved (`json::is_reserved_key`).
    pub fn content<'a>(&mut self, value: &'a Json, path: &JsonPath) -> Option<&'a Obj> {
        let obj = self.object(value, path, "content")?;
        let mut clean = true;
        let mut stack: Vec<(&Json, JsonPath)> = vec![(value, path.clone())];
        while let Some((v, at)) = stack.pop() {
            match v {
                Json::Obj(o) => {
                    for (k, item) in o.iter() {
                        if crate::json::is_reserved_key(k) {
                            self.problem(
                                ErrorCode::ReservedKey,
                                &at.key(k),
                                format!("\"{k}\" is a reserved key: a host merging content into an object would change its prototype"),
                            );
                            clean = false;
                        } else if matches!(item, Json::Obj(_) | Json::Arr(_)) {
                            stack.push((item, at.key(k)));
                        }
                    }
                }
                Json::Arr(items) => {
                    for (i, item) in items.iter().enumerate() {
                        if matches!(item, Json::Obj(_) | Json::Arr(_)) {
                            stack.push((item, at.index(i)));
                        }
                    }
                }
                _ => {}
            }
        }
        clean.then_some(obj)
    }

    pub fn array<'a>(&mut self, value: &'a Json, path: &JsonPath, what: &str) -> Option<&'a [Json]> {
        match value {
            Json::Arr(a) => Some(a),
            other => {
                self.problem(
                    ErrorCode::WrongType,
                    path,
                    format!("{what} must be an array, found {}", other.type_name()),
                );
                None
            }
        }
    }

    /// Refuses a collection longer than `max` (limits keep the work per
    /// evaluation bounded; they are listed in docs/limits.md).
    pub fn limit(&mut self, len: usize, max: usize, path: &JsonPath, what: &str) -> bool {
        if len > max {
            self.problem(ErrorCode::LimitExceeded, path, format!("{len} {what} is more than the limit of {max}"));
            return false;
        }
        true
    }
}

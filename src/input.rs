//! A step's inputs: the checks that refuse bad ones (DESIGN's bad-input
//! list) before anything is stored. Below the engine, the stored state and
//! imports, which all check what they read the same way.

use crate::error::InputError;
use crate::json::Json;
use crate::limits::*;
use crate::time::{floor_minute, Millis, MAX_TIME, MIN_TIME};

/// What `identify` changes; absent fields stay as they were.
#[derive(Clone, Debug, Default)]
pub struct Identity {
    pub attributes: Option<Json>,
    pub entitlements: Option<Json>,
    pub tz_offset_minutes: Option<i32>,
}

impl Identity {
    /// `identify` in its JSON form, `{attributes?, entitlements?,
    /// tz_offset_minutes?}` (a `null` offset is absent): the one reading of
    /// it, for timelines and the wasm binding. The values are checked by
    /// the step itself.
    pub fn from_json(v: &Json) -> Result<Identity, InputError> {
        let Json::Obj(o) = v else { return Err(InputError::NotAnObject { field: "identify", found: v.type_name() }) };
        for k in o.keys() {
            if !matches!(k, "attributes" | "entitlements" | "tz_offset_minutes") {
                return Err(InputError::UnknownIdentifyField(truncate(k, 64)));
            }
        }
        let tz = match o.get("tz_offset_minutes") {
            None | Some(Json::Null) => None,
            Some(Json::Num(n)) if n.fract() == 0.0 && n.abs() <= f64::from(MAX_TZ_OFFSET) => Some(*n as i32),
            Some(other) => return Err(InputError::BadTzOffset(other.to_json_string())),
        };
        Ok(Identity {
            attributes: o.get("attributes").cloned(),
            entitlements: o.get("entitlements").cloned(),
            tz_offset_minutes: tz,
        })
    }
}

/// The slots of a `decide` in JSON form, `"*"` or a list of slot ids
/// (`["*"]` too): the one reading of it, for timelines and the wasm
/// binding. Whether each slot exists is checked by the step.
pub fn slots_from_json(v: &Json) -> Result<Vec<&str>, InputError> {
    match v {
        Json::Str(s) if &**s == "*" => Ok(vec!["*"]),
        Json::Arr(items) => {
            let mut slots = Vec::new();
            for s in items {
                slots.push(s.as_str().ok_or(InputError::BadSlots("a list holding a non-string"))?);
            }
            Ok(slots)
        }
        other => Err(InputError::BadSlots(match other {
            Json::Str(_) => "a string other than \"*\"",
            o => o.type_name(),
        })),
    }
}

pub fn check_user_id(user_id: &str) -> Result<(), InputError> {
    // No more bytes than the limit: no more characters either, uncounted
    // (the count matters only past the limit, and 0 bytes is 0 characters).
    let chars = if user_id.len() <= MAX_USER_ID_CHARS { user_id.len() } else { user_id.chars().count() };
    if chars == 0 {
        return Err(InputError::EmptyUserId);
    }
    if chars > MAX_USER_ID_CHARS {
        return Err(InputError::UserIdTooLong(chars));
    }
    Ok(())
}

/// Refuses a time outside what the core handles.
pub fn check_time(t: Millis, what: &'static str) -> Result<Millis, InputError> {
    if (MIN_TIME..=MAX_TIME).contains(&t) {
        Ok(t)
    } else {
        Err(InputError::TimeOutOfRange { what, value: t as f64 })
    }
}

/// Converts a JavaScript-style time (a float of milliseconds) to the core's.
pub fn time_from_f64(t: f64, what: &'static str) -> Result<Millis, InputError> {
    if !t.is_finite() {
        return Err(InputError::TimeNotFinite { what });
    }
    if !(MIN_TIME as f64..=MAX_TIME as f64).contains(&t) {
        return Err(InputError::TimeOutOfRange { what, value: t });
    }
    Ok(t.floor() as Millis)
}

/// Checks an event's name and props (DESIGN's bad-input list).
pub fn check_event(name: &str, props: &Json) -> Result<(), InputError> {
    if name.is_empty() {
        return Err(InputError::EmptyEventName);
    }
    // No more characters than bytes: counted only when the bytes are more.
    if name.len() > MAX_EVENT_NAME_CHARS && name.chars().count() > MAX_EVENT_NAME_CHARS {
        return Err(InputError::EventNameTooLong(name.chars().count()));
    }
    let obj = match props {
        Json::Obj(o) => o,
        Json::Null => return Ok(()),
        other => return Err(InputError::PropsNotObject(other.type_name())),
    };
    if obj.len() > MAX_PROPS {
        return Err(InputError::TooManyProps(obj.len()));
    }
    for (key, value) in obj.iter() {
        let bad = |reason: String| Err(InputError::BadProp { key: truncate(key, 40), reason });
        if key.is_empty() || (key.len() > MAX_PROP_KEY_CHARS && key.chars().count() > MAX_PROP_KEY_CHARS) {
            return bad(format!("is not a valid key: use 1 to {MAX_PROP_KEY_CHARS} characters"));
        }
        if crate::json::is_reserved_key(key) {
            return bad("is a reserved key".into());
        }
        match value {
            Json::Null | Json::Bool(_) => {}
            Json::Num(n) if n.is_finite() => {}
            Json::Num(_) => return bad("is not a finite number".into()),
            Json::Str(s) if s.len() <= MAX_PROP_STRING_CHARS || s.chars().count() <= MAX_PROP_STRING_CHARS => {}
            Json::Str(s) => {
                return bad(format!(
                    "has {} characters, more than the limit of {MAX_PROP_STRING_CHARS}",
                    s.chars().count()
                ))
            }
            other => return bad(format!("is {}: props are flat (strings, numbers, booleans, null)", article(other))),
        }
    }
    Ok(())
}

fn article(v: &Json) -> &'static str {
    match v {
        Json::Arr(_) => "an array",
        Json::Obj(_) => "an object",
        _ => "not a scalar",
    }
}

/// The first `max` characters of `s`, with `…` when it was longer.
/// `str::get`, not `&s[..i]`: the slice's panic message is the only thing
/// in the page's wasm that formats a `char` with `Debug` (1.4 KB of
/// `slice_error_fail` and 1.4 KB of Unicode tables for `escape_debug`).
pub(crate) fn truncate(s: &str, max: usize) -> String {
    let mut out = String::new();
    match s.char_indices().nth(max).and_then(|(i, _)| s.get(..i)) {
        Some(head) => {
            out.push_str(head);
            out.push('…');
        }
        None => out.push_str(s),
    }
    out
}

/// The time an event counts at: its own (floored to the minute), or now
/// when it is slightly ahead; refused when too far either way.
pub fn event_time(timestamp: Option<Millis>, now: Millis) -> Result<Millis, InputError> {
    let t = timestamp.unwrap_or(now);
    if t - now > MAX_AHEAD {
        return Err(InputError::TimestampInFuture { ahead_ms: t - now });
    }
    if now - t > crate::limits::MAX_LATENESS {
        return Err(InputError::TimestampTooOld { behind_ms: now - t });
    }
    Ok(floor_minute(t.min(now)))
}

pub(crate) fn check_identity(identity: &Identity) -> Result<(), InputError> {
    for (field, value) in [("attributes", &identity.attributes), ("entitlements", &identity.entitlements)] {
        match value {
            None | Some(Json::Obj(_)) => {}
            Some(other) => return Err(InputError::NotAnObject { field, found: other.type_name() }),
        }
        if value.as_ref().is_some_and(|v| v.depth() > MAX_IDENTITY_DEPTH) {
            return Err(InputError::TooDeep { what: field });
        }
    }
    if let Some(tz) = identity.tz_offset_minutes {
        if !(-MAX_TZ_OFFSET..=MAX_TZ_OFFSET).contains(&tz) {
            // As `tz.to_string()` writes it, without `core::fmt`.
            let mut text = String::new();
            crate::json::write_number(f64::from(tz), &mut text);
            return Err(InputError::BadTzOffset(text));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn truncate_keeps_whole_characters() {
        assert_eq!(super::truncate("héllo", 2), "hé…");
        assert_eq!(super::truncate("héllo", 5), "héllo");
        assert_eq!(super::truncate("ab", 9), "ab");
        assert_eq!(super::truncate("abc", 0), "…");
        assert_eq!(super::truncate("", 0), "");
        assert_eq!(super::truncate("日本語テキスト", 3), "日本語…");
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn a_tz_offset_out_of_range_is_written_as_a_number() {
        for (tz, text) in [(841, "841"), (-900, "-900"), (i32::MIN, "-2147483648")] {
            let identity = super::Identity { attributes: None, entitlements: None, tz_offset_minutes: Some(tz) };
            assert_eq!(super::check_identity(&identity), Err(super::InputError::BadTzOffset(text.into())));
        }
    }
}

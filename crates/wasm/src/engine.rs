//! The page's module (feature `engine`): engines under a config read from
//! its compiled plan. Nothing here reaches the config compiler.

use crate::{js_error, use_js_platform};
use js_sys::Reflect;
use onstage::config::{CompiledConfig, MAX_CONFIG_BYTES};
use onstage::engine::{time_from_f64, Engine, Identity, Interaction, Notice, Slots};
use onstage::json::{Json, Obj, MAX_DEPTH};
use onstage::persist::envelope::{self, StepMarks};
use onstage::ErrorCode;
use std::sync::Arc;
use wasm_bindgen::prelude::*;

/// A config read once from its compiled plan (`onstage compile`, or the
/// compiler module's `compileConfig`), shared by every engine of the page:
/// `init`, `switchUser` and `setConfig` never read it twice.
#[wasm_bindgen]
pub struct WasmConfig {
    compiled: Arc<CompiledConfig>,
}

#[wasm_bindgen]
impl WasmConfig {
    /// Reads a compiled plan from its text; one that cannot be read (not
    /// a plan, damaged, or written by another version of onstage) throws
    /// an `Error` with code `invalid_plan`.
    #[wasm_bindgen(constructor)]
    pub fn new(plan: &str) -> Result<WasmConfig, JsValue> {
        use_js_platform();
        match onstage::plan::read(plan) {
            Ok(c) => Ok(WasmConfig { compiled: Arc::new(c) }),
            Err(e) => Err(js_error(e.code(), &e.to_string())),
        }
    }
}

mod checked {
    //! The JavaScript built-ins `to_json` needs, bound with `catch`: host
    //! objects (Proxies, getters) may throw from any of them.
    use js_sys::Array;
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen]
    extern "C" {
        #[wasm_bindgen(js_namespace = Array, js_name = isArray, catch)]
        pub fn is_array(v: &JsValue) -> Result<bool, JsValue>;
        #[wasm_bindgen(js_namespace = Object, js_name = keys, catch)]
        pub fn object_keys(v: &JsValue) -> Result<Array, JsValue>;
    }
}

/// Largest stored state or summary accepted (bytes, roughly).
const MAX_STATE_BYTES: usize = 16 << 20;

/// Why a JavaScript value could not become JSON.
struct Unconvertible {
    path: String,
    what: String,
}

/// What a conversion may take: `budget` bounds the total size (bytes of
/// strings plus 8 per value), `max_keys` the keys of any one object. Both
/// are checked before an object's or array's values are read, so an input
/// over a limit is refused at once, whatever its width.
struct Limits {
    budget: usize,
    max_keys: usize,
}

/// Each value costs at least this much of the budget.
const VALUE_COST: usize = 8;

/// Converts a JavaScript value to `Json`. `undefined` object members are
/// left out (as `JSON.stringify` does); functions, symbols and BigInt are
/// refused; nesting is limited to `MAX_DEPTH`; `limits` bound the size and
/// the width. Linear in the size of the value.
fn to_json(v: &JsValue, path: &mut String, depth: usize, limits: &mut Limits) -> Result<Json, Unconvertible> {
    let fail = |path: &String, what: String| Err(Unconvertible { path: path.clone(), what });
    limits.budget = match limits.budget.checked_sub(VALUE_COST) {
        Some(b) => b,
        None => return fail(path, "too large".into()),
    };
    if v.is_null() || v.is_undefined() {
        return Ok(Json::Null);
    }
    if let Some(b) = v.as_bool() {
        return Ok(Json::Bool(b));
    }
    if let Some(n) = v.as_f64() {
        return Ok(Json::Num(n));
    }
    if let Some(s) = v.as_string() {
        limits.budget = match limits.budget.checked_sub(s.len()) {
            Some(b) => b,
            None => return fail(path, "too large".into()),
        };
        return Ok(Json::Str(s.into()));
    }
    if v.is_function() {
        return fail(path, "a function".into());
    }
    if v.is_symbol() {
        return fail(path, "a symbol".into());
    }
    if v.is_bigint() {
        return fail(path, "a BigInt".into());
    }
    if depth >= MAX_DEPTH {
        return fail(path, "nested too deeply".into());
    }
    if !v.is_object() {
        return fail(path, "not a JSON value".into());
    }
    // Every access below can run the host's code (getters, Proxy traps):
    // each goes through a `catch` binding, so a throw becomes an error
    // value instead of unwinding through wasm (which would leave the
    // engine unusable).
    let len = path.len();
    let unreadable =
        |path: &String| Err(Unconvertible { path: path.clone(), what: "unreadable (reading it threw)".into() });
    let Ok(is_array) = checked::is_array(v) else { return unreadable(path) };
    if is_array {
        let Some(n) = Reflect::get(v, &"length".into()).ok().and_then(|n| n.as_f64()) else { return unreadable(path) };
        let n = n.max(0.0) as u32;
        if (n as usize).saturating_mul(VALUE_COST) > limits.budget {
            return fail(path, format!("too large ({n} items)"));
        }
        let mut out = Vec::with_capacity(n as usize);
        for i in 0..n {
            path.push_str(&format!("[{i}]"));
            let Ok(item) = Reflect::get(v, &JsValue::from(i)) else { return unreadable(path) };
            out.push(to_json(&item, path, depth + 1, limits)?);
            path.truncate(len);
        }
        return Ok(Json::Arr(out));
    }
    let Ok(keys) = checked::object_keys(v) else { return unreadable(path) };
    let width = keys.length() as usize;
    if width > limits.max_keys {
        return fail(path, format!("too wide ({width} keys, at most {})", limits.max_keys));
    }
    if width.saturating_mul(VALUE_COST) > limits.budget {
        return fail(path, format!("too large ({width} keys)"));
    }
    // Object.keys lists each own key once: no lookup is needed to build.
    let mut pairs = Vec::with_capacity(width);
    for key in keys.iter() {
        let Some(k) = key.as_string() else { continue };
        path.push('.');
        path.push_str(&k);
        let Ok(value) = Reflect::get(v, &key) else { return unreadable(path) };
        if !value.is_undefined() {
            let converted = to_json(&value, path, depth + 1, limits)?;
            limits.budget = limits.budget.saturating_sub(k.len());
            pairs.push((k.into_boxed_str(), converted));
        }
        path.truncate(len);
    }
    Ok(Json::Obj(Obj::from_distinct_pairs(pairs)))
}

/// Converts a JavaScript value to the core's JSON (None for values JSON
/// cannot hold). For tests and tools built on the binding.
pub fn json_from_js(v: &JsValue) -> Option<Json> {
    use_js_platform();
    let mut limits = Limits { budget: MAX_STATE_BYTES, max_keys: usize::MAX };
    to_json(v, &mut String::new(), 0, &mut limits).ok()
}

/// Converts an input argument, naming it in the error.
fn arg(v: &JsValue, name: &str, code: ErrorCode) -> Result<Json, JsValue> {
    arg_within(v, name, code, usize::MAX)
}

/// As `arg`, refusing any object of more than `max_keys` keys before
/// reading its values.
fn arg_within(v: &JsValue, name: &str, code: ErrorCode, max_keys: usize) -> Result<Json, JsValue> {
    let mut path = name.to_string();
    let mut limits = Limits { budget: MAX_CONFIG_BYTES, max_keys };
    to_json(v, &mut path, 0, &mut limits).map_err(|u| {
        let note = if u.what.starts_with("too ") { "" } else { ": only JSON values are accepted" };
        js_error(code, &format!("{} is {}{note}", u.path, u.what))
    })
}

/// A stored value (state, envelope) from its JSON text.
fn stored_json(text: &str) -> Result<Json, JsValue> {
    use_js_platform();
    onstage::json::parse(text)
        .map_err(|_| js_error(ErrorCode::StateCorrupt, "the stored state is not valid JSON (cut short?)"))
}

/// Forces a trap (`unreachable`), as a bug would: for the tests of the
/// package's recovery (it rebuilds the engine from the last saved state).
#[wasm_bindgen(js_name = __forceTrapForTests)]
pub fn force_trap_for_tests() {
    #[cfg(target_arch = "wasm32")]
    core::arch::wasm32::unreachable();
}

fn input_error(e: onstage::error::InputError) -> JsValue {
    js_error(e.code(), &e.to_string())
}

fn time(t: f64, what: &'static str) -> Result<i64, JsValue> {
    time_from_f64(t, what).map_err(input_error)
}

/// One user's engine. Times are JavaScript milliseconds (`Date.now()`).
#[wasm_bindgen]
pub struct WasmEngine {
    engine: Engine,
    /// The latest step applied of each tab (the envelope's `applied`).
    marks: StepMarks,
    notes: Vec<onstage::persist::RestoreNote>,
    /// The key (`SlotDecision::push_key`) of the text the latest `decide`
    /// that took part (`reuse` given) handed over without reasons; None
    /// after one with reasons or a config switch.
    shown: Option<Vec<usize>>,
    /// The key of the decision being made (reused buffer).
    key: Vec<usize>,
}

/// A user id from JavaScript: a string of well-formed UTF-16 (a lone
/// surrogate would silently become U+FFFD, and two ids one). The engine
/// checks the length.
fn user_id_arg(user_id: &JsValue) -> Result<String, JsValue> {
    let well_formed = user_id.dyn_ref::<js_sys::JsString>().is_some_and(|s| s.is_valid_utf16());
    match user_id.as_string() {
        Some(id) if well_formed => Ok(id),
        Some(_) => Err(js_error(ErrorCode::BadUserId, "userId is not well-formed text (it holds a lone surrogate)")),
        None => Err(js_error(ErrorCode::BadUserId, "userId must be a string")),
    }
}

fn notes_json(notes: &[onstage::persist::RestoreNote]) -> String {
    let mut out = String::new();
    onstage::json::write_list(notes, &mut out, onstage::persist::RestoreNote::write_json);
    out
}

#[wasm_bindgen]
impl WasmEngine {
    /// A new user `userId` under a compiled config.
    #[wasm_bindgen(constructor)]
    pub fn new(config: &WasmConfig, user_id: JsValue) -> Result<WasmEngine, JsValue> {
        let user_id = user_id_arg(&user_id)?;
        let engine = Engine::new(Arc::clone(&config.compiled), &user_id).map_err(input_error)?;
        Ok(WasmEngine { engine, marks: StepMarks::default(), notes: Vec::new(), shown: None, key: Vec::new() })
    }

    /// An engine for `userId` from a stored state (its JSON text, as
    /// `exportState` wrote it). A state of another format, version or user
    /// is refused with a coded Error (`state_not_recognized`,
    /// `state_unknown_version`, `state_other_user`, `state_corrupt`); the
    /// notes of what was dropped are in `takeRestoreNotes()`.
    pub fn restore(config: &WasmConfig, user_id: JsValue, state: &str) -> Result<WasmEngine, JsValue> {
        let user_id = user_id_arg(&user_id)?;
        onstage::engine::check_user_id(&user_id).map_err(input_error)?;
        let state = stored_json(state)?;
        let (engine, notes) = Engine::restore(Arc::clone(&config.compiled), &user_id, &state)
            .map_err(|e| js_error(e.code(), &e.to_string()))?;
        Ok(WasmEngine { engine, marks: StepMarks::default(), notes, shown: None, key: Vec::new() })
    }

    /// An engine for `userId` from the package's stored envelope (its JSON
    /// text, `{"v", "applied", "engine"}`: read in wasm, never parsed by
    /// JavaScript first), every part checked: an envelope or state that
    /// cannot be used is refused with a coded Error (`state_not_recognized`,
    /// `state_unknown_version`, `state_other_user`, `state_corrupt`);
    /// damaged parts are dropped, with notes in `takeRestoreNotes()`.
    pub fn open(config: &WasmConfig, user_id: JsValue, stored: &str) -> Result<WasmEngine, JsValue> {
        let user_id = user_id_arg(&user_id)?;
        onstage::engine::check_user_id(&user_id).map_err(input_error)?;
        let stored = stored_json(stored)?;
        let state_error = |e: onstage::persist::StateError| js_error(e.code(), &e.to_string());
        let (state, marks, mut notes) = envelope::open(&stored).map_err(state_error)?;
        let (engine, more) = Engine::restore(Arc::clone(&config.compiled), &user_id, state).map_err(state_error)?;
        notes.extend(more);
        Ok(WasmEngine { engine, marks, notes, shown: None, key: Vec::new() })
    }

    /// The envelope to store, as JSON text; marks of tabs not seen for a
    /// day before `now` are forgotten.
    #[wasm_bindgen(js_name = exportEnvelope)]
    pub fn export_envelope(&mut self, now: f64) -> String {
        if let Ok(now) = time(now, "now") {
            self.marks.forget_before(now);
        }
        envelope::write(&self.marks, &self.engine.export_state().to_json_string())
    }

    /// Whether the step `id` of a tab (`<tabId>.<n>`) is new; a new one is
    /// marked as applied (at `now`), so it is applied once, also after a
    /// reload. A malformed id is never new.
    #[wasm_bindgen(js_name = acceptStep)]
    pub fn accept_step(&mut self, id: &str, now: f64) -> bool {
        let now = time(now, "now").unwrap_or(onstage::time::MIN_TIME);
        self.marks.accept(id, now)
    }

    /// Moves every time of the state later than `now` back to `now` (a
    /// clock that ran ahead came back); returns whether anything moved,
    /// with a `time_clamped` note in `takeRestoreNotes()`.
    pub fn rewind(&mut self, now: f64) -> Result<bool, JsValue> {
        let now = time(now, "now")?;
        let note = self.engine.clamp_to(now).map_err(input_error)?;
        self.marks.clamp_to(now);
        let moved = note.is_some();
        self.notes.extend(note);
        Ok(moved)
    }

    /// What the last restore, config switch or import dropped or reset, as
    /// JSON text `[{code, message}]`; the list is emptied.
    #[wasm_bindgen(js_name = takeRestoreNotes)]
    pub fn take_restore_notes(&mut self) -> String {
        notes_json(&std::mem::take(&mut self.notes))
    }

    /// The user's state in its stored form, as JSON text.
    #[wasm_bindgen(js_name = exportState)]
    pub fn export_state(&self) -> String {
        self.engine.export_state().to_json_string()
    }

    /// Switches to another compiled config (a bad one was refused when it
    /// was compiled). Keeps what DESIGN says; what it dropped or reset is
    /// in `takeRestoreNotes()`.
    #[wasm_bindgen(js_name = setConfig)]
    pub fn set_config(&mut self, config: &WasmConfig) {
        // The keys of decisions count the config's parts by address.
        self.shown = None;
        self.notes = self.engine.set_config(Arc::clone(&config.compiled));
    }

    /// Imports a summary (as `onstage summarize` writes it, a plain object).
    #[wasm_bindgen(js_name = importSummary)]
    pub fn import_summary(&mut self, summary: JsValue, now: f64) -> Result<(), JsValue> {
        let now = time(now, "now")?;
        let summary = arg(&summary, "summary", ErrorCode::SummaryCorrupt)?;
        self.engine.import_summary(&summary, now).map_err(|e| js_error(e.code(), &e.to_string()))
    }

    /// `identity`: `{attributes?, entitlements?, tz_offset_minutes?}`; absent fields stay.
    pub fn identify(&mut self, identity: JsValue, now: f64) -> Result<(), JsValue> {
        let now = time(now, "now")?;
        let doc = arg(&identity, "identity", ErrorCode::BadIdentify)?;
        let identity = Identity::from_json(&doc).map_err(input_error)?;
        self.engine.identify(identity, now).map_err(input_error)
    }

    /// Records an event; `timestamp` (ms) is the event's own time, or
    /// `undefined` for now.
    pub fn track(&mut self, name: JsValue, props: JsValue, timestamp: JsValue, now: f64) -> Result<(), JsValue> {
        let now = time(now, "now")?;
        let Some(name) = name.as_string() else {
            return Err(js_error(ErrorCode::BadEventName, "the event name must be a string"));
        };
        let props = if props.is_undefined() || props.is_null() {
            Json::Null
        } else {
            // Props are flat and at most MAX_PROPS: a wider object is
            // refused before any of its values is read.
            arg_within(&props, "props", ErrorCode::BadProps, onstage::engine::MAX_PROPS)?
        };
        let timestamp = if timestamp.is_undefined() || timestamp.is_null() {
            None
        } else {
            match timestamp.as_f64() {
                Some(t) => Some(time(t, "timestamp")?),
                None => return Err(js_error(ErrorCode::BadTime, "timestamp must be a number of milliseconds")),
            }
        };
        self.engine.track(&name, &props, timestamp, now).map_err(input_error)
    }

    /// Stage, segments and signals as JSON text.
    pub fn evaluate(&mut self, now: f64) -> Result<String, JsValue> {
        let now = time(now, "now")?;
        let evaluation = self.engine.evaluate(now).map_err(input_error)?;
        let mut out = String::with_capacity(512);
        evaluation.write_json(&mut out);
        Ok(out)
    }

    /// Decisions for `slots` (a slot id, a list of them, or "*") as JSON
    /// text: `{slot: {experience, step?, variation, holdout, content, items, reasons}}`
    /// (`step` only for a tour; `"preview": true` for a previewed slot).
    /// `record` false is a dry run: no first exposure is kept or reported.
    ///
    /// `reuse` (the package's `decide`): given, this call takes part in a
    /// memo of the latest text handed over without reasons; `true` says
    /// the caller holds the result of the previous call that took part,
    /// for these same slots, and then `undefined` comes back when the
    /// decision would write the same text (nothing is written or crosses).
    pub fn decide(
        &mut self,
        slots: JsValue,
        now: f64,
        reasons: bool,
        record: bool,
        reuse: Option<bool>,
    ) -> Result<Option<String>, JsValue> {
        let now = time(now, "now")?;
        // A string crosses as itself; anything else as a JSON value.
        let text = slots.as_string();
        let asked = match text {
            Some(_) => Json::Null,
            None => arg(&slots, "slots", ErrorCode::UnknownSlot)?,
        };
        let refs = match (&text, &asked) {
            (Some(id), _) => vec![&**id],
            (None, other) => onstage::input::slots_from_json(other).map_err(input_error)?,
        };
        let decision = self.engine.decide_with(Slots::Named(&refs), now, reasons, record).map_err(input_error)?;
        if reasons {
            self.shown = None;
        } else if let Some(held) = reuse {
            self.key.clear();
            for d in &decision.slots {
                d.push_key(&mut self.key);
            }
            let same = held && self.shown.as_ref() == Some(&self.key);
            let shown = self.shown.get_or_insert_with(Vec::new);
            std::mem::swap(shown, &mut self.key);
            if same {
                return Ok(None);
            }
        }
        let mut out = String::with_capacity(256);
        out.push('{');
        for (i, d) in decision.slots.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            Json::from(d.slot).write_to(&mut out);
            out.push(':');
            d.write_json(&mut out, true);
        }
        out.push('}');
        Ok(Some(out))
    }

    /// Returns false when the `shown` continued an impression on screen.
    pub fn shown(&mut self, experience: &str, now: f64) -> Result<bool, JsValue> {
        self.interact(Interaction::Shown, experience, now)
    }

    pub fn dismissed(&mut self, experience: &str, now: f64) -> Result<bool, JsValue> {
        self.interact(Interaction::Dismissed, experience, now)
    }

    pub fn converted(&mut self, experience: &str, now: f64) -> Result<bool, JsValue> {
        self.interact(Interaction::Converted, experience, now)
    }

    /// The user finished `step` of tour `tour` (in any order; a step
    /// completed already stays so). Returns false when the step was
    /// already completed. Not a `shown`.
    pub fn advanced(&mut self, tour: JsValue, step: JsValue, now: f64) -> Result<bool, JsValue> {
        let now = time(now, "now")?;
        let Some(tour) = tour.as_string() else {
            return Err(js_error(ErrorCode::UnknownTour, "the tour id must be a string"));
        };
        let Some(step) = step.as_string() else {
            return Err(js_error(ErrorCode::UnknownStep, "the step id must be a string"));
        };
        self.engine.advance(&tour, &step, now).map_err(input_error)
    }

    fn interact(&mut self, interaction: Interaction, experience: &str, now: f64) -> Result<bool, JsValue> {
        let now = time(now, "now")?;
        self.engine.interact(interaction, experience, now).map_err(input_error)
    }

    /// Forces experiences into their slots for this session:
    /// `[{experience, variation?}]` (an empty list ends the preview). An
    /// unknown id (`unknown_experience`, `unknown_variation`) or a slot
    /// named twice (`preview_conflict`) refuses the whole list.
    #[wasm_bindgen(js_name = setPreview)]
    pub fn set_preview(&mut self, list: JsValue) -> Result<(), JsValue> {
        let bad =
            || js_error(ErrorCode::BadPreview, "preview takes a list of {experience, variation?} with string ids");
        let Json::Arr(items) = arg(&list, "preview", ErrorCode::BadPreview)? else { return Err(bad()) };
        let mut asked = Vec::with_capacity(items.len());
        for item in &items {
            let Json::Obj(o) = item else { return Err(bad()) };
            let Some(experience) = o.get("experience").and_then(Json::as_str) else { return Err(bad()) };
            let variation = match o.get("variation") {
                None | Some(Json::Null) => None,
                Some(Json::Str(v)) => Some(&**v),
                Some(_) => return Err(bad()),
            };
            asked.push((experience, variation));
        }
        self.engine.set_preview(&asked).map_err(input_error)
    }

    /// The experiences previewed now, as JSON text `[{experience, variation}]`.
    pub fn preview(&self) -> String {
        let list = self.engine.preview().into_iter().map(|(experience, variation)| {
            onstage::obj! { "experience" => experience, "variation" => variation.map_or(Json::Null, Json::from) }
        });
        Json::Arr(list.collect()).to_json_string()
    }

    /// Marks an experiment variation as already exposed (by another tab).
    #[wasm_bindgen(js_name = markExposed)]
    pub fn mark_exposed(&mut self, experiment: &str, variation: &str) {
        self.engine.mark_exposed(experiment, variation);
    }

    /// The time of the user's latest step (ms), or undefined for a new user.
    #[wasm_bindgen(js_name = lastStep)]
    pub fn last_step(&self) -> Option<f64> {
        self.engine.user().last_step.map(|t| t as f64)
    }

    /// The stage changes kept (the last 100), as JSON text `[{from, to, at}]`.
    #[wasm_bindgen(js_name = stageHistory)]
    pub fn stage_history(&self) -> String {
        let mut out = String::new();
        out.push('[');
        for (i, t) in self.engine.user().stage.transitions.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            t.write_json(&mut out);
        }
        out.push(']');
        out
    }

    /// Whether `takeNotices` has anything: a boolean costs less to cross
    /// the boundary than the empty list.
    #[wasm_bindgen(js_name = hasNotices)]
    pub fn has_notices(&self) -> bool {
        self.engine.has_notices()
    }

    /// Stage changes and exposures since the last call, as JSON text
    /// (`[]` when nothing happened: the common case costs one short string).
    #[wasm_bindgen(js_name = takeNotices)]
    pub fn take_notices(&mut self) -> String {
        let notices = self.engine.take_notices();
        if notices.is_empty() {
            return "[]".into();
        }
        let mut out = String::new();
        onstage::json::write_list(&notices, &mut out, Notice::write_json);
        out
    }
}

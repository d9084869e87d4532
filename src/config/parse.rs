//! Reads the shape of a config into the typed model. Every problem is
//! recorded; a part with problems is left out of the model, and the
//! caller refuses the config when any error was recorded.

use super::read::Reader;
use crate::json::{Json, Obj};
use crate::limits::*;
use crate::model::*;
use crate::problem::{ErrorCode, JsonPath};

/// `$schema` lets editors find `schema/onstage.schema.json`; it is ignored.
const TOP_FIELDS: &[&str] =
    &["$schema", "version", "saved_groups", "signals", "segments", "stages", "policy", "experiences"];

pub fn parse_config(r: &mut Reader, doc: &Json) -> Config {
    let root = JsonPath::root();
    let mut config = Config {
        saved_groups: Obj::new(),
        signals: Vec::new(),
        segments: Vec::new(),
        stages: Vec::new(),
        policy: Policy::default(),
        experiences: Vec::new(),
    };
    let Some(f) = r.fields(doc, &root, "the config", TOP_FIELDS) else {
        return config;
    };
    match f.get("version") {
        None => r.problem(ErrorCode::MissingField, &root, "the config needs \"version\": 1"),
        Some(Json::Num(n)) if *n == 1.0 => {}
        Some(other) => r.problem(
            ErrorCode::UnsupportedVersion,
            &f.at("version"),
            format!("version {other} is not supported: this onstage reads version 1"),
        ),
    }
    if let Some(v) = f.get("saved_groups") {
        config.saved_groups = parse_saved_groups(r, v, &f.at("saved_groups"));
    }
    if let Some(v) = f.get("signals") {
        config.signals = parse_signals(r, v, &f.at("signals"));
    }
    if let Some(v) = f.get("segments") {
        config.segments = parse_segments(r, v, &f.at("segments"));
    }
    match f.get("stages") {
        Some(v) => config.stages = parse_stages(r, v, &f.at("stages")),
        None => r.problem(ErrorCode::MissingField, &root, "the config needs \"stages\" (at least one stage)"),
    }
    if let Some(v) = f.get("policy") {
        config.policy = parse_policy(r, v, &f.at("policy"));
    }
    if let Some(v) = f.get("experiences") {
        config.experiences = parse_experiences(r, v, &f.at("experiences"));
    }
    config
}

fn parse_saved_groups(r: &mut Reader, v: &Json, path: &JsonPath) -> Obj {
    let mut out = Obj::new();
    let Some(groups) = r.object(v, path, "saved_groups") else { return out };
    r.limit(groups.len(), MAX_SAVED_GROUPS, path, "saved groups");
    for (id, values) in groups.iter().take(MAX_SAVED_GROUPS) {
        let at = path.key(id);
        if !r.check_id(id, &at) {
            continue;
        }
        if let Some(list) = r.array(values, &at, "a saved group") {
            if r.limit(list.len(), MAX_GROUP_VALUES, &at, "values") {
                out.insert(id, values.clone());
            }
        }
    }
    out
}

/// `"name"`, `["a", "b"]` or `"*"`.
fn parse_event_sel(r: &mut Reader, v: &Json, path: &JsonPath) -> Option<EventSel> {
    let name_ok = |r: &mut Reader, s: &str, at: &JsonPath| {
        let ok = !s.is_empty() && (s.len() <= MAX_EVENT_NAME_CHARS || s.chars().count() <= MAX_EVENT_NAME_CHARS);
        if !ok {
            r.problem(
                ErrorCode::BadEventSelector,
                at,
                format!("an event name has 1 to {MAX_EVENT_NAME_CHARS} characters"),
            );
        }
        ok
    };
    match v {
        Json::Str(s) if &**s == "*" => Some(EventSel::Any),
        Json::Str(s) => name_ok(r, s, path).then(|| EventSel::Names(vec![s.clone()])),
        Json::Arr(items) if !items.is_empty() => {
            if !r.limit(items.len(), MAX_EVENT_NAMES, path, "event names") {
                return None;
            }
            let mut names = Vec::with_capacity(items.len());
            let mut ok = true;
            for (i, item) in items.iter().enumerate() {
                let at = path.index(i);
                match item {
                    Json::Str(s) if &**s == "*" => {
                        r.problem(ErrorCode::BadEventSelector, &at, "\"*\" stands alone, not inside a list");
                        ok = false;
                    }
                    Json::Str(s) => {
                        ok &= name_ok(r, s, &at);
                        names.push(s.clone());
                    }
                    other => {
                        r.problem(
                            ErrorCode::BadEventSelector,
                            &at,
                            format!("an event name is a string, found {}", other.type_name()),
                        );
                        ok = false;
                    }
                }
            }
            ok.then_some(EventSel::Names(names))
        }
        other => {
            r.problem(
                ErrorCode::BadEventSelector,
                path,
                format!(
                    "events are an event name, a non-empty list of names or \"*\", found {}",
                    match other {
                        Json::Arr(_) => "an empty list",
                        o => o.type_name(),
                    }
                ),
            );
            None
        }
    }
}

/// The signal forms: the key that names the form, and the other fields
/// each form allows (`where` is allowed on every form but `ratio`).
const FORMS: &[(&str, &[&str], &[&str])] = &[
    // (form key, required fields, optional fields)
    ("count", &[], &["window", "where"]),
    ("sum", &["property"], &["window", "where"]),
    ("distinct", &["property"], &["window", "where"]),
    ("active_days", &["window"], &["where"]),
    ("active_weeks", &["window"], &["where"]),
    ("days_since_first", &[], &["where"]),
    ("days_since_last", &[], &["where"]),
    ("trend", &["window"], &["where"]),
    ("funnel", &[], &["within", "where"]),
    ("ratio", &[], &[]),
];
const ALL_SIGNAL_FIELDS: &[&str] = &[
    "count",
    "sum",
    "distinct",
    "active_days",
    "active_weeks",
    "days_since_first",
    "days_since_last",
    "trend",
    "funnel",
    "ratio",
    "window",
    "where",
    "property",
    "within",
];

fn parse_signals(r: &mut Reader, v: &Json, path: &JsonPath) -> Vec<SignalDef> {
    let Some(signals) = r.object(v, path, "signals") else { return Vec::new() };
    r.limit(signals.len(), MAX_SIGNALS, path, "signals");
    // Loops with pushes here and below, not iterator chains collected:
    // fewer instances of core's generics on the config's path.
    let mut out = Vec::with_capacity(signals.len().min(MAX_SIGNALS));
    for (id, def) in signals.iter().take(MAX_SIGNALS) {
        let at = path.key(id);
        if !r.check_id(id, &at) {
            continue;
        }
        // A broken signal stays declared, as an inert placeholder, so
        // that conditions reading it do not add "undefined" problems.
        out.push(parse_signal(r, id, def, &at).unwrap_or_else(|| SignalDef {
            id: id.into(),
            form: SignalForm::Count,
            events: EventSel::Names(Vec::new()),
            window: None,
            where_: None,
            source: def.clone(),
        }));
    }
    out
}

fn parse_signal(r: &mut Reader, id: &str, def: &Json, path: &JsonPath) -> Option<SignalDef> {
    // Without a known form key, an unknown key is most likely the form
    // the author meant: one problem says so, instead of one per key.
    if let Json::Obj(o) = def {
        if !FORMS.iter().any(|(key, _, _)| o.contains_key(key)) {
            let unknown: Vec<&str> = o.keys().filter(|k| !ALL_SIGNAL_FIELDS.contains(k)).collect();
            let known: Vec<&str> = FORMS.iter().map(|(k, _, _)| *k).collect();
            let found = match unknown.as_slice() {
                [] => "no form".to_string(),
                keys => {
                    let mut found = "unknown form".to_string();
                    for (i, k) in keys.iter().enumerate() {
                        found.push_str(if i == 0 { " \"" } else { ", \"" });
                        found.push_str(k);
                        found.push('"');
                    }
                    found
                }
            };
            r.problem(ErrorCode::UnknownSignalForm, path, format!("{found}: a signal has one of {}", known.join(", ")));
            return None;
        }
    }
    let f = r.fields(def, path, "a signal", ALL_SIGNAL_FIELDS)?;
    let mut forms = FORMS.iter().filter(|(key, _, _)| f.has(key));
    let &(form_key, required, optional) = forms.next()?;
    if forms.next().is_some() {
        let mut names = String::new();
        for (k, _, _) in FORMS.iter().filter(|(key, _, _)| f.has(key)) {
            if !names.is_empty() {
                names.push_str(" and ");
            }
            names.push_str(k);
        }
        r.problem(ErrorCode::UnknownSignalForm, path, format!("a signal has one form, found {names}"));
        return None;
    }
    // Fields that exist in the format but not on this form.
    let mut ok = true;
    for key in f.keys() {
        let is_form_key = FORMS.iter().any(|(k, _, _)| *k == key);
        if !is_form_key && !required.contains(&key) && !optional.contains(&key) && ALL_SIGNAL_FIELDS.contains(&key) {
            r.problem(
                ErrorCode::FieldNotAllowed,
                &f.at(key),
                format!("\"{key}\" is not allowed on a {form_key} signal"),
            );
            ok = false;
        }
    }
    for key in required {
        if !f.has(key) {
            r.problem(ErrorCode::MissingField, path, format!("a {form_key} signal needs \"{key}\""));
            ok = false;
        }
    }
    let window = match f.get("window") {
        Some(w) if required.contains(&"window") || optional.contains(&"window") => {
            let w = r.duration(w, &f.at("window"));
            ok &= w.is_some();
            w
        }
        _ => None,
    };
    let property = |r: &mut Reader| -> Option<Box<str>> {
        f.get("property").and_then(|p| r.non_empty_string(p, &f.at("property")))
    };
    let form_value = f.get(form_key)?;
    let form_path = f.at(form_key);
    let (form, events) = match form_key {
        "ratio" => {
            let (numerator, denominator) = parse_ratio(r, form_value, &form_path)?;
            (SignalForm::Ratio { numerator, denominator }, EventSel::Names(Vec::new()))
        }
        "funnel" => {
            let within = match f.get("within") {
                Some(w) => Some(r.duration(w, &f.at("within"))?),
                None => None,
            };
            let steps = parse_funnel_steps(r, form_value, &form_path)?;
            let events = union_of(&steps);
            (SignalForm::Funnel { steps, within }, events)
        }
        _ => {
            let events = parse_event_sel(r, form_value, &form_path)?;
            let form = match form_key {
                "count" => SignalForm::Count,
                "sum" => SignalForm::Sum { property: property(r)? },
                "distinct" => SignalForm::Distinct { property: property(r)? },
                "active_days" => SignalForm::ActiveDays,
                "active_weeks" => SignalForm::ActiveWeeks,
                "days_since_first" => SignalForm::DaysSinceFirst,
                "days_since_last" => SignalForm::DaysSinceLast,
                _ => SignalForm::Trend,
            };
            (form, events)
        }
    };
    let where_ = f.get("where").filter(|_| form_key != "ratio").cloned();
    if let Some(w) = &where_ {
        if !matches!(w, Json::Obj(_)) {
            r.problem(
                ErrorCode::WrongType,
                &f.at("where"),
                format!("\"where\" is a condition object, found {}", w.type_name()),
            );
            ok = false;
        }
    }
    ok.then(|| SignalDef { id: id.into(), form, events, window, where_, source: def.clone() })
}

fn parse_ratio(r: &mut Reader, v: &Json, path: &JsonPath) -> Option<(Box<str>, Box<str>)> {
    match v.as_arr() {
        Some([a, b]) => {
            let a = r.non_empty_string(a, &path.index(0));
            let b = r.non_empty_string(b, &path.index(1));
            Some((a?, b?))
        }
        _ => {
            r.problem(
                ErrorCode::WrongType,
                path,
                "a ratio is a list of two paths, e.g. [\"signals.a\", \"entitlements.b\"]",
            );
            None
        }
    }
}

fn parse_funnel_steps(r: &mut Reader, v: &Json, path: &JsonPath) -> Option<Vec<EventSel>> {
    let steps = r.array(v, path, "a funnel")?;
    if steps.is_empty() {
        r.problem(ErrorCode::BadEventSelector, path, "a funnel needs at least one step");
        return None;
    }
    if !r.limit(steps.len(), MAX_FUNNEL_STEPS, path, "funnel steps") {
        return None;
    }
    // Every step read, so that each one's problems are reported.
    let mut parsed = Vec::with_capacity(steps.len());
    let mut ok = true;
    for (i, s) in steps.iter().enumerate() {
        match parse_event_sel(r, s, &path.index(i)) {
            Some(sel) => parsed.push(sel),
            None => ok = false,
        }
    }
    ok.then_some(parsed)
}

fn union_of(steps: &[EventSel]) -> EventSel {
    let mut names: Vec<Box<str>> = Vec::new();
    for step in steps {
        match step {
            EventSel::Any => return EventSel::Any,
            EventSel::Names(ns) => {
                for n in ns {
                    if !names.contains(n) {
                        names.push(n.clone());
                    }
                }
            }
        }
    }
    EventSel::Names(names)
}

/// The condition of a broken stage or segment: `{"$not": {}}` never
/// holds and is not mistaken for a catch-all.
fn never() -> Json {
    crate::obj! { "$not" => Json::Obj(Obj::new()) }
}

fn parse_segments(r: &mut Reader, v: &Json, path: &JsonPath) -> Vec<SegmentDef> {
    let Some(segments) = r.object(v, path, "segments") else { return Vec::new() };
    r.limit(segments.len(), MAX_SEGMENTS, path, "segments");
    let mut out = Vec::new();
    for (id, def) in segments.iter().take(MAX_SEGMENTS) {
        let at = path.key(id);
        let id_ok = r.check_id(id, &at);
        let when =
            r.fields(def, &at, "a segment", &["when"]).and_then(|f| r.required(&f, "when", "a segment").cloned());
        if id_ok {
            // Broken segments stay declared (see parse_signals).
            out.push(SegmentDef { id: id.into(), when: when.unwrap_or_else(never) });
        }
    }
    out
}

fn parse_stages(r: &mut Reader, v: &Json, path: &JsonPath) -> Vec<StageDef> {
    let Some(stages) = r.array(v, path, "stages") else { return Vec::new() };
    if stages.is_empty() {
        r.problem(ErrorCode::MissingField, path, "at least one stage is needed");
    }
    r.limit(stages.len(), MAX_STAGES, path, "stages");
    let mut out = Vec::new();
    for (i, def) in stages.iter().enumerate().take(MAX_STAGES) {
        let at = path.index(i);
        let Some(f) = r.fields(def, &at, "a stage", &["id", "when", "min_dwell"]) else { continue };
        let id = r.required(&f, "id", "a stage").and_then(|v| r.id(v, &f.at("id")));
        let when = r.required(&f, "when", "a stage").cloned();
        let min_dwell = f.get("min_dwell").map(|v| r.duration(v, &f.at("min_dwell")));
        if let Some(id) = id {
            // Broken stages stay declared (see parse_signals).
            let when = when.unwrap_or_else(never);
            out.push(StageDef { id, when, min_dwell: min_dwell.flatten(), path: at });
        }
    }
    out
}

fn parse_policy(r: &mut Reader, v: &Json, path: &JsonPath) -> Policy {
    let mut policy = Policy::default();
    let Some(f) =
        r.fields(v, path, "the policy", &["max_prompts_per_day", "min_gap_between_prompts", "display_timeout"])
    else {
        return policy;
    };
    if let Some(v) = f.get("max_prompts_per_day") {
        policy.max_prompts_per_day = r.integer(v, &f.at("max_prompts_per_day"), 0, 10_000).map(|n| n as u32);
    }
    if let Some(v) = f.get("min_gap_between_prompts") {
        policy.min_gap_between_prompts = r.duration(v, &f.at("min_gap_between_prompts"));
    }
    if let Some(v) = f.get("display_timeout") {
        if let Some(d) = r.duration(v, &f.at("display_timeout")) {
            policy.display_timeout = d;
        }
    }
    policy
}

const EXPERIENCE_FIELDS: &[&str] = &[
    "id",
    "slot",
    "kind",
    "priority",
    "when",
    "stop_when",
    "content",
    "frequency",
    "cooldown_after_dismiss",
    "items",
    "steps",
    "experiment",
];

fn parse_experiences(r: &mut Reader, v: &Json, path: &JsonPath) -> Vec<ExperienceDef> {
    let Some(list) = r.array(v, path, "experiences") else { return Vec::new() };
    r.limit(list.len(), MAX_EXPERIENCES, path, "experiences");
    let mut out = Vec::with_capacity(list.len().min(MAX_EXPERIENCES));
    for (i, def) in list.iter().enumerate().take(MAX_EXPERIENCES) {
        if let Some(e) = parse_experience(r, def, &path.index(i)) {
            out.push(e);
        }
    }
    out
}

fn parse_experience(r: &mut Reader, def: &Json, path: &JsonPath) -> Option<ExperienceDef> {
    let f = r.fields(def, path, "an experience", EXPERIENCE_FIELDS)?;
    let what = "an experience";
    let id = r.required(&f, "id", what).and_then(|v| r.id(v, &f.at("id")));
    let slot = r.required(&f, "slot", what).and_then(|v| r.id(v, &f.at("slot")));
    let kind = r.required(&f, "kind", what).and_then(|v| r.non_empty_string(v, &f.at("kind")));
    let priority = match f.get("priority") {
        Some(v) => r.number(v, &f.at("priority")),
        None => Some(0.0),
    };
    let when = r.required(&f, "when", what).cloned();
    let stop_when = f.get("stop_when").cloned();
    let content = match f.get("content") {
        Some(v) => r.content(v, &f.at("content")).cloned(),
        None => Some(Obj::new()),
    };
    let frequency = f.get("frequency").map(|v| parse_frequency(r, v, &f.at("frequency")));
    let cooldown = f.get("cooldown_after_dismiss").map(|v| r.duration(v, &f.at("cooldown_after_dismiss")));
    let is_checklist = kind.as_deref() == Some("checklist");
    let items = match f.get("items") {
        Some(v) if is_checklist => parse_items(r, v, &f.at("items")),
        Some(_) => {
            r.problem(ErrorCode::FieldNotAllowed, &f.at("items"), "only a checklist has \"items\"");
            None
        }
        None if is_checklist => {
            r.problem(ErrorCode::EmptyChecklist, path, "a checklist needs \"items\" (at least one)");
            None
        }
        None => Some(Vec::new()),
    };
    // Step problems are recorded (which refuses the config) but leave the
    // tour in the model with the steps that read well, so that the checks
    // across the config still report every other problem.
    let is_tour = kind.as_deref() == Some("tour");
    let steps = match f.get("steps") {
        Some(v) if is_tour => parse_steps(r, v, &f.at("steps")),
        Some(_) => {
            r.problem(ErrorCode::FieldNotAllowed, &f.at("steps"), "only a tour (kind \"tour\") has \"steps\"");
            Vec::new()
        }
        None if is_tour => {
            r.problem(ErrorCode::EmptyTour, path, "a tour needs \"steps\" (at least one)");
            Vec::new()
        }
        None => Vec::new(),
    };
    let experiment = f.get("experiment").map(|v| parse_experiment(r, v, &f.at("experiment")));
    Some(ExperienceDef {
        path: path.clone(),
        id: id?,
        slot: slot?,
        kind: kind?,
        priority: priority?,
        when: when?,
        stop_when,
        content: content?,
        frequency: frequency.map_or(Some(None), |f| f.map(Some))?,
        cooldown_after_dismiss: cooldown.map_or(Some(None), |c| c.map(Some))?,
        items: items?,
        steps,
        experiment: experiment.map_or(Some(None), |e| e.map(Some))?,
    })
}

fn parse_frequency(r: &mut Reader, v: &Json, path: &JsonPath) -> Option<Frequency> {
    let f = r.fields(v, path, "frequency", &["max_impressions", "per"])?;
    let max = r
        .required(&f, "max_impressions", "frequency")
        .and_then(|v| r.integer(v, &f.at("max_impressions"), 1, 1_000_000));
    let per = r.required(&f, "per", "frequency").and_then(|v| r.duration(v, &f.at("per")));
    let per_text = f.get("per").and_then(Json::as_str).unwrap_or_default().into();
    Some(Frequency { max_impressions: max? as u32, per: per?, per_text })
}

fn parse_items(r: &mut Reader, v: &Json, path: &JsonPath) -> Option<Vec<ItemDef>> {
    let list = r.array(v, path, "items")?;
    if list.is_empty() {
        r.problem(ErrorCode::EmptyChecklist, path, "a checklist needs at least one item");
        return None;
    }
    if !r.limit(list.len(), MAX_ITEMS, path, "items") {
        return None;
    }
    let mut ok = true;
    let mut items = Vec::new();
    for (i, item) in list.iter().enumerate() {
        let at = path.index(i);
        let Some(f) = r.fields(item, &at, "an item", &["id", "label", "done"]) else {
            ok = false;
            continue;
        };
        let id = r.required(&f, "id", "an item").and_then(|v| r.id(v, &f.at("id")));
        let label = f.get("label").map(|v| r.string(v, &f.at("label")));
        let done = r.required(&f, "done", "an item").cloned();
        match (id, label, done) {
            (Some(id), label @ (None | Some(Some(_))), Some(done)) => {
                items.push(ItemDef { id, label: label.flatten(), done })
            }
            _ => ok = false,
        }
    }
    ok.then_some(items)
}

fn parse_steps(r: &mut Reader, v: &Json, path: &JsonPath) -> Vec<StepDef> {
    let Some(list) = r.array(v, path, "steps") else { return Vec::new() };
    if list.is_empty() {
        r.problem(ErrorCode::EmptyTour, path, "a tour needs at least one step");
    }
    r.limit(list.len(), MAX_STEPS, path, "steps");
    let mut steps = Vec::with_capacity(list.len().min(MAX_STEPS));
    for (i, step) in list.iter().enumerate().take(MAX_STEPS) {
        let at = path.index(i);
        let Some(f) = r.fields(step, &at, "a step", &["id", "content", "done"]) else { continue };
        let id = r.required(&f, "id", "a step").and_then(|v| r.id(v, &f.at("id")));
        let content = f.get("content").and_then(|v| r.content(v, &f.at("content")).cloned());
        if let Some(id) = id {
            steps.push(StepDef { id, content, done: f.get("done").cloned() });
        }
    }
    steps
}

fn parse_experiment(r: &mut Reader, v: &Json, path: &JsonPath) -> Option<ExperimentDef> {
    let f = r.fields(
        v,
        path,
        "an experiment",
        &["key", "hash_attribute", "hash_version", "coverage", "namespace", "variations"],
    )?;
    let key = r.required(&f, "key", "an experiment").and_then(|v| r.non_empty_string(v, &f.at("key")));
    let hash_attribute = match f.get("hash_attribute") {
        Some(v) => r.non_empty_string(v, &f.at("hash_attribute")),
        None => Some("attributes.id".into()),
    };
    let hash_version = match f.get("hash_version") {
        Some(v) => r.integer(v, &f.at("hash_version"), 1, 2).map(|n| n as u32),
        None => Some(1),
    };
    let coverage = match f.get("coverage") {
        Some(v) => r.number(v, &f.at("coverage")).and_then(|c| {
            let ok = (0.0..=1.0).contains(&c);
            if !ok {
                r.problem(
                    ErrorCode::OutOfRange,
                    &f.at("coverage"),
                    format!("coverage {} is outside 0 to 1", crate::json::Num(c)),
                );
            }
            ok.then_some(c)
        }),
        None => Some(1.0),
    };
    let namespace = f.get("namespace").map(|v| parse_namespace(r, v, &f.at("namespace")));
    let variations =
        r.required(&f, "variations", "an experiment").and_then(|v| parse_variations(r, v, &f.at("variations")));
    Some(ExperimentDef {
        key: key?,
        hash_attribute: hash_attribute?,
        hash_version: hash_version?,
        coverage: coverage?,
        namespace: namespace.map_or(Some(None), |n| n.map(Some))?,
        weights: variations.as_ref()?.1.clone(),
        variations: variations?.0,
    })
}

fn parse_namespace(r: &mut Reader, v: &Json, path: &JsonPath) -> Option<(Box<str>, f64, f64)> {
    match v.as_arr() {
        Some([Json::Str(id), Json::Num(start), Json::Num(end)])
            if !id.is_empty() && 0.0 <= *start && start <= end && *end <= 1.0 =>
        {
            Some((id.clone(), *start, *end))
        }
        _ => {
            r.problem(
                ErrorCode::WrongType,
                path,
                "a namespace is [id, start, end] with 0 <= start <= end <= 1, e.g. [\"pricing\", 0, 0.5]",
            );
            None
        }
    }
}

fn parse_variations(r: &mut Reader, v: &Json, path: &JsonPath) -> Option<(Vec<VariationDef>, Vec<f64>)> {
    let list = r.array(v, path, "variations")?;
    if list.is_empty() {
        r.problem(ErrorCode::MissingField, path, "an experiment needs at least one variation");
        return None;
    }
    if !r.limit(list.len(), MAX_VARIATIONS, path, "variations") {
        return None;
    }
    let mut ok = true;
    let mut variations = Vec::new();
    let mut weights = Vec::new();
    for (i, item) in list.iter().enumerate() {
        let at = path.index(i);
        let Some(f) = r.fields(item, &at, "a variation", &["id", "weight", "content", "skip"]) else {
            ok = false;
            continue;
        };
        let id = r.required(&f, "id", "a variation").and_then(|v| r.id(v, &f.at("id")));
        let weight = f.get("weight").map(|v| {
            r.number(v, &f.at("weight")).filter(|w| {
                let ok = *w >= 0.0 && *w <= 1.0;
                if !ok {
                    r.problem(
                        ErrorCode::BadWeights,
                        &f.at("weight"),
                        format!("weight {} is outside 0 to 1", crate::json::Num(*w)),
                    );
                }
                ok
            })
        });
        let content = f.get("content").map(|v| r.content(v, &f.at("content")).cloned());
        let skip = f.get("skip").map(|v| r.boolean(v, &f.at("skip")));
        match (id, weight, content, skip) {
            (Some(id), w, c, s) if !matches!(w, Some(None)) && !matches!(c, Some(None)) && !matches!(s, Some(None)) => {
                if let Some(Some(w)) = w {
                    weights.push(w);
                }
                variations.push(VariationDef { id, content: c.flatten(), skip: s.flatten().unwrap_or(false) });
            }
            _ => ok = false,
        }
    }
    if !ok {
        return None;
    }
    let n = variations.len();
    let weights = if weights.is_empty() {
        vec![1.0 / n as f64; n]
    } else if weights.len() != n {
        r.problem(ErrorCode::BadWeights, path, "give a weight to every variation or to none (equal weights)");
        return None;
    } else {
        let sum: f64 = weights.iter().sum();
        if (sum - 1.0).abs() > 0.01 {
            r.problem(ErrorCode::BadWeights, path, format!("weights sum to {}, not 1 (±0.01)", crate::json::Num(sum)));
            return None;
        }
        weights
    };
    Some((variations, weights))
}

//! Checks across the config: duplicate ids, references to segments and
//! stages, segment dependencies, and the warnings about legal configs
//! that surprise people.

use crate::graph::topological_order;
use crate::json::Json;
use crate::model::*;
use crate::problem::{ErrorCode, JsonPath, Problems};

/// The string literals a field's test names (segment or stage ids),
/// skipping operands that are not ids (`$type`, `$regex`, ...).
fn named_ids<'a>(value: &'a Json, path: &JsonPath, out: &mut Vec<(&'a str, JsonPath)>) {
    match value {
        Json::Str(s) => out.push((s, path.clone())),
        Json::Arr(items) => {
            for (i, item) in items.iter().enumerate() {
                named_ids(item, &path.index(i), out);
            }
        }
        Json::Obj(obj) => {
            for (key, v) in obj.iter() {
                let skip = matches!(
                    key,
                    "$type"
                        | "$regex"
                        | "$regexi"
                        | "$notRegex"
                        | "$notRegexi"
                        | "$exists"
                        | "$size"
                        | "$inGroup"
                        | "$notInGroup"
                ) || key.starts_with("$v");
                if !skip {
                    named_ids(v, &path.key(key), out);
                }
            }
        }
        _ => {}
    }
}

/// The segment ids and stage ids a condition names, with their paths.
struct Names<'a> {
    segments: Vec<(&'a str, JsonPath)>,
    tests_segments: bool,
    stages: Vec<(&'a str, JsonPath)>,
}

fn names_in<'a>(cond: &'a Json, path: &JsonPath) -> Names<'a> {
    let mut names = Names { segments: Vec::new(), tests_segments: false, stages: Vec::new() };
    // The callback borrows from `cond`; collect into owned paths.
    let mut fields: Vec<(&'a str, &'a Json, JsonPath)> = Vec::new();
    collect_fields(cond, path, &mut fields);
    for (field, value, at) in fields {
        match field {
            "segments" => {
                names.tests_segments = true;
                named_ids(value, &at, &mut names.segments);
            }
            "stage" => named_ids(value, &at, &mut names.stages),
            _ => {}
        }
    }
    names
}

pub(super) fn collect_fields<'a>(cond: &'a Json, path: &JsonPath, out: &mut Vec<(&'a str, &'a Json, JsonPath)>) {
    let Json::Obj(obj) = cond else { return };
    for (key, value) in obj.iter() {
        let at = path.key(key);
        match key {
            "$and" | "$or" | "$nor" => {
                for (i, sub) in value.as_arr().unwrap_or(&[]).iter().enumerate() {
                    collect_fields(sub, &at.index(i), out);
                }
            }
            "$not" => collect_fields(value, &at, out),
            _ => out.push((key, value, at)),
        }
    }
}

/// Where a condition is: a segment's references are checked with its
/// dependencies, the others' here.
#[derive(Clone, Copy, PartialEq)]
enum Owner {
    Segment,
    Other,
}

/// Every condition of the config with its path.
fn conditions(config: &Config) -> Vec<(&Json, JsonPath, Owner)> {
    let mut out = Vec::new();
    for s in &config.segments {
        out.push((&s.when, JsonPath::root().key("segments").key(&s.id).key("when"), Owner::Segment));
    }
    for s in &config.stages {
        out.push((&s.when, s.path.key("when"), Owner::Other));
    }
    for e in &config.experiences {
        let at = &e.path;
        out.push((&e.when, at.key("when"), Owner::Other));
        if let Some(stop) = &e.stop_when {
            out.push((stop, at.key("stop_when"), Owner::Other));
        }
        for (j, item) in e.items.iter().enumerate() {
            out.push((&item.done, at.key("items").index(j).key("done"), Owner::Other));
        }
        for (j, step) in e.steps.iter().enumerate() {
            if let Some(done) = &step.done {
                out.push((done, at.key("steps").index(j).key("done"), Owner::Other));
            }
        }
    }
    out
}

/// Runs every cross check; returns the segments' evaluation order.
pub fn check(config: &Config, problems: &mut Problems) -> Vec<usize> {
    check_duplicates(config, problems);
    let segment_order = check_segments(config, problems);
    for (cond, at, owner) in conditions(config) {
        let names = names_in(cond, &at);
        for (id, path) in names.segments.iter().filter(|_| owner == Owner::Other) {
            if !config.segments.iter().any(|s| &*s.id == *id) {
                problems.push(ErrorCode::UndefinedSegment, path, format!("no segment \"{id}\" is defined"));
            }
        }
        for (id, path) in names.stages {
            if !config.stages.iter().any(|s| &*s.id == id) {
                problems.push(ErrorCode::UndefinedStage, &path, format!("no stage \"{id}\" is defined"));
            }
        }
    }
    warn_null_comparisons(config, problems);
    warn_unreachable(config, problems);
    super::lint::warn_done_conditions(config, problems);
    segment_order
}

fn check_duplicates(config: &Config, problems: &mut Problems) {
    // Each list's ids, then the path of a repeated one only: one loop for
    // every kind of definition (the config's path runs it).
    let mut ids: Vec<&str> = Vec::new();
    let mut dup = |ids: &[&str], what: &str, path: &dyn Fn(usize) -> JsonPath| {
        for (j, id) in ids.iter().enumerate() {
            if ids.get(..j).is_some_and(|seen| seen.contains(id)) {
                problems.push(ErrorCode::DuplicateId, &path(j), format!("{what} \"{id}\" is defined twice"));
            }
        }
    };
    ids.clear();
    ids.extend(config.stages.iter().map(|s| &*s.id));
    dup(&ids, "stage", &|j| config.stages.get(j).map_or_else(JsonPath::root, |s| s.path.key("id")));
    ids.clear();
    ids.extend(config.experiences.iter().map(|e| &*e.id));
    dup(&ids, "experience", &|j| config.experiences.get(j).map_or_else(JsonPath::root, |e| e.path.key("id")));
    for e in &config.experiences {
        let at = &e.path;
        ids.clear();
        ids.extend(e.items.iter().map(|it| &*it.id));
        dup(&ids, "item", &|j| at.key("items").index(j).key("id"));
        ids.clear();
        ids.extend(e.steps.iter().map(|st| &*st.id));
        dup(&ids, "step", &|j| at.key("steps").index(j).key("id"));
        if let Some(x) = &e.experiment {
            ids.clear();
            ids.extend(x.variations.iter().map(|v| &*v.id));
            dup(&ids, "variation", &|j| at.key("experiment").key("variations").index(j).key("id"));
        }
    }
}

/// Checks segment references and dependencies; returns the evaluation
/// order (dependencies first, ties in config order).
fn check_segments(config: &Config, problems: &mut Problems) -> Vec<usize> {
    let root = JsonPath::root().key("segments");
    let ids: Vec<&str> = config.segments.iter().map(|s| &*s.id).collect();
    let mut deps: Vec<Vec<usize>> = Vec::with_capacity(ids.len());
    for seg in &config.segments {
        let at = root.key(&seg.id).key("when");
        let names = names_in(&seg.when, &at);
        if names.tests_segments && names.segments.is_empty() {
            problems.push(
                ErrorCode::SegmentsWithoutIds,
                &at,
                "this segment tests \"segments\" without naming a segment id, so its dependencies are unknown",
            );
        }
        let mut d = Vec::new();
        for (id, path) in names.segments {
            match ids.iter().position(|s| *s == id) {
                Some(j) => d.push(j),
                None => problems.push(ErrorCode::UndefinedSegment, &path, format!("no segment \"{id}\" is defined")),
            }
        }
        deps.push(d);
    }
    let nodes: Vec<usize> = (0..ids.len()).collect();
    let order = topological_order(&nodes, |n| deps.get(n).cloned().unwrap_or_default());
    for id in order.cyclic.iter().filter_map(|&i| ids.get(i)) {
        problems.push(
            ErrorCode::SegmentCycle,
            &root.key(id).key("when"),
            format!("segment \"{id}\" depends on itself through other segments"),
        );
    }
    order.sorted
}

/// DESIGN: GrowthBook compares null as 0, so `{"$lt": 0.5}` holds for a
/// null trend. Warn where an order comparison would hold for null on a
/// signal that can be null, unless the same test has `"$ne": null`.
fn warn_null_comparisons(config: &Config, problems: &mut Problems) {
    let nullable: Vec<&str> = config.signals.iter().filter(|s| s.form.can_be_null()).map(|s| &*s.id).collect();
    for (cond, at, _) in conditions(config) {
        let mut fields = Vec::new();
        collect_fields(cond, &at, &mut fields);
        for (field, value, path) in fields {
            let Some(id) = field.strip_prefix("signals.") else { continue };
            let Json::Obj(ops) = value else { continue };
            if !nullable.contains(&id) || ops.get("$ne").is_some_and(Json::is_null) {
                continue;
            }
            for (op, operand) in ops.iter() {
                let Some(x) = operand.as_f64() else { continue };
                let holds_for_null = match op {
                    "$lt" => x > 0.0,
                    "$lte" => x >= 0.0,
                    "$gt" => x < 0.0,
                    "$gte" => x <= 0.0,
                    _ => false,
                };
                if holds_for_null {
                    problems.push(
                        ErrorCode::NullComparison,
                        &path.key(op),
                        format!(
                            "signals.{id} can be null, and null compares as 0, so {{\"{op}\": {}}} holds when it is null; add \"$ne\": null to exclude that", crate::json::Num(x)
                        ),
                    );
                }
            }
        }
    }
}

/// Stages after a catch-all stage can never be entered; experiences
/// whose `when` requires only such stages can never be shown.
fn warn_unreachable(config: &Config, problems: &mut Problems) {
    let root = JsonPath::root();
    let is_catch_all = |s: &StageDef| matches!(&s.when, Json::Obj(o) if o.is_empty());
    let first_catch_all = config.stages.iter().position(is_catch_all);
    match (first_catch_all, config.stages.len()) {
        (_, 0) => {}
        (None, _) => problems.push(
            ErrorCode::NoCatchAllStage,
            config.stages.last().map_or(&root, |s| &s.path),
            "the last stage is not the catch-all {}: a user no stage matches has no stage",
        ),
        (Some(c), _) => {
            let catch_all = config.stages.get(c).map_or("", |s| &*s.id);
            for s in config.stages.iter().skip(c + 1) {
                problems.push(
                    ErrorCode::UnreachableStage,
                    &s.path,
                    format!(
                        "stage \"{}\" comes after the catch-all stage \"{}\" and can never be entered",
                        s.id, catch_all
                    ),
                );
            }
        }
    }
    let reachable: Vec<&str> =
        config.stages.iter().take(first_catch_all.map_or(usize::MAX, |c| c + 1)).map(|s| &*s.id).collect();
    for e in &config.experiences {
        let Some(required) = required_stages(&e.when) else { continue };
        if !required.is_empty()
            && required.iter().all(|s| !reachable.contains(s))
            && required.iter().all(|s| config.stages.iter().any(|d| &*d.id == *s))
        {
            problems.push(
                ErrorCode::UnreachableExperience,
                &e.path.key("when"),
                format!("experience \"{}\" needs stage {} that no user can hold", e.id, required.join(" or ")),
            );
        }
    }
}

/// The stages a condition requires at its top level (`"stage": "x"`,
/// `{"$eq": "x"}` or `{"$in": [...]}`), when it is that simple.
pub(super) fn required_stages(cond: &Json) -> Option<Vec<&str>> {
    match cond.get("stage")? {
        Json::Str(s) => Some(vec![s]),
        Json::Obj(ops) => match (ops.get("$eq"), ops.get("$in")) {
            (Some(Json::Str(s)), _) => Some(vec![s]),
            (_, Some(Json::Arr(list))) => list.iter().map(Json::as_str).collect(),
            _ => None,
        },
        _ => None,
    }
}

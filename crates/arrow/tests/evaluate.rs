//! onstage-arrow against the core batch API (itself checked against
//! `simulate` in the core's tests/batch.rs): the same rows from the
//! shared saas timeline's events, any time column form, any threads;
//! bad rows and bad columns reported.
// Test code may unwrap, expect, panic and index: a failing test should panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use arrow_array::cast::AsArray;
use arrow_array::types::Float64Type;
use arrow_array::{
    Array, ArrayRef, BooleanArray, Int32Array, Int64Array, RecordBatch, StringArray, TimestampMicrosecondArray,
};
use onstage::batch::{Batch, Event, Identify, Table};
use onstage::json::{parse, Json};
use onstage::time::{format_rfc3339, parse_rfc3339, DAY};
use onstage_arrow::{Evaluator, SchemaError};
use std::sync::Arc;

const SHARED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/examples");

struct Ev {
    user: String,
    name: String,
    props: String,
    at: i64,
}

fn events() -> (Vec<Ev>, Vec<(String, String)>, i64) {
    let text = std::fs::read_to_string(format!("{SHARED}/timelines/saas.timeline.jsonl")).unwrap();
    let (mut out, mut ids, mut last) = (Vec::new(), Vec::new(), 0);
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let step = parse(line).unwrap();
        let user = step.get("user").and_then(Json::as_str).unwrap().to_string();
        let at = parse_rfc3339(step.get("at").and_then(Json::as_str).unwrap()).unwrap();
        last = last.max(at);
        if let Some(name) = step.get("track").and_then(Json::as_str) {
            let props = step.get("props").map_or("null".to_string(), Json::to_json_string);
            out.push(Ev { user, name: name.into(), props, at });
        } else if let Some(Json::Obj(o)) = step.get("identify") {
            if !ids.iter().any(|(u, _): &(String, String)| *u == user) {
                ids.push((user, Json::Obj(o.clone()).to_json_string()));
            }
        }
    }
    // Unsorted: reversed.
    out.reverse();
    (out, ids, last + DAY)
}

fn table(evs: &[Ev], text_times: bool) -> RecordBatch {
    let at: ArrayRef = if text_times {
        Arc::new(evs.iter().map(|e| Some(format_rfc3339(e.at))).collect::<StringArray>())
    } else {
        Arc::new(evs.iter().map(|e| Some(e.at * 1000)).collect::<TimestampMicrosecondArray>().with_timezone("UTC"))
    };
    RecordBatch::try_from_iter(vec![
        ("user", Arc::new(evs.iter().map(|e| Some(e.user.as_str())).collect::<StringArray>()) as ArrayRef),
        ("name", Arc::new(evs.iter().map(|e| Some(e.name.as_str())).collect::<StringArray>()) as ArrayRef),
        ("at", at),
        ("props", Arc::new(evs.iter().map(|e| Some(e.props.as_str())).collect::<StringArray>()) as ArrayRef),
    ])
    .unwrap()
}

fn identify_table(ids: &[(String, String)]) -> RecordBatch {
    let attributes: Vec<String> = ids
        .iter()
        .map(|(_, d)| parse(d).unwrap().get("attributes").map_or("null".into(), Json::to_json_string))
        .collect();
    let entitlements: Vec<String> = ids
        .iter()
        .map(|(_, d)| parse(d).unwrap().get("entitlements").map_or("null".into(), Json::to_json_string))
        .collect();
    let tz: Vec<Option<i32>> = ids
        .iter()
        .map(|(_, d)| parse(d).unwrap().get("tz_offset_minutes").and_then(Json::as_f64).map(|t| t as i32))
        .collect();
    RecordBatch::try_from_iter(vec![
        ("user", Arc::new(ids.iter().map(|(u, _)| Some(u.as_str())).collect::<StringArray>()) as ArrayRef),
        ("attributes", Arc::new(attributes.iter().map(|s| Some(s.as_str())).collect::<StringArray>()) as ArrayRef),
        ("entitlements", Arc::new(entitlements.iter().map(|s| Some(s.as_str())).collect::<StringArray>()) as ArrayRef),
        ("tz_offset_minutes", Arc::new(tz.into_iter().collect::<Int32Array>()) as ArrayRef),
    ])
    .unwrap()
}

fn evaluator() -> Evaluator {
    Evaluator::new(&std::fs::read_to_string(format!("{SHARED}/saas.json")).unwrap()).unwrap()
}

#[test]
fn rows_equal_the_core_batch_for_every_user_any_time_form_any_threads() {
    let (evs, ids, as_of) = events();
    let ev = evaluator();
    let (one, errors) = ev.evaluate(&[table(&evs, false)], &[identify_table(&ids)], as_of, 1).unwrap();
    assert!(errors.is_empty(), "{errors:?}");
    // Split in two batches, text times, two threads: the same output.
    let (a, b) = evs.split_at(evs.len() / 2);
    let (two, _) = ev.evaluate(&[table(a, true), table(b, true)], &[identify_table(&ids)], as_of, 2).unwrap();
    assert_eq!(one, two);
    assert_eq!(one.schema(), ev.output_schema());
    // From the config's compiled plan: the same table.
    let plan = Evaluator::new(&onstage::plan::write(ev.config())).unwrap();
    let (from_plan, _) = plan.evaluate(&[table(&evs, false)], &[identify_table(&ids)], as_of, 1).unwrap();
    assert_eq!(one, from_plan);
    // Each row against the core batch API.
    let batch = Batch::new(Arc::clone(ev.config()), as_of).unwrap();
    let users = one.column_by_name("user").unwrap().as_string::<i32>();
    let signals = one.column_by_name("signals").unwrap().as_struct();
    let stages = one.column_by_name("stage").unwrap().as_string::<i32>();
    assert!(users.len() > 5);
    for i in 0..users.len() {
        let user = users.value(i);
        let props: Vec<Json> = evs.iter().map(|e| parse(&e.props).unwrap()).collect();
        let mut mine: Vec<Event> = evs
            .iter()
            .zip(&props)
            .enumerate()
            .filter(|(_, (e, _))| e.user == user)
            .map(|(row, (e, p))| Event { row, name: &e.name, props: p, at: e.at })
            .collect();
        let identify = ids
            .iter()
            .enumerate()
            .find(|(_, (u, _))| u == user)
            .map(|(row, (_, d))| Identify { row, identity: onstage::Identity::from_json(&parse(d).unwrap()).unwrap() });
        let want = batch.evaluate(user, identify, &mut mine).row.unwrap();
        assert_eq!(want.stage.as_deref(), stages.is_valid(i).then(|| stages.value(i)), "{user}");
        for (s, v) in want.signals.iter().enumerate() {
            let col = signals.column(s).as_primitive::<Float64Type>();
            assert_eq!(*v, col.is_valid(i).then(|| col.value(i)), "{user} signal {s}");
        }
    }
}

#[test]
fn bad_rows_come_back_with_their_row_number() {
    let (mut evs, _, as_of) = events();
    evs.truncate(20);
    evs[3].props = "{not json".into();
    evs[7].name = String::new();
    evs[9].props = r#"{"a": {"b": 1}}"#.into();
    let mut batch = table(&evs, true);
    // Row 12's time is not RFC 3339.
    let mut times: Vec<String> = evs.iter().map(|e| format_rfc3339(e.at)).collect();
    times[12] = "yesterday".into();
    let cols: Vec<ArrayRef> = batch.columns().to_vec();
    let mut cols = cols;
    cols[2] = Arc::new(times.iter().map(|s| Some(s.as_str())).collect::<StringArray>());
    batch = RecordBatch::try_new(batch.schema(), cols).unwrap();
    let (out, errors) = evaluator().evaluate(&[batch], &[], as_of, 2).unwrap();
    let got: Vec<(Table, usize, &str)> = errors.iter().map(|e| (e.table, e.row, e.code.as_str())).collect();
    assert_eq!(
        got,
        [
            (Table::Events, 3, "bad_props"),
            (Table::Events, 7, "bad_event_name"),
            (Table::Events, 9, "bad_props"),
            (Table::Events, 12, "bad_time")
        ]
    );
    assert!(out.num_rows() >= 1);
}

#[test]
fn missing_unknown_and_mistyped_columns_are_refused_by_name() {
    let (evs, _, as_of) = events();
    let good = table(&evs[..3], false);
    let ev = evaluator();
    let without = good.project(&[0, 1, 3]).unwrap();
    let err = ev.evaluate(&[without], &[], as_of, 1).unwrap_err();
    assert!(matches!(&err, SchemaError::MissingColumn { column, .. } if column == "at"), "{err}");
    let extra = RecordBatch::try_from_iter(
        good.schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .zip(good.columns().iter().cloned())
            .chain([("timestamp".to_string(), good.column(2).clone())]),
    )
    .unwrap();
    let err = ev.evaluate(&[extra], &[], as_of, 1).unwrap_err();
    assert!(err.to_string().contains("unknown column \"timestamp\""), "{err}");
    let typed = RecordBatch::try_from_iter(vec![
        ("user", good.column(0).clone()),
        ("name", good.column(1).clone()),
        ("at", Arc::new(Int32Array::from(vec![1, 2, 3])) as ArrayRef),
    ])
    .unwrap();
    let err = ev.evaluate(&[typed], &[], as_of, 1).unwrap_err();
    assert_eq!(err.code(), onstage::ErrorCode::WrongType, "{err}");
}

/// One row of a sorted stream: an event (`Ok`, the index into the events)
/// or identify data (`Err`, the index into the identify rows).
fn stream_batch(evs: &[Ev], ids: &[(String, String)], rows: &[Result<usize, usize>]) -> RecordBatch {
    let field = |d: &str, key: &str| parse(d).unwrap().get(key).map(Json::to_json_string);
    let user = |r: &Result<usize, usize>| match r {
        Ok(e) => evs[*e].user.clone(),
        Err(i) => ids[*i].0.clone(),
    };
    let ev = |r: &Result<usize, usize>| r.as_ref().ok().map(|e| &evs[*e]);
    let id = |r: &Result<usize, usize>| r.as_ref().err().map(|i| &ids[*i].1);
    RecordBatch::try_from_iter(vec![
        ("user", Arc::new(rows.iter().map(|r| Some(user(r))).collect::<StringArray>()) as ArrayRef),
        ("name", Arc::new(rows.iter().map(|r| ev(r).map(|e| e.name.clone())).collect::<StringArray>()) as ArrayRef),
        ("at", Arc::new(rows.iter().map(|r| ev(r).map(|e| e.at * 1000)).collect::<TimestampMicrosecondArray>())),
        ("props", Arc::new(rows.iter().map(|r| ev(r).map(|e| e.props.clone())).collect::<StringArray>())),
        (
            "attributes",
            Arc::new(rows.iter().map(|r| id(r).and_then(|d| field(d, "attributes"))).collect::<StringArray>()),
        ),
        (
            "entitlements",
            Arc::new(rows.iter().map(|r| id(r).and_then(|d| field(d, "entitlements"))).collect::<StringArray>()),
        ),
        (
            "tz_offset_minutes",
            Arc::new(
                rows.iter()
                    .map(|r| {
                        id(r)
                            .and_then(|d| parse(d).unwrap().get("tz_offset_minutes").and_then(Json::as_f64))
                            .map(|t| t as i32)
                    })
                    .collect::<Int32Array>(),
            ),
        ),
        ("row", Arc::new(rows.iter().map(|r| Some(*r.as_ref().unwrap_or_else(|i| i) as i64)).collect::<Int64Array>())),
        ("identify", Arc::new(rows.iter().map(|r| Some(r.is_err())).collect::<BooleanArray>())),
    ])
    .unwrap()
}

#[test]
fn a_sorted_stream_fed_in_small_batches_gives_the_table_rows() {
    let (evs, ids, as_of) = events();
    let ev = evaluator();
    let (whole, errors) = ev.evaluate(&[table(&evs, false)], &[identify_table(&ids)], as_of, 1).unwrap();
    assert!(errors.is_empty(), "{errors:?}");
    // Sorted as the stream wants: user, identify first, time, row.
    let mut order: Vec<Result<usize, usize>> = (0..evs.len()).map(Ok).chain((0..ids.len()).map(Err)).collect();
    let key = |r: &Result<usize, usize>| match r {
        Ok(e) => (evs[*e].user.clone(), 1, evs[*e].at, *e),
        Err(i) => (ids[*i].0.clone(), 0, 0, *i),
    };
    order.sort_by_key(key);
    let mut stream = ev.stream(as_of).unwrap();
    let mut out = Vec::new();
    for chunk in order.chunks(5) {
        stream.feed(&stream_batch(&evs, &ids, chunk)).unwrap();
        let (rows, errors) = stream.take().unwrap();
        assert!(errors.is_empty(), "{errors:?}");
        out.push(rows);
    }
    let (rows, errors) = stream.finish().unwrap();
    assert!(errors.is_empty(), "{errors:?}");
    out.push(rows);
    // Users come out as they end: in order, each once, equal to the table's.
    let mut offset = 0;
    for rows in &out {
        assert_eq!(rows.schema(), ev.output_schema());
        assert_eq!(*rows, whole.slice(offset, rows.num_rows()));
        offset += rows.num_rows();
    }
    assert_eq!(offset, whole.num_rows());
}

#[test]
fn rows_out_of_the_stream_order_are_refused_with_their_row() {
    let (evs, ids, as_of) = events();
    let first = |u: &str| evs.iter().position(|e| e.user == u).unwrap();
    let mut users: Vec<&str> = evs.iter().map(|e| e.user.as_str()).collect();
    users.sort();
    users.dedup();
    let (a, b) = (users[0], users[1]);
    let id_a = ids.iter().position(|(u, _)| u == a).unwrap();
    // b's event, then a's identify and event (a sorts before b: refused),
    // then b's identify after its event, twice (refused: after the events).
    let rows = [Ok(first(b)), Err(id_a), Ok(first(a))];
    let mut stream = evaluator().stream(as_of).unwrap();
    stream.feed(&stream_batch(&evs, &ids, &rows)).unwrap();
    let (out, errors) = stream.finish().unwrap();
    let got: Vec<(Table, usize, &str)> = errors.iter().map(|e| (e.table, e.row, e.code.as_str())).collect();
    assert_eq!(got, [(Table::Events, first(a), "time_went_back"), (Table::Identify, id_a, "time_went_back")]);
    assert_eq!(out.num_rows(), 1);
    // A second identify row of a user, and one after its events.
    let mut stream = evaluator().stream(as_of).unwrap();
    stream.feed(&stream_batch(&evs, &ids, &[Err(id_a), Err(id_a), Ok(first(a)), Err(id_a)])).unwrap();
    let (out, errors) = stream.finish().unwrap();
    let got: Vec<(Table, usize, &str)> = errors.iter().map(|e| (e.table, e.row, e.code.as_str())).collect();
    assert_eq!(got, [(Table::Identify, id_a, "duplicate_id"), (Table::Identify, id_a, "duplicate_id")]);
    assert_eq!(out.num_rows(), 1);
}

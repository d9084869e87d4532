//! `onstage batch` against `onstage simulate`: a seeded population (drawn
//! from the shared saas timeline's events and identify data) and the
//! shared timelines' own users, in JSON Lines, CSV and Parquet, give for
//! every user the fields of the decide line of the timeline the batch
//! rule describes; 1 and 2 threads write the same bytes; bad rows come
//! back with their row numbers (exit 1); unreadable files exit 2.
// Test code may unwrap, expect, panic and index: a failing test should panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use arrow_array::{ArrayRef, RecordBatch, StringArray};
use onstage::json::{parse, Json};
use onstage::time::{format_rfc3339, parse_rfc3339, DAY};
use std::collections::BTreeMap;
use std::sync::Arc;
use support::{run, temp};

mod support;

const SHARED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/examples");

#[derive(Clone)]
struct Ev {
    user: String,
    name: String,
    at: i64,
    props: Json,
}

/// Events and identify data of a shared timeline, and its last time.
fn shared(timeline: &str) -> (Vec<Ev>, BTreeMap<String, Json>, i64) {
    let text = std::fs::read_to_string(format!("{SHARED}/{timeline}")).unwrap();
    let (mut evs, mut ids, mut last) = (Vec::new(), BTreeMap::new(), 0);
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let step = parse(line).unwrap();
        let user = step.get("user").and_then(Json::as_str).unwrap().to_string();
        let at = parse_rfc3339(step.get("at").and_then(Json::as_str).unwrap()).unwrap();
        last = last.max(at);
        if let Some(name) = step.get("track").and_then(Json::as_str) {
            evs.push(Ev { user, name: name.into(), at, props: step.get("props").cloned().unwrap_or(Json::Null) });
        } else if let Some(data) = step.get("identify") {
            ids.entry(user).or_insert(data.clone());
        }
    }
    (evs, ids, last)
}

/// A seeded population: 30 users, 0 to 60 events each over 30 days, shuffled.
fn generated(seed: u64) -> (Vec<Ev>, BTreeMap<String, Json>, i64) {
    let (source, ids, last) = shared("timelines/saas.timeline.jsonl");
    let ids: Vec<Json> = ids.into_values().collect();
    let mut s = seed;
    let mut next = move || {
        s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (s >> 33) as usize
    };
    let as_of = last + DAY;
    let (mut evs, mut identify) = (Vec::new(), BTreeMap::new());
    for u in 0..30 {
        let user = format!("p{u:02}");
        if next() % 3 != 0 {
            identify.insert(user.clone(), ids[next() % ids.len()].clone());
        }
        let mut at = as_of - 30 * DAY + (next() % 1000) as i64 * 60_000;
        for _ in 0..next() % 61 {
            let e = &source[next() % source.len()];
            at += (next() % 20_000_000) as i64;
            evs.push(Ev { user: user.clone(), name: e.name.clone(), at, props: e.props.clone() });
        }
    }
    for i in (1..evs.len()).rev() {
        evs.swap(i, next() % (i + 1));
    }
    (evs, identify, as_of)
}

fn jsonl(evs: &[Ev]) -> String {
    evs.iter()
        .map(|e| {
            format!(
                r#"{{"user":{},"name":{},"at":"{}","props":{}}}"#,
                Json::str(&e.user),
                Json::str(&e.name),
                format_rfc3339(e.at),
                e.props
            ) + "\n"
        })
        .collect()
}

fn csv_cell(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

fn csv(evs: &[Ev]) -> String {
    let mut out = "user,name,at,props\n".to_string();
    for e in evs {
        let props = if e.props.is_null() { String::new() } else { csv_cell(&e.props.to_json_string()) };
        out += &format!("{},{},{},{props}\n", csv_cell(&e.user), csv_cell(&e.name), format_rfc3339(e.at));
    }
    out
}

fn parquet(evs: &[Ev]) -> Vec<u8> {
    let col = |f: &dyn Fn(&Ev) -> Option<String>| Arc::new(evs.iter().map(f).collect::<StringArray>()) as ArrayRef;
    let batch = RecordBatch::try_from_iter(vec![
        ("user", col(&|e| Some(e.user.clone()))),
        ("name", col(&|e| Some(e.name.clone()))),
        (
            "at",
            Arc::new(evs.iter().map(|e| Some(e.at)).collect::<arrow_array::TimestampMillisecondArray>()) as ArrayRef,
        ),
        ("props", col(&|e| (!e.props.is_null()).then(|| e.props.to_json_string()))),
    ])
    .unwrap();
    let mut out = Vec::new();
    let mut w = parquet::arrow::ArrowWriter::try_new(&mut out, batch.schema(), None).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
    out
}

fn identify_jsonl(ids: &BTreeMap<String, Json>) -> String {
    ids.iter()
        .map(|(u, d)| {
            let mut o = d.as_obj().unwrap().clone();
            o.insert("user", Json::str(u));
            Json::Obj(o).to_json_string() + "\n"
        })
        .collect()
}

/// The rule's timeline for every user, replayed by `onstage simulate`.
fn simulate(config: &str, evs: &[Ev], ids: &BTreeMap<String, Json>, as_of: i64) -> BTreeMap<String, Json> {
    let mut by_user: BTreeMap<&str, Vec<(i64, usize)>> = BTreeMap::new();
    for (row, e) in evs.iter().enumerate() {
        let list = by_user.entry(&e.user).or_default();
        if e.at <= as_of {
            list.push((e.at, row));
        }
    }
    for u in ids.keys() {
        by_user.entry(u).or_default();
    }
    let mut text = String::new();
    for (user, mut list) in by_user {
        list.sort();
        let u = Json::str(user);
        if let Some(data) = ids.get(user) {
            let at = list.first().map_or(as_of, |(t, _)| *t);
            text += &format!("{{\"user\":{u},\"at\":\"{}\",\"identify\":{data}}}\n", format_rfc3339(at));
        }
        for (at, row) in list {
            let e = &evs[row];
            text += &format!(
                "{{\"user\":{u},\"at\":\"{}\",\"track\":{},\"props\":{}}}\n",
                format_rfc3339(at),
                Json::str(&e.name),
                e.props
            );
        }
        text += &format!("{{\"user\":{u},\"at\":\"{}\",\"decide\":\"*\"}}\n", format_rfc3339(as_of));
    }
    let (code, out, err) = run(&["simulate", config, &temp("t.jsonl", text.as_bytes()), "--no-reasons"]);
    assert_eq!(code, 0, "{err}");
    out.lines()
        .map(|l| {
            let line = parse(l).unwrap();
            (line.get("user").and_then(Json::as_str).unwrap().to_string(), line)
        })
        .collect()
}

fn assert_same(what: &str, batch_out: &str, expected: &BTreeMap<String, Json>) {
    let rows: Vec<Json> = batch_out.lines().map(|l| parse(l).unwrap()).collect();
    let users: Vec<&str> = rows.iter().map(|r| r.get("user").and_then(Json::as_str).unwrap()).collect();
    assert_eq!(users, expected.keys().map(String::as_str).collect::<Vec<_>>(), "{what}: one row per user, sorted");
    for row in &rows {
        let user = row.get("user").and_then(Json::as_str).unwrap();
        let want = &expected[user];
        for key in ["stage", "segments", "signals"] {
            assert_eq!(row.get(key), want.get(key), "{what}: {user} {key}");
        }
        for (slot, d) in want.get("decisions").and_then(Json::as_obj).unwrap().iter() {
            let have = row.get("decisions").and_then(|x| x.get(slot)).unwrap();
            for key in ["experience", "step", "variation", "holdout"] {
                assert_eq!(have.get(key), d.get(key), "{what}: {user} {slot}.{key}");
            }
        }
    }
}

#[test]
fn every_input_format_evaluates_as_simulate_replays_each_user() {
    let config = format!("{SHARED}/saas.json");
    let (evs, ids, as_of) = generated(7);
    let expected = simulate(&config, &evs, &ids, as_of);
    let identify = temp("identify.jsonl", identify_jsonl(&ids).as_bytes());
    let as_of_text = format_rfc3339(as_of);
    let inputs = [
        temp("events.jsonl", jsonl(&evs).as_bytes()),
        temp("events.csv", csv(&evs).as_bytes()),
        temp("events.parquet", parquet(&evs)),
    ];
    let mut outputs = Vec::new();
    for input in &inputs {
        for threads in ["1", "2"] {
            let (code, out, err) =
                run(&["batch", &config, input, "--as-of", &as_of_text, "--identify", &identify, "--threads", threads]);
            assert_eq!(code, 0, "{input}: {err}");
            assert_same(input, &out, &expected);
            outputs.push(out);
        }
    }
    assert!(outputs.windows(2).all(|w| w[0] == w[1]), "the same bytes for every format and thread count");
    // Parquet out, read back in JSON Lines form by nothing else than its own rows count.
    let out = temp("rows.parquet", b"");
    let (code, _, err) = run(&["batch", &config, &inputs[0], "--as-of", &as_of_text, "--out", &out]);
    assert_eq!(code, 0, "{err}");
    let file = std::fs::File::open(&out).unwrap();
    let rows: usize = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file)
        .unwrap()
        .build()
        .unwrap()
        .map(|b| b.unwrap().num_rows())
        .sum();
    assert_eq!(rows, evs.iter().map(|e| &e.user).collect::<std::collections::BTreeSet<_>>().len());
}

#[test]
fn the_shared_timelines_users_evaluate_as_simulate_replays_them() {
    for (config, timeline) in [
        ("saas.json", "timelines/saas.timeline.jsonl"),
        ("timelines/policy.config.json", "timelines/policy.timeline.jsonl"),
        ("timelines/tours.config.json", "timelines/tours.timeline.jsonl"),
    ] {
        let config = format!("{SHARED}/{config}");
        let (evs, ids, last) = shared(timeline);
        let expected = simulate(&config, &evs, &ids, last);
        let events = temp("events.jsonl", jsonl(&evs).as_bytes());
        let identify = temp("identify.jsonl", identify_jsonl(&ids).as_bytes());
        let (code, out, err) =
            run(&["batch", &config, &events, "--as-of", &format_rfc3339(last), "--identify", &identify]);
        assert_eq!(code, 0, "{timeline}: {err}");
        assert_same(timeline, &out, &expected);
    }
}

#[test]
fn bad_rows_are_reported_with_their_row_number_and_exit_1() {
    let config = format!("{SHARED}/saas.json");
    let text = [
        r#"{"user":"a","name":"report_created","at":"2026-03-04T12:00:00Z"}"#,
        r#"{"user":"a","name":"report_created","at":"yesterday"}"#,
        r#"not json"#,
        r#"{"user":"a","name":"","at":"2026-03-04T12:00:00Z"}"#,
        r#"{"user":"b","name":"x","at":"2026-03-04T12:00:00Z","props":{"deep":{"a":1}}}"#,
        r#"{"user":"b","name":"x","at":"2026-03-04T12:00:00Z","props":"{bad"}"#,
    ]
    .join("\n");
    let events = temp("events.jsonl", text.as_bytes());
    let (code, out, err) = run(&["batch", &config, &events, "--as-of", "2026-03-05T00:00:00Z"]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(out.lines().count(), 2, "users a and b still evaluate: {out}");
    for (row, code) in [(1, "bad_time"), (2, "invalid_json"), (3, "bad_event_name"), (4, "bad_props"), (5, "bad_props")]
    {
        assert!(err.contains(&format!("row {row}: ")) && err.contains(code), "row {row} {code}: {err}");
    }
    assert!(!err.contains("row 0:"), "{err}");
    // CSV: row numbers count records after the header.
    let csv = "user,name,at\na,report_created,2026-03-04T12:00:00Z\na,report_created,never\n";
    let (code, _, err) = run(&["batch", &config, &temp("e.csv", csv.as_bytes()), "--as-of", "2026-03-05T00:00:00Z"]);
    assert_eq!(code, 1);
    assert!(err.contains("row 1: at:"), "{err}");
}

#[test]
fn columns_and_files_that_cannot_be_read_are_refused() {
    let config = format!("{SHARED}/saas.json");
    let csv = "user,name,when\na,x,2026-03-04T12:00:00Z\n";
    let (code, _, err) = run(&["batch", &config, &temp("e.csv", csv.as_bytes()), "--as-of", "2026-03-05T00:00:00Z"]);
    assert_eq!(code, 1);
    assert!(err.contains("unknown column \"when\""), "{err}");
    let (code, _, err) = run(&["batch", &config, "/nonexistent/e.csv", "--as-of", "2026-03-05T00:00:00Z"]);
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = run(&["batch", &config, &temp("e.txt", b""), "--as-of", "2026-03-05T00:00:00Z"]);
    assert_eq!(code, 2, "{err}");
    let (code, _, _) = run(&["batch", &config, &temp("e.csv", csv.as_bytes()), "--as-of", "soon"]);
    assert_eq!(code, 2);
}

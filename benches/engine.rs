//! Criterion benches of the engine's hot paths, natively (`cargo bench
//! --bench engine`): compiling saas.json, one track into a 10,000-event
//! history, evaluate, decide (all slots, with and without reasons),
//! tours (track, decide and advanced on the shared tours config, against
//! the same config with its tours as plain prompts), and export/restore of
//! a heavy user's state. The browser figures come from
//! `npm run bench`.
// Test code may unwrap, expect, panic and index: a failing test should panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

#[cfg(not(target_arch = "wasm32"))]
mod common;

#[cfg(not(target_arch = "wasm32"))]
mod benches {
    use crate::common::*;
    use criterion::{BenchmarkId, Criterion, Throughput};
    use onstage::engine::Slots;
    use onstage::Engine;
    use std::hint::black_box;
    use std::sync::Arc;

    pub fn compile(c: &mut Criterion) {
        let text = config_text();
        let doc = onstage::json::parse(&text).unwrap();
        c.bench_function("compile saas.json (parsed)", |b| b.iter(|| onstage::compile(black_box(&doc)).unwrap()));
        c.bench_function("compile saas.json (text)", |b| {
            b.iter(|| onstage::config::compile_text(black_box(&text)).unwrap())
        });
    }

    fn sizes() -> Vec<usize> {
        if full_run() {
            vec![100, 1_000, 10_000]
        } else {
            vec![100]
        }
    }

    pub fn hot_paths(c: &mut Criterion) {
        let config = config();
        let live = live_events(SEED + 1, 4096);
        for size in sizes() {
            let events = history(SEED, size, 90, END);
            let mut group = c.benchmark_group(format!("engine/{size} events"));
            let mut engine = loaded_engine(&config, "bench", &events);
            group.bench_function("evaluate", |b| b.iter(|| black_box(engine.evaluate(END).unwrap().signals.len())));
            group.bench_function("decide(all slots)", |b| {
                b.iter(|| black_box(engine.decide(Slots::All, END, false).unwrap().slots.len()))
            });
            group.bench_function("decide(all slots, reasons)", |b| {
                b.iter(|| black_box(engine.decide(Slots::All, END, true).unwrap().slots.len()))
            });
            // New events 1 ms apart after the history (a session), one per iteration.
            let mut now = END;
            let mut k = 0usize;
            group.bench_function("track", |b| {
                b.iter(|| {
                    let (name, props) = &live[k & 4095];
                    k += 1;
                    now += 1;
                    engine.track(name, props, None, now).unwrap();
                })
            });
            group.finish();
        }
    }

    /// Tours: what checking every step's `done` after each step costs, on
    /// the shared tours config (three tours, 12 steps, 9 `done`s), against
    /// the same steps on a copy of it whose tours are plain prompts.
    pub fn tours(c: &mut Criterion) {
        let tours_text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/examples/timelines/tours.config.json"
        ))
        .unwrap();
        let plain_text =
            tours_text.replace(r#""kind": "tour""#, r#""kind": "walkthrough""#).replace(r#""steps""#, r#""unused""#);
        let mut plain_doc = onstage::json::parse(&plain_text).unwrap();
        if let onstage::json::Json::Obj(root) = &mut plain_doc {
            if let Some(onstage::json::Json::Arr(list)) = root.get_mut("experiences") {
                for e in list {
                    if let onstage::json::Json::Obj(o) = e {
                        o.remove("unused");
                    }
                }
            }
        }
        let configs = [
            ("tours", Arc::new(onstage::config::compile_text(&tours_text).unwrap().config)),
            ("tours as plain prompts", Arc::new(onstage::compile(&plain_doc).unwrap().config)),
        ];
        let names = ["project_created", "dashboard_viewed", "filter_applied", "search", "report_created"];
        for (label, config) in configs {
            let mut group = c.benchmark_group(format!("engine/{label}"));
            let mut engine = Engine::new(Arc::clone(&config), "bench").unwrap();
            engine.identify(identity(), END).unwrap();
            let mut now = END;
            let mut k = 0usize;
            let empty = onstage::json::Json::Null;
            group.bench_function("track", |b| {
                b.iter(|| {
                    k += 1;
                    now += 1;
                    engine.track(names[k % names.len()], &empty, None, now).unwrap();
                })
            });
            group.bench_function("decide(all slots), each at a new millisecond", |b| {
                b.iter(|| {
                    now += 1;
                    black_box(engine.decide(Slots::All, now, false).unwrap().slots.len())
                })
            });
            if label == "tours" {
                group.bench_function("advanced (a step completed already)", |b| {
                    b.iter(|| {
                        now += 1;
                        black_box(engine.advance("reports_tour", "build", now).unwrap())
                    })
                });
            }
            group.finish();
        }
    }

    pub fn persistence(c: &mut Criterion) {
        let config = config();
        // A heavy user: about 200 events a day for 90 days.
        let count = if full_run() { 18_000 } else { 500 };
        let events = history(SEED + 7, count, 90, END);
        let engine = loaded_engine(&config, "heavy-user", &events);
        let state = engine.export_state();
        let text = state.to_json_string();
        let mut group = c.benchmark_group(format!("state/heavy user ({count} events)"));
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function("export_state", |b| b.iter(|| black_box(engine.export_state())));
        group.bench_function("export_state + to_json_string", |b| {
            b.iter(|| black_box(engine.export_state().to_json_string()))
        });
        group.bench_function("restore", |b| {
            b.iter(|| black_box(Engine::restore(Arc::clone(&config), "heavy-user", black_box(&state)).unwrap()))
        });
        group.bench_with_input(BenchmarkId::new("parse + restore", text.len()), &text, |b, text| {
            b.iter(|| {
                let doc = onstage::json::parse(text).unwrap();
                black_box(Engine::restore(Arc::clone(&config), "heavy-user", &doc).unwrap())
            })
        });
        group.finish();
    }
}

#[cfg(not(target_arch = "wasm32"))]
criterion::criterion_group!(engine, benches::compile, benches::hot_paths, benches::tours, benches::persistence);
#[cfg(not(target_arch = "wasm32"))]
criterion::criterion_main!(engine);

#[cfg(target_arch = "wasm32")]
fn main() {}

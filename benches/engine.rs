//! Criterion benches of the engine's hot paths, natively (`cargo bench
//! --bench engine`): compiling saas.json, one track into a 10,000-event
//! history, evaluate, decide (all slots, with and without reasons), and
//! export/restore of a heavy user's state. The browser figures come from
//! `npm run bench`.

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
criterion::criterion_group!(engine, benches::compile, benches::hot_paths, benches::persistence);
#[cfg(not(target_arch = "wasm32"))]
criterion::criterion_main!(engine);

#[cfg(target_arch = "wasm32")]
fn main() {}

//! Criterion bench of `onstage simulate` throughput (`cargo bench --bench
//! simulate`): a generated timeline of 1,000 users interleaved in time
//! order, 1,000 tracks each (about 1 million) with a decide of every slot
//! after every 25th, replayed single-threaded in memory without reasons
//! into a sink. Throughput is in track steps (events) per second; the time
//! covers every step, JSON parsing of each line and the decide lines
//! written. `npm run bench` measures the CLI itself on the same shape of
//! timeline.
// Test code may unwrap, expect, panic and index: a failing test should panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

#[cfg(not(target_arch = "wasm32"))]
mod common;

#[cfg(not(target_arch = "wasm32"))]
mod benches {
    use crate::common::*;
    use criterion::{Criterion, Throughput};
    use onstage::json::{Json, Obj};
    use onstage::simulate::{simulate, Options};
    use std::time::Duration;

    const TZS: [i32; 7] = [0, 60, -300, 330, 540, -480, 120];

    fn iso(t: i64) -> String {
        onstage::time::format_rfc3339(t)
    }

    /// The timeline as JSON Lines, and its number of track steps.
    pub fn timeline(users: usize, per_user: usize, decide_every: usize) -> (Vec<u8>, usize) {
        let mut steps: Vec<(i64, usize, usize, String)> =
            Vec::with_capacity(users * (per_user + per_user / decide_every + 1));
        for u in 0..users {
            let user = format!("u{u:05}");
            let events = history(0x5eed_0000 + u as u32, per_user, 90, END);
            let first = events[0].t - MINUTE;
            let mut attributes = Obj::new();
            attributes.insert("id", Json::from(user.as_str()));
            attributes.insert("role", Json::from(if u % 3 == 0 { "owner" } else { "member" }));
            let entitlements = onstage::json::parse(&format!(
                r#"{{"limits":{{"api_units":{}}},"seats_active":{},"seats_licensed":10}}"#,
                2000 + (u % 7) * 1000,
                3 + u % 9
            ))
            .unwrap();
            let mut identify = Obj::new();
            identify.insert("attributes", Json::Obj(attributes));
            identify.insert("entitlements", entitlements);
            identify.insert("tz_offset_minutes", Json::Num(f64::from(TZS[u % TZS.len()])));
            let mut line = Obj::new();
            line.insert("user", Json::from(user.as_str()));
            line.insert("at", Json::from(iso(first)));
            line.insert("identify", Json::Obj(identify));
            steps.push((first, u, 0, Json::Obj(line).to_json_string()));
            for (i, e) in events.iter().enumerate() {
                let mut line = Obj::new();
                line.insert("user", Json::from(user.as_str()));
                line.insert("at", Json::from(iso(e.t)));
                line.insert("track", Json::from(e.name));
                if !e.props.is_null() {
                    line.insert("props", e.props.clone());
                }
                steps.push((e.t, u, 2 * i + 1, Json::Obj(line).to_json_string()));
                if (i + 1) % decide_every == 0 {
                    let mut line = Obj::new();
                    line.insert("user", Json::from(user.as_str()));
                    line.insert("at", Json::from(iso(e.t)));
                    line.insert("decide", Json::from("*"));
                    steps.push((e.t, u, 2 * i + 2, Json::Obj(line).to_json_string()));
                }
            }
        }
        steps.sort_by_key(|s| (s.0, s.1, s.2));
        let mut out = Vec::with_capacity(steps.iter().map(|s| s.3.len() + 1).sum());
        for (_, _, _, line) in steps {
            out.extend_from_slice(line.as_bytes());
            out.push(b'\n');
        }
        (out, users * per_user)
    }

    pub fn throughput(c: &mut Criterion) {
        let full = full_run();
        let (users, per_user) = if full { (1000, 1000) } else { (10, 100) };
        let (text, events) = timeline(users, per_user, 25);
        let config = config();
        let mut group = c.benchmark_group("simulate");
        group.throughput(Throughput::Elements(events as u64));
        if full {
            group.sample_size(10).measurement_time(Duration::from_secs(60)).warm_up_time(Duration::from_secs(5));
        }
        group.bench_function(format!("{users} users x {per_user} events, --no-reasons"), |b| {
            b.iter(|| {
                let stats = simulate(
                    std::sync::Arc::clone(&config),
                    &text[..],
                    std::io::sink(),
                    Options { reasons: false, ..Options::default() },
                )
                .unwrap();
                assert_eq!(stats.events, events);
                stats
            })
        });
        group.finish();
    }
}

#[cfg(not(target_arch = "wasm32"))]
criterion::criterion_group!(simulate, benches::throughput);
#[cfg(not(target_arch = "wasm32"))]
criterion::criterion_main!(simulate);

#[cfg(target_arch = "wasm32")]
fn main() {}

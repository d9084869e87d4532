//! Shared by the criterion benches: saas.json and deterministic event
//! histories in the shape of `bench/lib/events.mjs` (same PRNG, mulberry32,
//! and the same mix: set-up events early, page views and reports frequent,
//! weekdays busy, working hours), so native and browser figures describe
//! the same kind of user.
#![allow(dead_code)]

use onstage::engine::Identity;
use onstage::json::{Json, Obj};
use onstage::{CompiledConfig, Engine};
use std::sync::Arc;

pub const MINUTE: i64 = 60_000;
pub const HOUR: i64 = 60 * MINUTE;
pub const DAY: i64 = 24 * HOUR;
/// 2026-03-02T15:30:00Z, a Monday afternoon (as `BENCH_END` in events.mjs).
pub const END: i64 = 1_772_465_400_000;
pub const SEED: u32 = 0x00a5_7a6e;

/// True under `cargo bench`; false when `cargo test --all-targets` runs the
/// benches once as tests (unoptimised): then the inputs are kept small.
pub fn full_run() -> bool {
    std::env::args().any(|a| a == "--bench")
}

/// saas.json: the shared reference beside the repository, else the demo's
/// byte-identical copy.
pub fn config_text() -> String {
    let root = env!("CARGO_MANIFEST_DIR");
    let shared = format!("{root}/../shared/examples/saas.json");
    std::fs::read_to_string(&shared)
        .or_else(|_| std::fs::read_to_string(format!("{root}/www/saas.json")))
        .expect("saas.json: neither ../shared/examples/saas.json nor www/saas.json")
}

pub fn config() -> Arc<CompiledConfig> {
    Arc::new(onstage::config::compile_text(&config_text()).expect("saas.json compiles").config)
}

pub struct Mulberry32(u32);

impl Mulberry32 {
    pub fn new(seed: u32) -> Self {
        Mulberry32(seed)
    }

    pub fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x6d2b_79f5);
        let mut t = self.0;
        t = (t ^ (t >> 15)).wrapping_mul(t | 1);
        t ^= t.wrapping_add((t ^ (t >> 7)).wrapping_mul(t | 61));
        f64::from(t ^ (t >> 14)) / 4_294_967_296.0
    }

    fn pick<'a>(&mut self, list: &[&'a str]) -> &'a str {
        list[(self.next() * list.len() as f64) as usize]
    }
}

const PROVIDERS: &[&str] = &["slack", "github", "salesforce", "hubspot", "jira", "snowflake", "bigquery", "zendesk"];
const FEATURES: &[&str] =
    &["filters", "alerts", "exports", "annotations", "forecasts", "templates", "sql_editor", "embeds"];
const PATHS: &[&str] = &[
    "/home",
    "/reports",
    "/reports/123",
    "/dashboards",
    "/dashboards/7",
    "/settings",
    "/integrations",
    "/automations",
    "/billing",
    "/team",
];
const AUDIENCES: &[&str] = &["private", "team", "team", "public"];
const MIX: &[(&str, f64)] = &[
    ("page_view", 40.0),
    ("report_created", 14.0),
    ("feature_used", 10.0),
    ("api_call", 10.0),
    ("automation_run", 8.0),
    ("dashboard_shared", 7.0),
    ("premium_feature_blocked", 2.0),
    ("integration_connected", 1.0),
    ("teammate_invited", 1.0),
    ("nps_submitted", 0.5),
];

#[derive(Clone, Debug)]
pub struct Event {
    pub t: i64,
    pub name: &'static str,
    pub props: Json,
}

fn one(key: &str, value: Json) -> Json {
    let mut o = Obj::new();
    o.insert(key, value);
    Json::Obj(o)
}

fn props_for(name: &str, r: &mut Mulberry32) -> Json {
    match name {
        "integration_connected" => one("provider", Json::from(r.pick(PROVIDERS))),
        "dashboard_shared" => one("audience", Json::from(r.pick(AUDIENCES))),
        "feature_used" => {
            let i = (r.next() * r.next() * FEATURES.len() as f64) as usize;
            one("feature", Json::from(FEATURES[i]))
        }
        "api_call" => one("units", Json::Num(1.0 + (r.next() * 50.0).floor())),
        "nps_submitted" => {
            let x = r.next();
            let score = if x < 0.45 {
                9.0 + (r.next() * 2.0).floor()
            } else if x < 0.8 {
                7.0 + (r.next() * 2.0).floor()
            } else {
                (r.next() * 7.0).floor()
            };
            one("score", Json::Num(score))
        }
        "page_view" => one("path", Json::from(r.pick(PATHS))),
        _ => Json::Null,
    }
}

fn mix_name(r: &mut Mulberry32) -> &'static str {
    let total: f64 = MIX.iter().map(|(_, w)| w).sum();
    let mut x = r.next() * total;
    for (name, w) in MIX {
        x -= w;
        if x < 0.0 {
            return name;
        }
    }
    "page_view"
}

/// One user's history: `count` events over `days` days ending at `end`, sorted.
pub fn history(seed: u32, count: usize, days: i64, end: i64) -> Vec<Event> {
    let mut r = Mulberry32::new(seed);
    let start = end - days * DAY;
    let mut events = Vec::with_capacity(count);
    let setup: [(i64, &'static str); 6] = [
        (5 * MINUTE, "workspace_created"),
        (40 * MINUTE, "integration_connected"),
        (3 * HOUR, "report_created"),
        (DAY + 2 * HOUR, "teammate_invited"),
        (2 * DAY + 5 * HOUR, "integration_connected"),
        (4 * DAY + HOUR, "teammate_invited"),
    ];
    let setup_props: Vec<Json> = setup
        .iter()
        .map(|(_, name)| if *name == "integration_connected" { props_for(name, &mut r) } else { Json::Null })
        .collect();
    for ((offset, name), props) in setup.iter().zip(setup_props).take(setup.len().min(count.div_ceil(10))) {
        let t = start + offset + (r.next() * 10.0 * MINUTE as f64).floor() as i64;
        events.push(Event { t, name, props });
    }
    let mut weights = Vec::with_capacity(days as usize);
    for d in 0..days {
        // 1970-01-01 was a Thursday (4).
        let dow = ((start + d * DAY).div_euclid(DAY) + 4).rem_euclid(7);
        let weekend = dow == 0 || dow == 6;
        let drift = 0.6 + 0.8 * ((d as f64 / days as f64) * std::f64::consts::PI * 1.3).sin().abs();
        weights.push(if weekend { 0.2 } else { 1.0 } * drift * (0.5 + r.next()));
    }
    let total: f64 = weights.iter().sum();
    let mut acc = 0.0;
    let cumulative: Vec<f64> = weights
        .iter()
        .map(|w| {
            acc += w / total;
            acc
        })
        .collect();
    let last_ok = end - MINUTE;
    while events.len() < count {
        let x = r.next();
        let mut d = 0usize;
        while d < days as usize - 1 && cumulative[d] < x {
            d += 1;
        }
        let hour = if r.next() < 0.9 { 8.0 + r.next() * 11.0 } else { 19.0 + r.next() * 4.0 };
        let mut t = start + d as i64 * DAY + (hour * HOUR as f64).floor() as i64;
        if t <= start + MINUTE {
            t = start + MINUTE + (r.next() * HOUR as f64).floor() as i64;
        }
        if t > last_ok {
            t = last_ok - (r.next() * 6.0 * HOUR as f64).floor() as i64;
        }
        let name = mix_name(&mut r);
        let props = props_for(name, &mut r);
        events.push(Event { t, name, props });
    }
    events.sort_by_key(|e| e.t);
    events
}

/// New events (names and props) for timing `track`.
pub fn live_events(seed: u32, count: usize) -> Vec<(&'static str, Json)> {
    let mut r = Mulberry32::new(seed);
    (0..count)
        .map(|_| {
            let name = mix_name(&mut r);
            (name, props_for(name, &mut r))
        })
        .collect()
}

pub fn identity() -> Identity {
    Identity {
        attributes: Some(
            onstage::json::parse(r#"{"id":"user-4711","role":"owner","plan":"team","country":"DE"}"#).unwrap(),
        ),
        entitlements: Some(
            onstage::json::parse(r#"{"limits":{"api_units":6000},"seats_active":8,"seats_licensed":10}"#).unwrap(),
        ),
        tz_offset_minutes: Some(0),
    }
}

/// An engine holding `events` (tracked at their own times), last step at `END`.
pub fn loaded_engine(config: &Arc<CompiledConfig>, user: &str, events: &[Event]) -> Engine {
    let mut engine = Engine::new(Arc::clone(config), user).unwrap();
    engine.identify(identity(), events.first().map_or(END, |e| e.t)).unwrap();
    for e in events {
        engine.track(e.name, &e.props, None, e.t).unwrap();
    }
    engine.evaluate(END).unwrap();
    engine
}

//! Evaluating a compiled condition is on the hot path of every decision:
//! for the common operators on scalar values it must not allocate.
#![cfg(not(target_arch = "wasm32"))]

use onstage::condition::{CompileEnv, Condition, PlainDoc, PlainResolver};
use onstage::json::{self, Obj};
use onstage::problem::{JsonPath, Problems};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

/// Counts the allocations of the thread that asked for counting.
struct CountingAllocator;

thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = COUNTING.try_with(|counting| {
            if counting.get() {
                let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
            }
        });
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `alloc` above, i.e. from the system allocator.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

fn allocations_during(f: impl FnOnce()) -> usize {
    ALLOCATIONS.with(|n| n.set(0));
    COUNTING.with(|c| c.set(true));
    f();
    COUNTING.with(|c| c.set(false));
    ALLOCATIONS.with(Cell::get)
}

#[test]
fn evaluation_does_not_allocate() {
    let condition = json::parse(
        r#"{
        "signals.reports_7d": {"$gte": 3, "$lt": 100},
        "signals.trend": {"$lt": 0.5, "$ne": null},
        "attributes.role": {"$in": ["owner", "admin"]},
        "attributes.tags": {"$ini": ["BETA"], "$all": ["beta"], "$size": {"$gt": 0}},
        "attributes.plan": "pro",
        "attributes.seats": "10",
        "attributes.email": {"$regex": "@example\\.com$", "$exists": true},
        "attributes.version": {"$vgte": "1.2.0"},
        "attributes.age": {"$gt": "18", "$type": "number"},
        "attributes.nested": {"a": [1, 2]},
        "attributes.projects": {"$elemMatch": {"name": {"$regexi": "^demo"}, "size": {"$gte": 2}}},
        "$or": [{"attributes.country": "FR"}, {"$not": {"attributes.blocked": true}}],
        "$nor": [{"attributes.plan": {"$nin": ["pro", "team"]}}]
    }"#,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let doc = json::parse(
        r#"{
        "signals": {"reports_7d": 5, "trend": 0.25},
        "attributes": {"role": "admin", "tags": ["x", "Beta", "beta"], "plan": "pro", "seats": 10,
            "email": "a@example.com", "version": "v1.10.0", "age": 30, "nested": {"a": [1, 2]},
            "projects": [0, {"name": "Demo one", "size": 3}], "country": "DE", "blocked": false}
    }"#,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let groups = Obj::new();
    let env = CompileEnv { resolver: &PlainResolver, saved_groups: &groups };
    let mut problems = Problems::new();
    let compiled = Condition::compile(&condition, &JsonPath::root(), &env, &mut problems);
    assert!(problems.is_empty(), "{:?}", problems.as_slice());
    let doc = PlainDoc(&doc);
    // The first evaluation may set up each regex's matching cache, once.
    let mut held = compiled.eval(&doc);
    let allocations = allocations_during(|| {
        for _ in 0..100 {
            held = compiled.eval(&doc);
        }
    });
    assert!(held, "the condition should hold: {:?}", compiled.explain(&doc).to_json().to_json_string());
    assert_eq!(allocations, 0);
}

//! The core's layering (docs/architecture.md): the modules of `src/`
//! import each other without a circle, and `engine` is on top: only the
//! drivers that replay steps through it (`timeline`, `simulate`, `batch`) import
//! it. Read from the source, comments and unit-test modules left out.
// Test code may unwrap, expect, panic and index: a failing test should panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
#![cfg(not(target_arch = "wasm32"))]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The top-level module a file of `src/` belongs to.
fn module_of(path: &Path, src: &Path) -> Option<String> {
    let rel = path.strip_prefix(src).ok()?;
    let first = rel.components().next()?.as_os_str().to_str()?;
    Some(first.trim_end_matches(".rs").to_string())
}

fn files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let p = entry.path();
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// The lines of a file outside its `#[cfg(test)] (#[...]) mod ... { ... }` blocks
/// (to the `}` at the `mod` line's indentation, as rustfmt writes it): the
/// layering is the product code's, and a module's unit tests may use any
/// other (the plan's compile configs to get conditions).
fn product_lines(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if line.trim() != "#[cfg(test)]" {
            out.push(line);
            continue;
        }
        // Past its other attributes, to the item it gates.
        let Some(item) = lines.by_ref().find(|l| !l.trim_start().starts_with("#[")) else { break };
        let body = item.trim_start();
        if !(body.starts_with("mod ") && body.ends_with('{')) {
            out.push(item);
            continue;
        }
        let close = format!("{}}}", &item[..item.len() - body.len()]);
        for l in lines.by_ref() {
            if l == close {
                break;
            }
        }
    }
    out
}

/// Module -> the modules it names as `crate::<module>` outside tests.
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut paths = Vec::new();
    files(&src, &mut paths);
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for path in paths {
        let Some(from) = module_of(&path, &src) else { continue };
        let text = std::fs::read_to_string(&path).unwrap();
        let deps = g.entry(from.clone()).or_default();
        for line in product_lines(&text).into_iter().map(str::trim_start).filter(|l| !l.starts_with("//")) {
            for part in line.split("crate::").skip(1) {
                let to: String = part.chars().take_while(|c| c.is_ascii_lowercase() || *c == '_').collect();
                if !to.is_empty() && to != from {
                    deps.insert(to);
                }
            }
        }
    }
    g.remove("lib");
    g
}

#[test]
fn the_modules_import_each_other_without_a_circle() {
    let g = graph();
    assert!(g.len() > 20, "the scan finds the modules: {:?}", g.keys());
    // Depth-first search for a back edge; report the circle.
    fn visit<'a>(
        m: &'a str,
        g: &'a BTreeMap<String, BTreeSet<String>>,
        stack: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
    ) -> Option<Vec<String>> {
        if let Some(i) = stack.iter().position(|s| *s == m) {
            return Some(stack[i..].iter().map(|s| s.to_string()).chain([m.to_string()]).collect());
        }
        if !done.insert(m) {
            return None;
        }
        stack.push(m);
        for d in g.get(m).into_iter().flatten() {
            if let Some(circle) = visit(d, g, stack, done) {
                return Some(circle);
            }
        }
        stack.pop();
        None
    }
    let mut done = BTreeSet::new();
    for m in g.keys() {
        if let Some(circle) = visit(m, &g, &mut Vec::new(), &mut done) {
            panic!("an import circle: {}", circle.join(" -> "));
        }
    }
}

#[test]
fn the_engine_is_on_top() {
    let g = graph();
    let drivers = ["timeline", "simulate", "batch"];
    let below: Vec<&String> = g
        .iter()
        .filter(|(m, deps)| deps.contains("engine") && !drivers.contains(&m.as_str()))
        .map(|(m, _)| m)
        .collect();
    assert!(below.is_empty(), "modules below the engine that import it: {below:?}");
    for driver in drivers {
        assert!(g.get(driver).is_some_and(|d| d.contains("engine")), "{driver} drives the engine");
    }
}

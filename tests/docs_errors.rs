//! `docs/errors.md` documents every error code of every entry point: each
//! code found in the source (error enums, problem codes, restore notes,
//! timeline steps, the wasm binding, the package) must appear in it.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::BTreeSet;

fn codes_in(text: &str, openers: &[&str], quote: char) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for opener in openers {
        let mut rest = text;
        while let Some(i) = rest.find(opener) {
            rest = &rest[i + opener.len()..];
            let code: String = rest.chars().take_while(|c| c.is_ascii_lowercase() || *c == '_').collect();
            if rest[code.len()..].starts_with(quote) && code.contains('_')
                || matches!(code.as_str(), "internal" | "destroyed")
            {
                out.insert(code);
            }
        }
    }
    out
}

fn read(path: &str) -> String {
    std::fs::read_to_string(format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn every_code_in_the_source_is_documented() {
    let docs = read("docs/errors.md");
    let mut codes = BTreeSet::new();
    for file in ["src/error.rs", "src/problem.rs", "src/persist/mod.rs", "src/simulate.rs"] {
        codes.extend(codes_in(&read(file), &["=> \""], '"'));
    }
    for file in [
        "src/timeline.rs",
        "crates/wasm/src/lib.rs",
        "src/persist/mod.rs",
        "src/summary.rs",
        "src/engine.rs",
        "src/simulate.rs",
    ] {
        codes.extend(codes_in(&read(file), &["bad(\"", "js_error(\"", "code: \""], '"'));
    }
    // The wasm binding's argument conversions: `arg(&x, "name", "code")`.
    codes.extend(codes_in(&read("crates/wasm/src/lib.rs"), &["\", \""], '"').into_iter().filter(|c| c.contains('_')));
    for file in ["crates/wasm/js/index.js", "crates/wasm/js/storage.js", "crates/wasm/js/sync.js"] {
        let found = codes_in(&read(file), &["'"], '\'');
        codes.extend(found.into_iter().filter(|c| {
            ["storage_", "state_", "sync_", "clock_", "time_"].iter().any(|p| c.starts_with(p))
                || c == "internal"
                || c == "destroyed"
        }));
    }
    for expected in
        ["bad_props", "invalid_config", "storage_full", "sync_step_refused", "segment_cycle", "import_lossy"]
    {
        assert!(codes.contains(expected), "the scan misses {expected}: {codes:?}");
    }
    let missing: Vec<&String> = codes.iter().filter(|c| !docs.contains(&format!("`{c}`"))).collect();
    assert!(missing.is_empty(), "codes not in docs/errors.md: {missing:?}\nall found: {codes:?}");
}

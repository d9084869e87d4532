//! One error-code type (`onstage::ErrorCode`) for every error, warning and
//! notice of every entry point (Rust, wasm, JavaScript). This test walks
//! `ErrorCode::ALL`: each code is documented in `docs/errors.md`, the
//! docs name no code that does not exist, the browser package's
//! `index.d.ts` lists exactly these codes as its `ErrorCode` union, and
//! the package's JavaScript uses no code outside it.
// Test code may unwrap, expect, panic and index: a failing test should panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
#![cfg(not(target_arch = "wasm32"))]

use onstage::ErrorCode;
use std::collections::BTreeSet;

fn read(path: &str) -> String {
    std::fs::read_to_string(format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn all() -> BTreeSet<&'static str> {
    ErrorCode::ALL.iter().map(|c| c.as_str()).collect()
}

#[test]
fn codes_are_unique_and_parse_back() {
    assert_eq!(all().len(), ErrorCode::ALL.len(), "a code string is used twice");
    for code in ErrorCode::ALL {
        assert_eq!(ErrorCode::parse(code.as_str()), Some(*code));
        assert!(code.as_str().chars().all(|c| c.is_ascii_lowercase() || c == '_'), "{code}");
    }
}

/// The codes in the first cell of every table row of docs/errors.md
/// (`| \`code\` | ...`, several per cell allowed; `summary_*` is a family).
fn documented_codes(docs: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in docs.lines().filter(|l| l.starts_with("| `")) {
        let cell = line.trim_start_matches('|').split('|').next().unwrap_or("");
        let looks_like_a_code = |p: &&str| p.chars().all(|c| c.is_ascii_lowercase() || c == '_' || c == '*');
        for part in cell.split('`').skip(1).step_by(2).filter(looks_like_a_code) {
            out.push(part.to_string());
        }
    }
    out
}

#[test]
fn every_code_is_documented_and_the_docs_name_only_codes() {
    let docs = read("docs/errors.md");
    let documented = documented_codes(&docs);
    let missing: Vec<&str> = all().into_iter().filter(|c| !documented.iter().any(|d| d == c)).collect();
    assert!(missing.is_empty(), "codes not in a table of docs/errors.md: {missing:?}");
    let unknown: Vec<&String> = documented
        .iter()
        .filter(|d| match d.strip_suffix('*') {
            Some(prefix) => !all().iter().any(|c| c.starts_with(prefix)),
            None => ErrorCode::parse(d).is_none(),
        })
        .collect();
    assert!(unknown.is_empty(), "docs/errors.md names codes that do not exist: {unknown:?}");
}

#[test]
fn the_typescript_union_is_exactly_the_codes() {
    let dts = read("crates/wasm/js/index.d.ts");
    let start = dts.find("export type ErrorCode =").expect("index.d.ts declares `export type ErrorCode`");
    let rest = &dts[start..];
    let union = &rest[..rest.find(';').expect("the union ends with ;")];
    let listed: BTreeSet<&str> = union.split('\'').skip(1).step_by(2).collect();
    let codes = all();
    let missing: Vec<&&str> = codes.iter().filter(|c| !listed.contains(*c)).collect();
    let extra: Vec<&&str> = listed.iter().filter(|c| !codes.contains(*c)).collect();
    assert!(missing.is_empty() && extra.is_empty(), "index.d.ts ErrorCode: missing {missing:?}, unknown {extra:?}");
}

/// Every `'word'` or `"word"` of lowercase letters and `_` in a text.
fn quoted_words(text: &str) -> Vec<&str> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    for (i, &q) in bytes.iter().enumerate() {
        if q != b'\'' && q != b'"' {
            continue;
        }
        let word_len = bytes[i + 1..].iter().take_while(|b| b.is_ascii_lowercase() || **b == b'_').count();
        if word_len > 0 && bytes.get(i + 1 + word_len) == Some(&q) {
            out.push(&text[i + 1..i + 1 + word_len]);
        }
    }
    out
}

#[test]
fn the_package_uses_only_these_codes() {
    // Quoted snake_case literals in the package's JavaScript are codes,
    // except the notice types the binding hands over.
    const NOT_CODES: &[&str] = &["stage_change"];
    let mut unknown = Vec::new();
    let mut found = 0;
    for file in ["crates/wasm/js/index.js", "crates/wasm/js/storage.js", "crates/wasm/js/sync.js"] {
        let text = read(file);
        for literal in quoted_words(&text) {
            let snake = literal.contains('_') && !literal.starts_with('_');
            if snake && !NOT_CODES.contains(&literal) {
                found += 1;
                if ErrorCode::parse(literal).is_none() {
                    unknown.push(format!("{file}: {literal}"));
                }
            }
        }
        for code in text.split(".code = '").skip(1).filter_map(|s| s.split('\'').next()) {
            found += 1;
            if ErrorCode::parse(code).is_none() {
                unknown.push(format!("{file}: {code}"));
            }
        }
    }
    assert!(found >= 8, "the scan finds the package's codes ({found})");
    assert!(unknown.is_empty(), "codes the package uses that ErrorCode does not have: {unknown:?}");
}

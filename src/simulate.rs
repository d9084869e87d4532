//! `onstage simulate`: replays a timeline (JSON Lines, one step a line,
//! users interleaved) and writes one JSON line per `decide` step.
//! The line format is a public contract (DESIGN, "Native").

use crate::config::CompiledConfig;
use crate::engine::Engine;
use crate::timeline::{apply, bad, parse_step, step_time};
use std::collections::HashMap;
use std::io::{BufRead, Write};
use std::sync::Arc;

/// A step that could not be replayed: the replay stops there.
#[derive(Debug, thiserror::Error)]
pub enum SimulateError {
    #[error("line {line}: {message}")]
    Step { line: usize, code: &'static str, message: String },
    #[error("line {line}: cannot read the timeline: {source}")]
    Read { line: usize, source: std::io::Error },
    #[error("cannot write the output: {0}")]
    Write(#[from] std::io::Error),
}

impl SimulateError {
    pub fn code(&self) -> &'static str {
        match self {
            SimulateError::Step { code, .. } => code,
            SimulateError::Read { .. } => "io_error",
            SimulateError::Write(_) => "io_error",
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    pub steps: usize,
    pub events: usize,
    pub decisions: usize,
    pub users: usize,
}

#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// Include each decision's reasons (otherwise `"reasons": null`).
    pub reasons: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options { reasons: true }
    }
}

/// Replays `input` against `config`, writing decide lines to `out`.
pub fn simulate(
    config: Arc<CompiledConfig>,
    input: impl BufRead,
    mut out: impl Write,
    options: Options,
) -> Result<Stats, SimulateError> {
    let mut engines: HashMap<String, Engine> = HashMap::new();
    let mut stats = Stats::default();
    let mut text = String::new();
    for (n, line) in input.lines().enumerate() {
        let line_no = n + 1;
        let raw = line.map_err(|source| SimulateError::Read { line: line_no, source })?;
        if raw.trim().is_empty() {
            continue;
        }
        let step_err = |(code, message): (&'static str, String)| SimulateError::Step { line: line_no, code, message };
        let doc = crate::json::parse(&raw).map_err(|e| step_err(bad("invalid_json", e)))?;
        let (user, at_text, step) = parse_step(&doc).map_err(step_err)?;
        let at = step_time(at_text).map_err(step_err)?;
        if !engines.contains_key(user) {
            let engine = Engine::new(Arc::clone(&config), user).map_err(|e| step_err(bad(e.code(), e.to_string())))?;
            engines.insert(user.to_string(), engine);
        }
        let Some(engine) = engines.get_mut(user) else { continue };
        stats.steps += 1;
        stats.events += usize::from(matches!(step, crate::timeline::Step::Track { .. }));
        if let Some(line) = apply(engine, step, at, at_text, options.reasons).map_err(step_err)? {
            text.clear();
            line.write_to(&mut text);
            text.push('\n');
            out.write_all(text.as_bytes())?;
            stats.decisions += 1;
        }
        // Stage changes and exposures are for hosts: a replay prints
        // decisions. What an import could not do exactly goes to stderr.
        for notice in engine.take_notices() {
            if let crate::engine::Notice::Warning(note) = notice {
                eprintln!("line {line_no}: warning[{}]: {}", note.code, note.message);
            }
        }
    }
    stats.users = engines.len();
    out.flush()?;
    Ok(stats)
}

//! Config: parse, validate (every problem at once, each with its JSON
//! path) and compile into the evaluation plan.

mod check;
mod lint;
pub use crate::model;
mod parse;
mod read;

use crate::condition::CompileEnv;
use crate::decide::experience::ExperiencePlan;
use crate::doc::DocResolver;
use crate::json::{Json, MAX_DEPTH};
use crate::model::Config;
use crate::problem::{ErrorCode, JsonPath, Problem, Problems};
use crate::segment::SegmentPlan;
use crate::signal::SignalPlan;
use crate::stage::StageMachine;

/// Largest config accepted, in bytes of JSON text.
pub const MAX_CONFIG_BYTES: usize = 1 << 20;

pub use crate::compiled::CompiledConfig;

/// A config that compiled, with the warnings it deserves.
#[derive(Debug)]
pub struct Compiled {
    pub config: CompiledConfig,
    pub warnings: Vec<Problem>,
}

/// Compiles a config, or returns every problem (errors and warnings) when
/// any is an error.
pub fn compile(doc: &Json) -> Result<Compiled, Vec<Problem>> {
    let mut problems = Problems::new();
    let compiled = compile_collecting(doc, &mut problems);
    finish(compiled, problems)
}

/// Every problem of a config: errors and warnings.
pub fn validate(doc: &Json) -> Vec<Problem> {
    match compile(doc) {
        Ok(c) => c.warnings,
        Err(problems) => problems,
    }
}

/// Parses JSON text and compiles it.
pub fn compile_text(text: &str) -> Result<Compiled, Vec<Problem>> {
    if text.len() > MAX_CONFIG_BYTES {
        return Err(vec![Problem::new(
            ErrorCode::LimitExceeded,
            &JsonPath::root(),
            format!("the config is {} bytes, more than the limit of {MAX_CONFIG_BYTES}", text.len()),
        )]);
    }
    let doc = match crate::json::read(text) {
        Ok(doc) => doc,
        Err(e) => return Err(vec![Problem::new(ErrorCode::InvalidJson, &JsonPath::root(), e.to_string())]),
    };
    let mut problems = Problems::new();
    for path in &doc.duplicates {
        problems.push(
            ErrorCode::DuplicateKey,
            path,
            "this key appears more than once in its object; JSON keeps only the last, so the others would be lost",
        );
    }
    let compiled = compile_collecting(&doc.value, &mut problems);
    finish(compiled, problems)
}

/// A config or a compiled plan given as text: a plan
/// ([`crate::plan::is_plan`]) is read, with no warnings (one this version
/// cannot read is one `invalid_plan` problem at the root); anything else is
/// compiled as [`compile_text`] does. What every native entry (CLI, Arrow,
/// Python) reads a config with.
pub fn load_text(text: &str) -> Result<Compiled, Vec<Problem>> {
    if !crate::plan::is_plan(text) {
        return compile_text(text);
    }
    match crate::plan::read(text) {
        Ok(config) => Ok(Compiled { config, warnings: Vec::new() }),
        Err(e) => Err(vec![Problem::new(e.code(), &JsonPath::root(), e.to_string())]),
    }
}

fn finish(compiled: Option<CompiledConfig>, problems: Problems) -> Result<Compiled, Vec<Problem>> {
    match compiled {
        Some(config) if !problems.has_errors() => Ok(Compiled { config, warnings: problems.into_vec() }),
        _ => Err(problems.into_vec()),
    }
}

/// Every problem of a config given as JSON text (errors and warnings).
pub fn validate_text(text: &str) -> Vec<Problem> {
    match compile_text(text) {
        Ok(c) => c.warnings,
        Err(problems) => problems,
    }
}

fn compile_collecting(doc: &Json, problems: &mut Problems) -> Option<CompiledConfig> {
    if doc.depth() > MAX_DEPTH {
        problems.push(
            ErrorCode::LimitExceeded,
            &JsonPath::root(),
            format!("the config is nested deeper than {MAX_DEPTH} levels"),
        );
        return None;
    }
    let config: Config = parse::parse_config(&mut read::Reader::new(problems), doc);
    let segment_order = check::check(&config, problems);
    let signals = SignalPlan::compile(&config.signals, &config.saved_groups, problems);
    let ids = crate::signal::ids_of(&config.signals);
    let resolver = DocResolver { signal_ids: &ids };
    let env = CompileEnv { resolver: &resolver, saved_groups: &config.saved_groups };
    let segments = SegmentPlan::compile(&config.segments, segment_order, &env, problems);
    let stages = StageMachine::compile(&config.stages, &env, problems);
    let experiences = ExperiencePlan::compile(config.experiences, &env, problems);
    let (signal_classes, condition_reads) = crate::compiled::summaries(&signals, &segments, &stages);
    Some(CompiledConfig {
        condition_reads,
        signals,
        segments,
        stages,
        experiences,
        policy: config.policy,
        signal_classes,
    })
}

//! onstage: adoption stages, segments and in-app experience decisions,
//! computed on the device from locally observed events.
//!
//! The pipeline (see `docs/architecture.md`) flows one way:
//! config → history → signals → conditions → segments → stage → decisions.

// Private: the modules that no user of the crate (the CLI, the binding,
// tests/, benches/) reaches. The others stay `pub mod` until the curated
// `pub use` list below covers what those users need (issue 11).
pub mod batch;
#[cfg(feature = "text")]
mod block;
mod code;
pub mod codec;
mod collections;
mod compiled;
pub mod condition;
pub mod config;
pub mod decide;
mod doc;
pub mod engine;
pub mod error;
mod graph;
pub mod input;
pub mod json;
mod limits;
#[cfg(feature = "text")]
mod lines;
pub mod model;
pub mod persist;
pub mod plan;
pub mod platform;
pub mod problem;
mod segment;
pub mod signal;
#[cfg(feature = "text")]
pub mod simulate;
pub mod stage;
pub mod summary;
pub mod time;
pub mod timeline;
mod user;

pub use code::ErrorCode;
pub use config::{compile, validate, CompiledConfig};
pub use engine::{Engine, Evaluation, Identity};
pub use error::InputError;

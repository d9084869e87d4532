//! onstage: adoption stages, segments and in-app experience decisions,
//! computed on the device from locally observed events.
//!
//! The pipeline (see `docs/architecture.md`) flows one way:
//! config → history → signals → conditions → segments → stage → decisions.

pub mod code;
pub mod batch;
pub mod codec;
pub mod collections;
pub mod condition;
pub mod config;
pub mod decide;
pub mod doc;
pub mod engine;
pub mod error;
pub mod graph;
pub mod input;
pub mod json;
pub mod limits;
#[cfg(feature = "text")]
pub mod lines;
pub mod model;
pub mod persist;
pub mod platform;
pub mod problem;
pub mod segment;
pub mod signal;
#[cfg(feature = "text")]
pub mod simulate;
pub mod stage;
pub mod summary;
pub mod time;
pub mod timeline;
pub mod user;

pub use code::ErrorCode;
pub use config::{compile, validate, CompiledConfig};
pub use engine::{Engine, Evaluation, Identity};
pub use error::InputError;

//! onstage: adoption stages, segments and in-app experience decisions,
//! computed on the device from locally observed events.
//!
//! The pipeline (see `docs/architecture.md`) flows one way:
//! config → signals → conditions → segments → stage → decisions.

pub mod condition;
pub mod json;
pub mod problem;
pub mod time;
#[cfg(target_arch = "wasm32")]
pub mod wasm;

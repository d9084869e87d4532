//! Decisions: which experience each slot shows.

pub mod bucket;
pub mod experience;
pub mod experiment;
pub mod interactions;

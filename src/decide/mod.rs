//! Decisions: which experience each slot shows.

pub mod bucket;
pub mod experience;
pub mod interactions;

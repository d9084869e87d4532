//! Decisions: which experience each slot shows.

pub mod experience;

//! The user's state as stored between page loads (and as imported from a
//! backend): versioned JSON, compact where it grows (minute series).
//!
//! Restoring against a config keeps the data of every signal whose id and
//! definition are unchanged (changed and new signals start empty), and the
//! stage, interactions and exposures whose ids still exist.

pub mod codec;

//! Every limit of the core in one place, below everything that enforces
//! them (docs/limits.md lists them for users).

use crate::time::{Millis, DAY, MINUTE};

// ---------------------------------------------------------------- config
pub const MAX_SIGNALS: usize = 256;
pub const MAX_SEGMENTS: usize = 128;
pub const MAX_STAGES: usize = 64;
pub const MAX_EXPERIENCES: usize = 256;
pub const MAX_SAVED_GROUPS: usize = 256;
pub const MAX_GROUP_VALUES: usize = 10_000;
pub const MAX_EVENT_NAMES: usize = 64;
pub const MAX_FUNNEL_STEPS: usize = 16;
pub const MAX_ITEMS: usize = 32;
/// Steps of a tour (progress is kept as a 32-bit mask).
pub const MAX_STEPS: usize = 32;
pub const MAX_VARIATIONS: usize = 32;
/// Longest event name, in characters (also enforced by `track`).
pub const MAX_EVENT_NAME_CHARS: usize = 128;
/// The compiled size of every `$regex` pattern of one config together.
pub const MAX_REGEX_TOTAL: usize = 256 * 1024;

// ----------------------------------------------------------------- steps
pub const MAX_USER_ID_CHARS: usize = 256;
/// Nesting of a user's attributes and entitlements (`Json::depth`): the
/// stored state holds them one level down, and the browser's envelope holds
/// the state one level further, so what identify accepts is stored as text
/// the JSON reader (at most `MAX_DEPTH` deep) reads back.
pub const MAX_IDENTITY_DEPTH: usize = crate::json::MAX_DEPTH - 2;
pub const MAX_PROPS: usize = 64;
pub const MAX_PROP_KEY_CHARS: usize = 128;
pub const MAX_PROP_STRING_CHARS: usize = 1024;
/// An event may be this far ahead of `now` (clock skew); it counts as now.
pub const MAX_AHEAD: Millis = 5 * MINUTE;
pub const MAX_TZ_OFFSET: i32 = 840;
/// How late an event may arrive (track refuses older ones).
pub const MAX_LATENESS: Millis = DAY;

//! Every stable code onstage gives an error, a warning or a notice, in one
//! type: config problems, refused steps, stored states and summaries,
//! restore notes, timelines, and the browser package's own (storage, tabs,
//! a dead instance). Their strings are a public contract (hosts and CI
//! scripts match on them): `docs/errors.md` documents each
//! (`tests/docs_errors.rs` iterates [`ErrorCode::ALL`]), and the browser
//! package's `index.d.ts` lists them as the `ErrorCode` union (checked by
//! the same test, so the two cannot drift).

use std::fmt;

macro_rules! codes {
    ($($(#[doc = $doc:literal])* $name:ident = $text:literal,)*) => {
        /// A stable code: see the module documentation.
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum ErrorCode {
            $($(#[doc = $doc])* $name,)*
        }

        impl ErrorCode {
            /// Every code, in the order of `docs/errors.md`.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$name,)*];

            /// The code as hosts see it (`err.code` in JavaScript).
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$name => $text,)*
                }
            }
        }
    };
}

codes! {
    // ------------------------------------------------------------ steps
    /// The user id is empty, too long, or (JavaScript) not a string.
    BadUserId = "bad_user_id",
    /// The event name is empty, too long, or not a string.
    BadEventName = "bad_event_name",
    /// Props that are not a flat object of scalars.
    BadProps = "bad_props",
    /// A time that is not finite, not a number, out of range, or (timelines) not RFC 3339.
    BadTime = "bad_time",
    /// An event more than 5 minutes ahead of now.
    TimestampInFuture = "timestamp_in_future",
    /// An event more than 24 hours behind now.
    TimestampTooOld = "timestamp_too_old",
    /// A step earlier than the user's previous step.
    TimeWentBack = "time_went_back",
    /// Attributes, entitlements or a time-zone offset that `identify` cannot take.
    BadIdentify = "bad_identify",
    /// A slot no experience uses.
    UnknownSlot = "unknown_slot",
    /// An experience id not in the config.
    UnknownExperience = "unknown_experience",
    /// `advanced` with an id that is not a tour.
    UnknownTour = "unknown_tour",
    /// `advanced` with a step the tour does not have.
    UnknownStep = "unknown_step",
    /// A preview naming a variation the experience's experiment does not have.
    UnknownVariation = "unknown_variation",
    /// Two previews for one slot.
    PreviewConflict = "preview_conflict",
    /// A preview argument or URL parameter that cannot be read.
    BadPreview = "bad_preview",
    /// An import that is not an onstage summary.
    SummaryNotRecognized = "summary_not_recognized",
    /// A summary of another format version.
    SummaryUnknownVersion = "summary_unknown_version",
    /// A summary of another user.
    SummaryOtherUser = "summary_other_user",
    /// A summary that is damaged.
    SummaryCorrupt = "summary_corrupt",
    // ----------------------------------------------------------- config
    /// A config refused as a whole (the browser package; the problems are listed).
    InvalidConfig = "invalid_config",
    /// A compiled plan that is not one this version of onstage reads (not a plan, another version's, or damaged).
    InvalidPlan = "invalid_plan",
    /// Not JSON, or JSON nested too deep.
    InvalidJson = "invalid_json",
    /// A value of the wrong JSON type.
    WrongType = "wrong_type",
    /// A required field is absent.
    MissingField = "missing_field",
    /// A field the format does not define.
    UnknownField = "unknown_field",
    /// `version` is not 1.
    UnsupportedVersion = "unsupported_version",
    /// A string that must be an identifier is empty or malformed.
    BadId = "bad_id",
    /// Two things of one kind share an id.
    DuplicateId = "duplicate_id",
    /// A key appears twice in one JSON object: the last one would silently win.
    DuplicateKey = "duplicate_key",
    /// A key JavaScript objects reserve (`__proto__`, `constructor`, `prototype`).
    ReservedKey = "reserved_key",
    /// A limit of the format was exceeded (size, count, depth).
    LimitExceeded = "limit_exceeded",
    /// A duration that is not `<integer><m|h|d|w>`, or is zero.
    BadDuration = "bad_duration",
    /// A number out of its allowed range.
    OutOfRange = "out_of_range",
    /// A signal object that is none of the known forms.
    UnknownSignalForm = "unknown_signal_form",
    /// An event selector that is not a name, a list of names or `"*"`.
    BadEventSelector = "bad_event_selector",
    /// A field that the signal's form does not allow.
    FieldNotAllowed = "field_not_allowed",
    /// `ratio` signals that read each other in a cycle.
    RatioCycle = "ratio_cycle",
    /// A path to a signal that does not exist.
    UndefinedSignal = "undefined_signal",
    /// A segment id that does not exist.
    UndefinedSegment = "undefined_segment",
    /// A stage id that does not exist.
    UndefinedStage = "undefined_stage",
    /// A saved group that does not exist.
    UndefinedSavedGroup = "undefined_saved_group",
    /// A condition path whose root is none of signals, attributes, entitlements, segments, stage.
    UnknownPathRoot = "unknown_path_root",
    /// Segments that depend on each other in a cycle.
    SegmentCycle = "segment_cycle",
    /// A segment condition that tests `segments` without naming any segment.
    SegmentsWithoutIds = "segments_without_ids",
    /// An operator outside the GrowthBook set.
    UnknownOperator = "unknown_operator",
    /// An operand the operator cannot use.
    BadOperand = "bad_operand",
    /// A pattern outside RE2 syntax.
    InvalidRegex = "invalid_regex",
    /// Experiment weights that do not sum to 1 or do not match the variations.
    BadWeights = "bad_weights",
    /// A checklist without items.
    EmptyChecklist = "empty_checklist",
    /// A tour without steps (or steps on another kind).
    EmptyTour = "empty_tour",
    /// Warning: an order comparison that holds for `null` on a signal that can be null.
    NullComparison = "null_comparison",
    /// Warning: the last stage is not the catch-all `{}`.
    NoCatchAllStage = "no_catch_all_stage",
    /// Warning: a stage after a catch-all stage.
    UnreachableStage = "unreachable_stage",
    /// Warning: an experience whose `when` requires stages no user can hold.
    UnreachableExperience = "unreachable_experience",
    /// Warning: a tour step whose `done` can never hold.
    DoneNeverHolds = "done_never_holds",
    /// Warning: a tour step whose `done` always holds.
    DoneAlwaysHolds = "done_always_holds",
    // ------------------------------------------------------ stored state
    /// Not an onstage state.
    StateNotRecognized = "state_not_recognized",
    /// A state of another format version.
    StateUnknownVersion = "state_unknown_version",
    /// The state of another user.
    StateOtherUser = "state_other_user",
    /// A state whose header or a top-level field is damaged.
    StateCorrupt = "state_corrupt",
    // ------------------------------------------------------------ notes
    /// A signal is new or its definition changed: it starts empty.
    SignalReset = "signal_reset",
    /// A damaged part of a state was dropped alone.
    PartCorrupt = "part_corrupt",
    /// The stored stage is no longer in the config.
    StageDropped = "stage_dropped",
    /// An import superseded local events it could not account for exactly.
    ImportLossy = "import_lossy",
    /// A time ahead of the clock was brought back to it.
    TimeClamped = "time_clamped",
    // -------------------------------------------------------- timelines
    /// A timeline line that is not a step.
    BadStep = "bad_step",
    /// A file could not be read or written.
    IoError = "io_error",
    // -------------------------------------------------- browser package
    /// A call on an instance after `destroy()`.
    Destroyed = "destroyed",
    /// Anything else that went wrong inside (a bug).
    Internal = "internal",
    /// The host's clock gave no usable time (not a time from 1970 to 9999, or it threw).
    ClockInvalid = "clock_invalid",
    /// The engine trapped (a bug) and was rebuilt from the last saved state.
    EngineRestarted = "engine_restarted",
    /// The wasm module could not be fetched or instantiated.
    WasmLoadFailed = "wasm_load_failed",
    /// A raw config given where the config compiler is needed, before it was loaded.
    CompilerNotLoaded = "compiler_not_loaded",
    /// `on(type, listener)` with an unknown type or a listener that is not a function.
    BadListener = "bad_listener",
    /// Storage refused a write (quota): working in memory.
    StorageFull = "storage_full",
    /// Storage is missing or threw: working in memory.
    StorageUnavailable = "storage_unavailable",
    /// A step another tab published was refused here.
    SyncStepRefused = "sync_step_refused",
    /// A step of this tab could not be shared with the other tabs.
    SyncStepDropped = "sync_step_dropped",
}

impl ErrorCode {
    /// Config problems that do not refuse a config.
    pub const fn is_warning(self) -> bool {
        matches!(
            self,
            ErrorCode::NullComparison
                | ErrorCode::NoCatchAllStage
                | ErrorCode::UnreachableStage
                | ErrorCode::UnreachableExperience
                | ErrorCode::DoneNeverHolds
                | ErrorCode::DoneAlwaysHolds
        )
    }

    /// The code for a string (None for a string that is no code).
    pub fn parse(text: &str) -> Option<ErrorCode> {
        ErrorCode::ALL.iter().copied().find(|c| c.as_str() == text)
    }
}

/// Debug output shows the code as hosts see it (`time_clamped`).
impl fmt::Debug for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Codes compare with their strings (`err.code() == "bad_props"`), as
/// hosts compare them.
impl PartialEq<str> for ErrorCode {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for ErrorCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<ErrorCode> for &str {
    fn eq(&self, other: &ErrorCode) -> bool {
        *self == other.as_str()
    }
}

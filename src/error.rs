//! Errors of the engine's steps: bad input is refused with a typed error
//! that says why, and nothing is stored.

use crate::code::ErrorCode;
use thiserror::Error;

#[derive(Debug, Error, Clone, PartialEq)]
pub enum InputError {
    #[error("the user id is empty")]
    EmptyUserId,
    #[error("the user id has {0} characters, more than the limit of {max}", max = crate::limits::MAX_USER_ID_CHARS)]
    UserIdTooLong(usize),
    #[error("the event name is empty")]
    EmptyEventName,
    #[error("the event name has {0} characters, more than the limit of 128")]
    EventNameTooLong(usize),
    #[error("props must be a flat object of strings, numbers, booleans or null, found {0}")]
    PropsNotObject(&'static str),
    #[error("prop \"{key}\" {reason}")]
    BadProp { key: String, reason: String },
    #[error("{0} props is more than the limit of {max}", max = crate::limits::MAX_PROPS)]
    TooManyProps(usize),
    #[error("{what} is not a finite time")]
    TimeNotFinite { what: &'static str },
    #[error("{what} {} is outside the supported range (1970 to 9999)", crate::json::Num(*value))]
    TimeOutOfRange { what: &'static str, value: f64 },
    #[error("the event time is {ahead_ms} ms ahead of now: more than 5 minutes")]
    TimestampInFuture { ahead_ms: i64 },
    #[error("the event time is {behind_ms} ms behind now: more than 24 hours")]
    TimestampTooOld { behind_ms: i64 },
    #[error("time went back: this step is at {}, the user's previous step was at {}", crate::time::format_rfc3339(*now), crate::time::format_rfc3339(*last))]
    TimeWentBack { now: i64, last: i64 },
    #[error("{field} must be an object, found {found}")]
    NotAnObject { field: &'static str, found: &'static str },
    #[error("tz_offset_minutes must be a whole number from -840 to 840, found {0}")]
    BadTzOffset(String),
    #[error("{what} is nested deeper than {max} levels", max = crate::json::MAX_DEPTH)]
    TooDeep { what: &'static str },
    #[error("no experience \"{0}\" in the config")]
    UnknownExperience(String),
    #[error("no experience uses slot \"{0}\"")]
    UnknownSlot(String),
    #[error("experience \"{experience}\" has no variation \"{variation}\"")]
    UnknownVariation { experience: String, variation: String },
    #[error("slot \"{slot}\" is previewed twice (\"{first}\" and \"{second}\"): preview one experience per slot")]
    PreviewConflict { slot: String, first: String, second: String },
    #[error("decide takes \"*\" or a list of slot ids (strings), found {0}")]
    BadSlots(&'static str),
    #[error("unknown field \"{0}\" in identify (allowed: attributes, entitlements, tz_offset_minutes)")]
    UnknownIdentifyField(String),
    #[error("no tour \"{0}\" in the config")]
    UnknownTour(String),
    #[error("experience \"{id}\" is a {kind}, not a tour: only a tour has steps to advance")]
    NotATour { id: String, kind: String },
    #[error("tour \"{tour}\" has no step \"{step}\"")]
    UnknownStep { tour: String, step: String },
}

impl InputError {
    /// A stable code for programs (the JS `Error.code`).
    pub fn code(&self) -> ErrorCode {
        match self {
            InputError::EmptyUserId | InputError::UserIdTooLong(_) => ErrorCode::BadUserId,
            InputError::EmptyEventName | InputError::EventNameTooLong(_) => ErrorCode::BadEventName,
            InputError::PropsNotObject(_) | InputError::BadProp { .. } | InputError::TooManyProps(_) => {
                ErrorCode::BadProps
            }
            InputError::TimeNotFinite { .. } | InputError::TimeOutOfRange { .. } => ErrorCode::BadTime,
            InputError::TimestampInFuture { .. } => ErrorCode::TimestampInFuture,
            InputError::TimestampTooOld { .. } => ErrorCode::TimestampTooOld,
            InputError::TimeWentBack { .. } => ErrorCode::TimeWentBack,
            InputError::NotAnObject { .. }
            | InputError::BadTzOffset(_)
            | InputError::TooDeep { .. }
            | InputError::UnknownIdentifyField(_) => ErrorCode::BadIdentify,
            InputError::UnknownExperience(_) => ErrorCode::UnknownExperience,
            InputError::UnknownSlot(_) | InputError::BadSlots(_) => ErrorCode::UnknownSlot,
            InputError::UnknownTour(_) | InputError::NotATour { .. } => ErrorCode::UnknownTour,
            InputError::UnknownStep { .. } => ErrorCode::UnknownStep,
            InputError::UnknownVariation { .. } => ErrorCode::UnknownVariation,
            InputError::PreviewConflict { .. } => ErrorCode::PreviewConflict,
        }
    }
}

/// Why an import summary was refused.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum ImportError {
    #[error(transparent)]
    Input(#[from] InputError),
    #[error("the summary cannot be imported: {0}")]
    Summary(#[from] StateError),
}

impl ImportError {
    pub fn code(&self) -> ErrorCode {
        match self {
            ImportError::Input(e) => e.code(),
            ImportError::Summary(StateError::NotAState) => ErrorCode::SummaryNotRecognized,
            ImportError::Summary(StateError::UnknownVersion(_)) => ErrorCode::SummaryUnknownVersion,
            ImportError::Summary(StateError::OtherUser) => ErrorCode::SummaryOtherUser,
            ImportError::Summary(StateError::Corrupt(_)) => ErrorCode::SummaryCorrupt,
        }
    }
}

/// Why a stored state cannot be used at all.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StateError {
    #[error("the value is not an onstage state or summary")]
    NotAState,
    #[error("the value has version {0}; this onstage reads version {version}", version = crate::codec::STATE_VERSION)]
    UnknownVersion(String),
    #[error("the value belongs to another user")]
    OtherUser,
    #[error("the value is damaged: {0}")]
    Corrupt(String),
}

impl StateError {
    pub fn code(&self) -> ErrorCode {
        match self {
            StateError::NotAState => ErrorCode::StateNotRecognized,
            StateError::UnknownVersion(_) => ErrorCode::StateUnknownVersion,
            StateError::OtherUser => ErrorCode::StateOtherUser,
            StateError::Corrupt(_) => ErrorCode::StateCorrupt,
        }
    }
}

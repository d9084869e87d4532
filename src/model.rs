//! The typed config model (format version 1), as read from JSON.
//! Conditions stay JSON here; they are compiled into the evaluation plan.

use crate::json::{Json, Obj};
use crate::problem::JsonPath;
use crate::time::Millis;

/// Limits of the format (docs/limits.md lists them all).

#[derive(Clone, Debug)]
pub struct Config {
    pub saved_groups: Obj,
    pub signals: Vec<SignalDef>,
    pub segments: Vec<SegmentDef>,
    pub stages: Vec<StageDef>,
    pub policy: Policy,
    pub experiences: Vec<ExperienceDef>,
}

/// Which tracked events a signal reads.
#[derive(Clone, Debug, PartialEq)]
pub enum EventSel {
    /// `"*"`: every tracked event.
    Any,
    Names(Vec<Box<str>>),
}

impl EventSel {
    pub fn matches(&self, name: &str) -> bool {
        match self {
            EventSel::Any => true,
            EventSel::Names(names) => names.iter().any(|n| &**n == name),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum SignalForm {
    Count,
    Sum {
        property: Box<str>,
    },
    Distinct {
        property: Box<str>,
    },
    ActiveDays,
    ActiveWeeks,
    DaysSinceFirst,
    DaysSinceLast,
    Trend,
    Funnel {
        steps: Vec<EventSel>,
        within: Option<Millis>,
    },
    /// Paths into signals, attributes or entitlements.
    Ratio {
        numerator: Box<str>,
        denominator: Box<str>,
    },
}

impl SignalForm {
    /// Whether the signal's value can be `null` (the rest are 0 when no
    /// event matches).
    pub fn can_be_null(&self) -> bool {
        matches!(
            self,
            SignalForm::DaysSinceFirst | SignalForm::DaysSinceLast | SignalForm::Trend | SignalForm::Ratio { .. }
        )
    }
}

#[derive(Clone, Debug)]
pub struct SignalDef {
    pub id: Box<str>,
    pub form: SignalForm,
    /// The events read (for funnels: the union of the steps).
    pub events: EventSel,
    pub window: Option<Millis>,
    pub where_: Option<Json>,
    /// The definition as written: a config update keeps a signal's data
    /// only when this is unchanged.
    pub source: Json,
}

#[derive(Clone, Debug)]
pub struct SegmentDef {
    pub id: Box<str>,
    pub when: Json,
}

#[derive(Clone, Debug)]
pub struct StageDef {
    /// Where it was read (stages that failed to parse leave gaps).
    pub path: JsonPath,
    pub id: Box<str>,
    pub when: Json,
    pub min_dwell: Option<Millis>,
}

#[derive(Clone, Debug)]
pub struct Policy {
    pub max_prompts_per_day: Option<u32>,
    pub min_gap_between_prompts: Option<Millis>,
    pub display_timeout: Millis,
}

pub const DEFAULT_DISPLAY_TIMEOUT: Millis = 30 * crate::time::MINUTE;

impl Default for Policy {
    fn default() -> Self {
        Policy { max_prompts_per_day: None, min_gap_between_prompts: None, display_timeout: DEFAULT_DISPLAY_TIMEOUT }
    }
}

#[derive(Clone, Debug)]
pub struct ExperienceDef {
    /// Where it was read (experiences that failed to parse leave gaps).
    pub path: JsonPath,
    pub id: Box<str>,
    pub slot: Box<str>,
    pub kind: Box<str>,
    pub priority: f64,
    pub when: Json,
    pub stop_when: Option<Json>,
    pub content: Obj,
    pub frequency: Option<Frequency>,
    pub cooldown_after_dismiss: Option<Millis>,
    pub items: Vec<ItemDef>,
    /// A tour's steps, in order (empty for every other kind).
    pub steps: Vec<StepDef>,
    pub experiment: Option<ExperimentDef>,
}

impl ExperienceDef {
    pub fn is_checklist(&self) -> bool {
        &*self.kind == "checklist"
    }

    pub fn is_tour(&self) -> bool {
        &*self.kind == "tour"
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Frequency {
    pub max_impressions: u32,
    pub per: Millis,
    /// `per` as written in the config, for reasons.
    pub per_text: Box<str>,
}

#[derive(Clone, Debug)]
pub struct ItemDef {
    pub id: Box<str>,
    pub label: Option<Box<str>>,
    pub done: Json,
}

/// One step of a tour: completed when the host reports `advanced` for it,
/// or once its `done` condition holds.
#[derive(Clone, Debug)]
pub struct StepDef {
    pub id: Box<str>,
    /// Merged over the tour's content (and its variation's) while this
    /// step is the current one.
    pub content: Option<Obj>,
    pub done: Option<Json>,
}

#[derive(Clone, Debug)]
pub struct ExperimentDef {
    pub key: Box<str>,
    /// A condition path such as `attributes.id`.
    pub hash_attribute: Box<str>,
    pub hash_version: u32,
    pub coverage: f64,
    /// GrowthBook namespace `[id, start, end]`.
    pub namespace: Option<(Box<str>, f64, f64)>,
    pub variations: Vec<VariationDef>,
    /// One weight per variation, summing to 1.
    pub weights: Vec<f64>,
}

#[derive(Clone, Debug)]
pub struct VariationDef {
    pub id: Box<str>,
    pub content: Option<Obj>,
    pub skip: bool,
}

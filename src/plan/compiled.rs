//! The plan of everything compiled but the conditions (`condition.rs`):
//! signals, segments, stages, experiences, policy, and the whole
//! `CompiledConfig`.
//!
//! What the compiler derives that the runtime reads (signals by event,
//! ratio order, slot orders, bucket ranges, fingerprints) is written out,
//! so reading does no compile work. Made again by the reader, with the
//! compiler's own code: the merged contents of variations and tour steps
//! (a tour's content times its steps times its variations: 20 KB of
//! content over 32 steps and 2 variations was a 2 MB plan), and what
//! differs by build (`timed`, `signal_classes`, `condition_reads`). Not
//! written: the config as written (only tests read it), and the parts of
//! an experience's definition only the compiler reads (its conditions
//! as written, which the compiled ones replace).
//!
//! Readers check what the runtime relies on without looking (counts
//! within the format's limits, indexes in range), so a damaged plan is
//! refused rather than run.

use super::Plan;
use crate::collections::VecMap;
use crate::compiled::CompiledConfig;
use crate::decide::experience::{CompiledExperience, CompiledItem, ExperiencePlan, Slot};
use crate::decide::experiment::CompiledExperiment;
use crate::decide::tour::CompiledStep;
use crate::json::{Json, JsonPath, Obj};
use crate::limits::{MAX_EXPERIENCES, MAX_ITEMS, MAX_SEGMENTS, MAX_SIGNALS, MAX_STAGES, MAX_STEPS, MAX_VARIATIONS};
use crate::model::{EventSel, ExperienceDef, ExperimentDef, Frequency, Policy, SignalForm, StepDef, VariationDef};
use crate::positional;
use crate::segment::{CompiledSegment, SegmentPlan};
use crate::signal::{CompiledSignal, SignalPlan};
use crate::stage::{CompiledStage, StageMachine};
use std::sync::Arc;

/// `Plan` for a struct written as its fields in declaration order, each
/// read back as it was written (no check, nothing made again).
macro_rules! in_order {
    ($ty:ident { $($field:ident),+ }) => {
        impl Plan for $ty {
            fn to_plan(&self) -> Json {
                positional![$(self.$field),+]
            }
            fn from_plan(v: &Json) -> Option<Self> {
                let [$($field),+] = super::arr(v)?;
                Some($ty { $($field: Plan::from_plan($field)?),+ })
            }
        }
    };
}

impl Plan for u16 {
    fn to_plan(&self) -> Json {
        Json::Num(f64::from(*self))
    }
    fn from_plan(v: &Json) -> Option<Self> {
        u16::try_from(u32::from_plan(v)?).ok()
    }
}

impl<A: Plan, B: Plan> Plan for (A, B) {
    fn to_plan(&self) -> Json {
        positional![self.0, self.1]
    }
    fn from_plan(v: &Json) -> Option<Self> {
        let [a, b] = super::arr(v)?;
        Some((A::from_plan(a)?, B::from_plan(b)?))
    }
}

/// `[[key, value], ...]`, in key order; read back by inserting, so a
/// plan whose keys are out of order still gives a sorted map.
impl<K: Plan + Ord, V: Plan> Plan for VecMap<K, V> {
    fn to_plan(&self) -> Json {
        let mut out = Vec::with_capacity(self.len());
        for (k, v) in self.iter() {
            out.push(positional![*k, *v]);
        }
        Json::Arr(out)
    }
    fn from_plan(v: &Json) -> Option<Self> {
        let mut map = VecMap::new();
        for pair in v.as_arr()? {
            let (k, v) = <(K, V)>::from_plan(pair)?;
            if map.insert(k, v).is_some() {
                return None;
            }
        }
        Some(map)
    }
}

/// `Some(())` when every index is below `n`.
fn below<T: Copy + Into<usize>>(indexes: &[T], n: usize) -> Option<()> {
    for &i in indexes {
        if i.into() >= n {
            return None;
        }
    }
    Some(())
}

/// `Some(())` when a list holds at most `max` entries.
fn at_most<T>(items: &[T], max: usize) -> Option<()> {
    (items.len() <= max).then_some(())
}

in_order!(Policy { max_prompts_per_day, min_gap_between_prompts, display_timeout });

/// `"*"` for every event, else the list of names.
impl Plan for EventSel {
    fn to_plan(&self) -> Json {
        match self {
            EventSel::Any => Json::str("*"),
            EventSel::Names(names) => names.to_plan(),
        }
    }
    fn from_plan(v: &Json) -> Option<Self> {
        match v {
            Json::Str(s) if &**s == "*" => Some(EventSel::Any),
            _ => Vec::from_plan(v).map(EventSel::Names),
        }
    }
}

impl Plan for SignalForm {
    fn to_plan(&self) -> Json {
        match self {
            SignalForm::Count => positional![0u32],
            SignalForm::Sum { property } => positional![1u32, *property],
            SignalForm::Distinct { property } => positional![2u32, *property],
            SignalForm::ActiveDays => positional![3u32],
            SignalForm::ActiveWeeks => positional![4u32],
            SignalForm::DaysSinceFirst => positional![5u32],
            SignalForm::DaysSinceLast => positional![6u32],
            SignalForm::Trend => positional![7u32],
            SignalForm::Funnel { steps, within } => positional![8u32, *steps, *within],
            SignalForm::Ratio { numerator, denominator } => positional![9u32, *numerator, *denominator],
        }
    }
    fn from_plan(v: &Json) -> Option<Self> {
        Some(match super::condition::tagged(v)? {
            (0, []) => SignalForm::Count,
            (1, [property]) => SignalForm::Sum { property: Plan::from_plan(property)? },
            (2, [property]) => SignalForm::Distinct { property: Plan::from_plan(property)? },
            (3, []) => SignalForm::ActiveDays,
            (4, []) => SignalForm::ActiveWeeks,
            (5, []) => SignalForm::DaysSinceFirst,
            (6, []) => SignalForm::DaysSinceLast,
            (7, []) => SignalForm::Trend,
            (8, [steps, within]) => {
                SignalForm::Funnel { steps: Plan::from_plan(steps)?, within: Plan::from_plan(within)? }
            }
            (9, [numerator, denominator]) => {
                SignalForm::Ratio { numerator: Plan::from_plan(numerator)?, denominator: Plan::from_plan(denominator)? }
            }
            _ => return None,
        })
    }
}

impl Plan for CompiledSignal {
    fn to_plan(&self) -> Json {
        positional![self.id, self.form, self.window, self.where_, self.ratio, self.fingerprint]
    }
    fn from_plan(v: &Json) -> Option<Self> {
        let [id, form, window, where_, ratio, fingerprint] = super::arr(v)?;
        Some(CompiledSignal {
            id: Plan::from_plan(id)?,
            form: Plan::from_plan(form)?,
            window: Plan::from_plan(window)?,
            where_: Plan::from_plan(where_)?,
            ratio: Plan::from_plan(ratio)?,
            fingerprint: Plan::from_plan(fingerprint)?,
        })
    }
}

impl Plan for SignalPlan {
    fn to_plan(&self) -> Json {
        positional![self.signals, self.by_event, self.any_event, self.ratio_order, self.read_props]
    }
    fn from_plan(v: &Json) -> Option<Self> {
        let [signals, by_event, any_event, ratio_order, read_props] = super::arr(v)?;
        let signals: Vec<CompiledSignal> = Plan::from_plan(signals)?;
        let by_event: VecMap<Arc<str>, Vec<u16>> = Plan::from_plan(by_event)?;
        let any_event: Vec<u16> = Plan::from_plan(any_event)?;
        let ratio_order: Vec<u16> = Plan::from_plan(ratio_order)?;
        let read_props = Plan::from_plan(read_props)?;
        let n = signals.len();
        at_most(&signals, MAX_SIGNALS)?;
        for (_, fed) in by_event.iter() {
            below(fed, n)?;
        }
        below(&any_event, n)?;
        below(&ratio_order, n)?;
        let timed = crate::signal::timed(&signals);
        Some(SignalPlan { signals, by_event, any_event, ratio_order, timed, read_props })
    }
}

/// The id as a JSON string (`id_json`) is made again from the id.
impl Plan for CompiledSegment {
    fn to_plan(&self) -> Json {
        positional![self.id, self.when, self.reads]
    }
    fn from_plan(v: &Json) -> Option<Self> {
        let [id, when, reads] = super::arr(v)?;
        let id: Box<str> = Plan::from_plan(id)?;
        Some(CompiledSegment {
            id_json: Json::Str(id.clone()),
            id,
            when: Plan::from_plan(when)?,
            reads: Plan::from_plan(reads)?,
        })
    }
}

impl Plan for SegmentPlan {
    fn to_plan(&self) -> Json {
        positional![self.segments, self.order]
    }
    fn from_plan(v: &Json) -> Option<Self> {
        let [segments, order] = super::arr(v)?;
        let segments: Vec<CompiledSegment> = Plan::from_plan(segments)?;
        let order: Vec<usize> = Plan::from_plan(order)?;
        at_most(&segments, MAX_SEGMENTS)?;
        below(&order, segments.len())?;
        Some(SegmentPlan { segments, order })
    }
}

impl Plan for CompiledStage {
    fn to_plan(&self) -> Json {
        positional![self.id, self.when, self.min_dwell, self.reads]
    }
    fn from_plan(v: &Json) -> Option<Self> {
        let [id, when, min_dwell, reads] = super::arr(v)?;
        let id: Box<str> = Plan::from_plan(id)?;
        Some(CompiledStage {
            id_json: Json::Str(id.clone()),
            id,
            when: Plan::from_plan(when)?,
            min_dwell: Plan::from_plan(min_dwell)?,
            reads: Plan::from_plan(reads)?,
        })
    }
}

impl Plan for StageMachine {
    fn to_plan(&self) -> Json {
        self.stages.to_plan()
    }
    fn from_plan(v: &Json) -> Option<Self> {
        let stages: Vec<CompiledStage> = Vec::from_plan(v)?;
        at_most(&stages, MAX_STAGES)?;
        Some(StageMachine { stages })
    }
}

in_order!(Frequency { max_impressions, per, per_text });

in_order!(VariationDef { id, content, skip });

impl Plan for Obj {
    fn to_plan(&self) -> Json {
        Json::Obj(self.clone())
    }
    fn from_plan(v: &Json) -> Option<Self> {
        v.as_obj().cloned()
    }
}

impl Plan for ExperimentDef {
    fn to_plan(&self) -> Json {
        positional![
            self.key,
            self.hash_attribute,
            self.hash_version,
            self.coverage,
            self.namespace.as_ref().map(|(id, start, end)| (id.clone(), (*start, *end))),
            self.variations,
            self.weights,
        ]
    }
    fn from_plan(v: &Json) -> Option<Self> {
        let [key, hash_attribute, hash_version, coverage, namespace, variations, weights] = super::arr(v)?;
        let key = Plan::from_plan(key)?;
        let hash_attribute = Plan::from_plan(hash_attribute)?;
        let hash_version = Plan::from_plan(hash_version)?;
        let coverage = Plan::from_plan(coverage)?;
        let namespace: Option<(Box<str>, (f64, f64))> = Plan::from_plan(namespace)?;
        let variations: Vec<VariationDef> = Plan::from_plan(variations)?;
        let weights = Plan::from_plan(weights)?;
        at_most(&variations, MAX_VARIATIONS)?;
        Some(ExperimentDef {
            key,
            hash_attribute,
            hash_version,
            coverage,
            namespace: namespace.map(|(id, (start, end))| (id, start, end)),
            variations,
            weights,
        })
    }
}

in_order!(CompiledExperiment { def, hash_attribute, ranges, cacheable });

in_order!(CompiledItem { id, label, done });

in_order!(CompiledStep { id, done });

/// Of the definition, what the runtime reads (id, slot, kind, priority,
/// frequency, cool-down; the experiment is the compiled one's), and the
/// contents as written: the merged contents are made again from them
/// (`CompiledExperience::new`), as the compiler makes them. Its conditions and
/// items as written are not: the compiled ones replace them, and a
/// definition read from a plan has them empty (its steps have no `done`).
impl Plan for CompiledExperience {
    fn to_plan(&self) -> Json {
        let d = &self.def;
        let mut step_content = Vec::with_capacity(d.steps.len());
        for step in &d.steps {
            step_content.push(step.content.to_plan());
        }
        positional![
            d.id,
            d.slot,
            d.kind,
            d.priority,
            d.frequency,
            d.cooldown_after_dismiss,
            self.when,
            self.stop_when,
            self.items,
            self.steps,
            self.experiment,
            d.content,
            Json::Arr(step_content),
        ]
    }
    fn from_plan(v: &Json) -> Option<Self> {
        let [id, slot, kind, priority, frequency, cooldown_after_dismiss, when, stop_when, items, steps, experiment, content, step_contents] =
            super::arr(v)?;
        let id = Plan::from_plan(id)?;
        let slot = Plan::from_plan(slot)?;
        let kind: Box<str> = Plan::from_plan(kind)?;
        let priority = Plan::from_plan(priority)?;
        let frequency = Plan::from_plan(frequency)?;
        let cooldown_after_dismiss = Plan::from_plan(cooldown_after_dismiss)?;
        let when = Plan::from_plan(when)?;
        let stop_when = Plan::from_plan(stop_when)?;
        let items: Vec<CompiledItem> = Plan::from_plan(items)?;
        let steps: Vec<CompiledStep> = Plan::from_plan(steps)?;
        // The definition's experiment is read a second time from its plan
        // (`[[def, ...]]`), not cloned: an `ExperimentDef::clone` this reader
        // alone would bring into the page's module.
        let experiment_def = experiment.as_arr().and_then(|x| super::arr::<4>(x.first()?)?.first());
        let experiment_def = experiment_def.and_then(ExperimentDef::from_plan);
        let experiment: Option<CompiledExperiment> = Plan::from_plan(experiment)?;
        let content: Obj = Plan::from_plan(content)?;
        let step_contents = step_contents.as_arr()?;
        at_most(&items, MAX_ITEMS)?;
        at_most(&steps, MAX_STEPS)?;
        if step_contents.len() != steps.len() {
            return None;
        }
        let mut step_defs = Vec::new();
        for (step, content) in steps.iter().zip(step_contents) {
            step_defs.push(StepDef { id: step.id.clone(), content: Plan::from_plan(content)?, done: None });
        }
        let def = ExperienceDef {
            path: JsonPath::root(),
            id,
            slot,
            kind,
            priority,
            when: Json::Null,
            stop_when: None,
            content,
            frequency,
            cooldown_after_dismiss,
            items: Vec::new(),
            steps: step_defs,
            experiment: experiment_def,
        };
        Some(CompiledExperience::new(def, when, stop_when, items, steps, experiment))
    }
}

in_order!(Slot { id, experiences });

impl Plan for ExperiencePlan {
    fn to_plan(&self) -> Json {
        positional![self.experiences, self.tours, self.slots]
    }
    fn from_plan(v: &Json) -> Option<Self> {
        let [experiences, tours, slots] = super::arr(v)?;
        let experiences: Vec<CompiledExperience> = Plan::from_plan(experiences)?;
        let tours: Vec<usize> = Plan::from_plan(tours)?;
        let slots: Vec<Slot> = Plan::from_plan(slots)?;
        let n = experiences.len();
        at_most(&experiences, MAX_EXPERIENCES)?;
        below(&tours, n)?;
        for slot in &slots {
            below(&slot.experiences, n)?;
        }
        Some(ExperiencePlan { experiences, tours, slots })
    }
}

impl Plan for CompiledConfig {
    fn to_plan(&self) -> Json {
        positional![self.signals, self.segments, self.stages, self.experiences, self.policy]
    }
    fn from_plan(v: &Json) -> Option<Self> {
        let [signals, segments, stages, experiences, policy] = super::arr(v)?;
        let signals = Plan::from_plan(signals)?;
        let segments = Plan::from_plan(segments)?;
        let stages = Plan::from_plan(stages)?;
        let experiences = Plan::from_plan(experiences)?;
        let policy = Plan::from_plan(policy)?;
        let (signal_classes, condition_reads) = crate::compiled::summaries(&signals, &segments, &stages);
        Some(CompiledConfig { signals, segments, stages, experiences, policy, signal_classes, condition_reads })
    }
}

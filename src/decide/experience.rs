//! Experiences compiled for deciding: conditions pre-parsed, slots indexed
//! with their experiences in priority order.

use super::experiment::CompiledExperiment;
use super::tour::CompiledStep;
use crate::condition::{CompileEnv, Condition};
use crate::json::{Json, Obj};
use crate::model::{ExperienceDef, StepDef, VariationDef};
use crate::problem::Problems;

#[derive(Debug)]
pub struct CompiledItem {
    pub id: Box<str>,
    pub label: Option<Box<str>>,
    pub done: Condition,
}

#[derive(Debug)]
pub struct CompiledExperience {
    pub def: ExperienceDef,
    pub when: Condition,
    pub stop_when: Option<Condition>,
    pub items: Vec<CompiledItem>,
    /// A tour's steps (empty for other kinds).
    pub steps: Vec<CompiledStep>,
    pub experiment: Option<CompiledExperiment>,
    /// The content handed to the host: the experience's own, then one per
    /// variation (the variation's content replacing keys, shallowly).
    pub content: Json,
    pub variation_content: Vec<Json>,
    /// For a tour, the content while step `j` is current: for no
    /// variation, then for each variation, the step's content merged over
    /// that content key by key (`steps.len()` entries each).
    pub step_content: Vec<Json>,
    /// Every kind but `checklist` is a prompt, limited by the policy.
    pub is_prompt: bool,
    pub is_tour: bool,
}

impl CompiledExperience {
    /// An experience of its definition and compiled parts, with the
    /// contents handed to the host merged: by the compiler, and by the
    /// plan's reader (a plan carries the contents as written, not their
    /// merges, which would multiply a tour's content by its steps and
    /// variations).
    pub(crate) fn new(
        def: ExperienceDef,
        when: Condition,
        stop_when: Option<Condition>,
        items: Vec<CompiledItem>,
        steps: Vec<CompiledStep>,
        experiment: Option<CompiledExperiment>,
    ) -> Self {
        let variations = def.experiment.as_ref().map_or(&[][..], |x| &x.variations[..]);
        let (variation_content, step_content) = merged_contents(&def.content, variations, &def.steps);
        CompiledExperience {
            is_prompt: !def.is_checklist(),
            is_tour: def.is_tour(),
            content: Json::Obj(def.content.clone()),
            def,
            when,
            stop_when,
            items,
            steps,
            experiment,
            variation_content,
            step_content,
        }
    }

    /// The content handed to the host for a variation (None: no
    /// experiment) and, for a tour, its current step: the experience's
    /// content, then the variation's, then the step's, key by key.
    pub fn content_for(&self, variation: Option<usize>, step: Option<usize>) -> &Json {
        let base = match variation {
            Some(v) => self.variation_content.get(v).unwrap_or(&self.content),
            None => &self.content,
        };
        match step {
            Some(j) => {
                let at = variation.map_or(0, |v| v + 1) * self.steps.len() + j;
                self.step_content.get(at).unwrap_or(base)
            }
            None => base,
        }
    }
}

#[derive(Debug)]
pub struct Slot {
    pub id: Box<str>,
    /// Experience indexes, highest priority first (ties: config order).
    pub experiences: Vec<usize>,
}

#[derive(Debug)]
pub struct ExperiencePlan {
    pub experiences: Vec<CompiledExperience>,
    /// The indexes of the tours, whose `done` conditions are checked at
    /// every step.
    pub tours: Vec<usize>,
    /// In the order each slot first appears in the config.
    pub slots: Vec<Slot>,
}

impl ExperiencePlan {
    /// Takes the definitions (each is kept whole in its compiled form,
    /// moved, not copied) and compiles their conditions.
    pub fn compile(defs: Vec<ExperienceDef>, env: &CompileEnv, problems: &mut Problems) -> ExperiencePlan {
        let mut experiences = Vec::with_capacity(defs.len());
        let mut slots: Vec<Slot> = Vec::new();
        let mut tours = Vec::new();
        // Plain loops with pushes: each iterator chain collected here was
        // its own instance of core's and alloc's generics on the config's
        // path (docs/architecture.md "The code on the way to the first decision").
        for (i, def) in defs.into_iter().enumerate() {
            let at = &def.path;
            let when = Condition::compile(&def.when, &at.key("when"), env, problems);
            let stop_when = def.stop_when.as_ref().map(|c| Condition::compile(c, &at.key("stop_when"), env, problems));
            let mut items = Vec::with_capacity(def.items.len());
            for (j, item) in def.items.iter().enumerate() {
                items.push(CompiledItem {
                    id: item.id.clone(),
                    label: item.label.clone(),
                    done: Condition::compile(&item.done, &at.key("items").index(j).key("done"), env, problems),
                });
            }
            let experiment = def.experiment.as_ref().and_then(|x| match env.resolver.resolve(&x.hash_attribute) {
                Ok(p) => Some(CompiledExperiment::new(x.clone(), p)),
                Err((code, message)) => {
                    problems.push(code, &at.key("experiment").key("hash_attribute"), message);
                    None
                }
            });
            let mut steps = Vec::with_capacity(def.steps.len());
            for (j, step) in def.steps.iter().enumerate() {
                let done = step
                    .done
                    .as_ref()
                    .map(|c| Condition::compile(c, &at.key("steps").index(j).key("done"), env, problems));
                steps.push(CompiledStep { id: step.id.clone(), done });
            }
            match slots.iter_mut().find(|s| s.id == def.slot) {
                Some(slot) => slot.experiences.push(i),
                None => slots.push(Slot { id: def.slot.clone(), experiences: vec![i] }),
            }
            if def.is_tour() {
                tours.push(i);
            }
            experiences.push(CompiledExperience::new(def, when, stop_when, items, steps, experiment));
        }
        for slot in &mut slots {
            // A stable sort keeps config order among equal priorities.
            crate::collections::sort_small_by(&mut slot.experiences, |&a, &b| {
                let priority =
                    |i: usize| experiences.get(i).map_or(f64::NEG_INFINITY, |e: &CompiledExperience| e.def.priority);
                priority(a) > priority(b)
            });
        }
        ExperiencePlan { experiences, tours, slots }
    }

    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.experiences.iter().position(|e| &*e.def.id == id)
    }

    pub fn get(&self, id: &str) -> Option<&CompiledExperience> {
        self.experiences.iter().find(|e| &*e.def.id == id)
    }

    /// Whether an experiment of the config has this variation.
    pub fn has_variation(&self, experiment: &str, variation: &str) -> bool {
        self.experiences
            .iter()
            .filter_map(|e| e.experiment.as_ref())
            .any(|x| &*x.def.key == experiment && x.def.variations.iter().any(|v| &*v.id == variation))
    }
}

/// The contents of an experience's variations (`variation_content`) and,
/// for a tour, of its steps under no variation then under each
/// (`step_content`): each merged over `content` key by key.
fn merged_contents(content: &Obj, variations: &[VariationDef], steps: &[StepDef]) -> (Vec<Json>, Vec<Json>) {
    let mut variation_content = Vec::with_capacity(variations.len());
    for v in variations {
        variation_content.push(Json::Obj(merge_content(content, v.content.as_ref())));
    }
    let mut step_content = Vec::with_capacity(steps.len() * (1 + variation_content.len()));
    for k in 0..=variation_content.len() {
        let variation = k.checked_sub(1).and_then(|v| variation_content.get(v)).and_then(Json::as_obj);
        let base = variation.unwrap_or(content);
        for step in steps {
            step_content.push(Json::Obj(merge_content(base, step.content.as_ref())));
        }
    }
    (variation_content, step_content)
}

/// A variation's content replaces the experience's key by key (shallow);
/// so does a tour step's.
fn merge_content(base: &Obj, over: Option<&Obj>) -> Obj {
    let mut out = base.clone();
    if let Some(over) = over {
        for (k, v) in over.iter() {
            out.insert(k, v.clone());
        }
    }
    out
}

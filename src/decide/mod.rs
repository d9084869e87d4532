//! Decisions: for each slot asked, the eligible experience of highest
//! priority (or none), with its experiment variation, checklist items and,
//! when asked, the reasons for every experience of the slot.

pub mod bucket;
pub mod eligibility;
pub mod experience;
pub mod experiment;
pub mod interactions;
pub mod reasons;
pub mod tour;

use crate::json::{Json, Obj};
use eligibility::{check, Context};
use experience::CompiledExperience;
use experiment::{Assignment, NotInExperiment};

/// An experiment's first assignment of a variation to this user (holdout
/// included), to feed analytics as GrowthBook's tracking callback does.
#[derive(Clone, Debug, PartialEq)]
pub struct Exposure {
    pub experiment: Box<str>,
    pub variation: Box<str>,
    pub variation_index: usize,
    pub experience: Box<str>,
    pub hash_attribute: Box<str>,
    pub hash_value: String,
}

/// The `(experiment key, variation id)` pairs already exposed.
pub type Exposed = crate::collections::VecSet<(Box<str>, Box<str>)>;

/// What one slot shows.
#[derive(Clone, Debug)]
pub struct SlotDecision<'c> {
    pub slot: &'c str,
    pub experience: Option<&'c CompiledExperience>,
    pub variation: Option<usize>,
    /// The highest-priority eligible experience was held out.
    pub holdout: bool,
    /// For a tour: its current step.
    pub step: Option<usize>,
    /// For a checklist: whether each item is done; for a tour: whether
    /// each step is completed.
    pub items: Vec<bool>,
    /// Per experience of the slot, in priority order (when asked for).
    pub reasons: Option<Vec<Json>>,
}

impl<'c> SlotDecision<'c> {
    pub fn experience_id(&self) -> Option<&'c str> {
        self.experience.map(|e| &*e.def.id)
    }

    pub fn variation_id(&self) -> Option<&'c str> {
        let x = self.experience?.experiment.as_ref()?;
        x.def.variations.get(self.variation?).map(|v| &*v.id)
    }

    /// The id of a tour's current step.
    pub fn step_id(&self) -> Option<&'c str> {
        self.experience?.steps.get(self.step?).map(|s| &*s.id)
    }

    /// The content handed to the host (a variation's merged over the
    /// experience's, and a tour step's over that).
    pub fn content(&self) -> Option<&'c Json> {
        Some(self.experience?.content_for(self.variation, self.step))
    }

    /// `(item id, label, done)` of a checklist's items or a tour's steps.
    pub fn item_states(&self) -> impl Iterator<Item = (&'c str, Option<&'c str>, bool)> + '_ {
        let (items, steps) = self.experience.map_or((&[][..], &[][..]), |e| (&e.items[..], &e.steps[..]));
        let items = items.iter().map(|item| (&*item.id, item.label.as_deref()));
        let steps = steps.iter().map(|step| (&*step.id, None));
        items.chain(steps).zip(&self.items).map(|((id, label), done)| (id, label, *done))
    }

    /// The decision in the `simulate` output form.
    pub fn to_json(&self) -> Json {
        self.to_json_with(false)
    }

    /// The decision as the browser package hands it over: checklist items
    /// also carry their labels, so the host can render the list.
    pub fn to_json_with(&self, labels: bool) -> Json {
        let mut o = Obj::new();
        o.insert("experience", self.experience_id().map_or(Json::Null, Json::from));
        // Only a decision showing a tour has a `step` key.
        if let Some(step) = self.step_id() {
            o.insert("step", Json::from(step));
        }
        o.insert("variation", self.variation_id().map_or(Json::Null, Json::from));
        o.insert("holdout", Json::Bool(self.holdout));
        o.insert("content", self.content().cloned().unwrap_or(Json::Null));
        let items = self
            .item_states()
            .map(|(id, label, done)| {
                let mut item = Obj::new();
                item.insert("id", Json::from(id));
                if labels {
                    item.insert("label", label.map_or(Json::Null, Json::from));
                }
                item.insert("done", Json::Bool(done));
                Json::Obj(item)
            })
            .collect();
        o.insert("items", Json::Arr(items));
        o.insert("reasons", self.reasons.as_ref().map_or(Json::Null, |r| Json::Arr(r.clone())));
        Json::Obj(o)
    }

    /// Writes `to_json_with(labels)` as JSON text, without building the
    /// tree first (the browser's hot path: nothing is cloned).
    pub fn write_json(&self, out: &mut String, labels: bool) {
        let opt_str = |out: &mut String, s: Option<&str>| match s {
            Some(s) => Json::write_str(s, out),
            None => out.push_str("null"),
        };
        out.push_str("{\"experience\":");
        opt_str(out, self.experience_id());
        if let Some(step) = self.step_id() {
            out.push_str(",\"step\":");
            Json::write_str(step, out);
        }
        out.push_str(",\"variation\":");
        opt_str(out, self.variation_id());
        out.push_str(if self.holdout { ",\"holdout\":true,\"content\":" } else { ",\"holdout\":false,\"content\":" });
        match self.content() {
            Some(c) => c.write_to(out),
            None => out.push_str("null"),
        }
        out.push_str(",\"items\":[");
        for (i, (id, label, done)) in self.item_states().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str("{\"id\":");
            Json::write_str(id, out);
            if labels {
                out.push_str(",\"label\":");
                opt_str(out, label);
            }
            out.push_str(if done { ",\"done\":true}" } else { ",\"done\":false}" });
        }
        out.push_str("],\"reasons\":");
        match &self.reasons {
            Some(reasons) => {
                out.push('[');
                for (i, r) in reasons.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    r.write_to(out);
                }
                out.push(']');
            }
            None => out.push_str("null"),
        }
        out.push('}');
    }
}

/// Decides `slots` (indexes into the plan's slots) in the order given.
/// Records newly exposed variations in `exposed` and hands them to
/// `on_exposure`; records nothing else.
/// What a decision records about the user, and what it may reuse.
pub struct Records<'r> {
    pub exposed: &'r mut Exposed,
    pub on_exposure: &'r mut dyn FnMut(Exposure),
    /// Assignments already computed, per experience, valid while the hash
    /// attribute keeps its value: the owner clears them on `identify` and
    /// config changes (only attribute and entitlement hash values are kept).
    pub assignments: &'r mut Vec<Option<Result<Assignment, NotInExperiment>>>,
}

pub fn decide<'c>(
    ctx: &Context<'c, '_>,
    slots: &[usize],
    with_reasons: bool,
    records: &mut Records,
    new_prompts: &mut Vec<usize>,
) -> Vec<SlotDecision<'c>> {
    new_prompts.clear();
    let mut out = Vec::with_capacity(slots.len());
    for &s in slots {
        let Some(slot) = ctx.plan.slots.get(s) else { continue };
        let view = Context { new_prompts, ..*ctx };
        let (decision, winner) = decide_slot(&view, &slot.id, &slot.experiences, with_reasons, records);
        // A new prompt counts, for the later slots, as an impression now.
        if let Some((i, false)) = winner {
            if decision.experience.is_some_and(|e| e.is_prompt) {
                new_prompts.push(i);
            }
        }
        out.push(decision);
    }
    out
}

fn decide_slot<'c>(
    ctx: &Context<'c, '_>,
    slot: &'c str,
    candidates: &[usize],
    with_reasons: bool,
    records: &mut Records,
) -> (SlotDecision<'c>, Option<(usize, bool)>) {
    let mut winner = None;
    let mut decision = SlotDecision {
        slot,
        experience: None,
        variation: None,
        holdout: false,
        step: None,
        items: Vec::new(),
        reasons: None,
    };
    let mut reasons = with_reasons.then(Vec::new);
    for &i in candidates {
        let Some(exp) = ctx.plan.experiences.get(i) else { continue };
        let progress = ctx.logs.get(i).map(|log| log.tour).unwrap_or_default();
        let on_screen = match check(ctx, i) {
            Ok(on_screen) => on_screen,
            Err(why) => {
                if let Some(r) = &mut reasons {
                    r.push(reasons::with_progress(reasons::blocked(exp, ctx, why), exp, &progress));
                }
                continue;
            }
        };
        if let Some(winner) = decision.experience {
            if let Some(r) = &mut reasons {
                r.push(reasons::with_progress(reasons::lower_priority(exp, winner), exp, &progress));
            }
            continue;
        }
        // The user meets the experiment only now that this experience
        // would win the slot.
        let mut experiment_reason = None;
        if let Some(x) = &exp.experiment {
            let assigned = match records.assignments.get(i) {
                Some(Some(cached)) => cached.clone(),
                _ => {
                    let fresh = x.assign(ctx.doc);
                    if x.cacheable {
                        if records.assignments.len() <= i {
                            records.assignments.resize(i + 1, None);
                        }
                        if let Some(slot) = records.assignments.get_mut(i) {
                            *slot = Some(fresh.clone());
                        }
                    }
                    fresh
                }
            };
            match assigned {
                Ok(a) => {
                    let Some(v) = x.def.variations.get(a.variation) else { continue };
                    if records.exposed.add((x.def.key.clone(), v.id.clone())) {
                        (records.on_exposure)(Exposure {
                            experiment: x.def.key.clone(),
                            variation: v.id.clone(),
                            variation_index: a.variation,
                            experience: exp.def.id.clone(),
                            hash_attribute: x.def.hash_attribute.clone(),
                            hash_value: a.hash_value.clone(),
                        });
                    }
                    if v.skip {
                        decision.holdout = true;
                        if let Some(r) = &mut reasons {
                            let held_out = reasons::holdout(exp, &x.def.key, &v.id, &a.hash_value);
                            r.push(reasons::with_progress(held_out, exp, &progress));
                        }
                        continue;
                    }
                    decision.variation = Some(a.variation);
                    if reasons.is_some() {
                        experiment_reason = Some(reasons::experiment(&x.def.key, Ok((&v.id, &a.hash_value))));
                    }
                }
                Err(why) => {
                    if reasons.is_some() {
                        experiment_reason = Some(reasons::experiment(&x.def.key, Err(why)));
                    }
                }
            }
        }
        decision.experience = Some(exp);
        winner = Some((i, on_screen));
        if exp.is_tour {
            decision.step = progress.current(exp.steps.len());
            decision.items = (0..exp.steps.len()).map(|j| progress.is_done(j)).collect();
        } else {
            decision.items = exp.items.iter().map(|item| item.done.eval(ctx.doc)).collect();
        }
        match &mut reasons {
            Some(r) => {
                r.push(reasons::with_progress(reasons::shown(exp, ctx, on_screen, experiment_reason), exp, &progress))
            }
            None => break,
        }
    }
    decision.reasons = reasons;
    (decision, winner)
}

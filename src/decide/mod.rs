//! Decisions: for each slot asked, the eligible experience of highest
//! priority (or none), with its experiment variation, checklist items and,
//! when asked, the reasons for every experience of the slot.

pub mod bucket;
pub mod eligibility;
pub mod experience;
pub mod experiment;
pub mod interactions;
pub mod preview;
pub mod reasons;
pub mod tour;

use crate::json::{Json, ObjectWriter};
use eligibility::{check, Context};
use experience::CompiledExperience;
use experiment::{Assignment, NotInExperiment};
use preview::Forced;
use reasons::Reason;

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
    pub reasons: Option<Vec<Reason<'c>>>,
    /// The slot shows a preview (see `preview`): nothing was recorded.
    pub preview: bool,
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

    /// Appends what [`SlotDecision::write_json`] writes for a decision
    /// without reasons, in a few words: within one compiled config, two
    /// decisions that append the same words write the same text. The slot
    /// and the experience count by address (the config holds them; their
    /// ids, content, labels and steps follow), then the variation, step,
    /// holdout, preview and each item's state. A host that kept the text
    /// (or what it parsed) of a decision compares these instead of writing
    /// the text again (the wasm binding's `decide`).
    pub fn push_key(&self, key: &mut Vec<usize>) {
        key.push(self.slot.as_ptr() as usize);
        key.push(self.experience.map_or(0, |e| std::ptr::from_ref(e) as usize));
        key.push(self.variation.map_or(0, |v| v + 1));
        key.push(self.step.map_or(0, |s| s + 1));
        let flags =
            usize::from(self.holdout) | usize::from(self.preview) << 1 | usize::from(self.reasons.is_some()) << 2;
        key.push(flags);
        key.push(self.items.len());
        for chunk in self.items.chunks(usize::BITS as usize) {
            key.push(chunk.iter().enumerate().fold(0, |word, (i, done)| word | usize::from(*done) << i));
        }
    }

    /// The decision in the `simulate` output form, as a JSON value (read
    /// back from [`SlotDecision::write_json`], the one writer).
    pub fn to_json(&self) -> Json {
        self.to_json_with(false)
    }

    /// The decision as the browser package hands it over (items carry
    /// their labels), as a JSON value read back from the one writer.
    pub fn to_json_with(&self, labels: bool) -> Json {
        let mut text = String::with_capacity(256);
        self.write_json(&mut text, labels);
        crate::json::parse(&text).unwrap_or_default()
    }

    /// The decision as JSON text: `{experience, step?, variation, holdout,
    /// content, items, reasons, preview?}` (`step` only for a tour,
    /// `preview` only for a previewed slot); with `labels`, each item also
    /// carries its label (the browser's form: the host renders the list).
    pub fn write_json(&self, out: &mut String, labels: bool) {
        let mut o = ObjectWriter::new(out);
        o.opt_str("experience", self.experience_id());
        if let Some(step) = self.step_id() {
            o.str("step", step);
        }
        o.opt_str("variation", self.variation_id()).bool("holdout", self.holdout);
        match self.content() {
            Some(c) => c.write_to(o.key("content")),
            None => o.key("content").push_str("null"),
        }
        let out = o.key("items");
        out.push('[');
        for (i, (id, label, done)) in self.item_states().enumerate() {
            if i > 0 {
                out.push(',');
            }
            let mut item = ObjectWriter::new(out);
            item.str("id", id);
            if labels {
                item.opt_str("label", label);
            }
            item.bool("done", done);
            item.end();
        }
        out.push(']');
        match &self.reasons {
            Some(reasons) => {
                o.list("reasons", reasons, Reason::write_json);
            }
            None => o.key("reasons").push_str("null"),
        }
        if self.preview {
            o.bool("preview", true);
        }
        o.end();
    }
}

/// What a decision records about the user, and what it may reuse.
pub struct Records<'r> {
    /// False for a decision that must record nothing (a dry run, a
    /// previewed slot): first exposures are then neither kept nor reported.
    pub record: bool,
    pub exposed: &'r mut Exposed,
    pub on_exposure: &'r mut dyn FnMut(Exposure),
    /// Assignments already computed, per experience, valid while the hash
    /// attribute keeps its value: the owner clears them on `identify` and
    /// config changes (only attribute and entitlement hash values are kept).
    pub assignments: &'r mut Vec<Option<Result<Assignment, NotInExperiment>>>,
}

/// Decides `slots` (indexes into the plan's slots) in the order given.
/// Records newly exposed variations in `exposed` and hands them to
/// `on_exposure` (unless `records.record` is false); records nothing else.
/// A slot with a `preview` entry shows the forced experience and records
/// nothing; its prompt does not count for the policy of later slots.
pub fn decide<'c>(
    ctx: &Context<'c, '_>,
    slots: &[usize],
    with_reasons: bool,
    preview: &[Forced],
    records: &mut Records,
    new_prompts: &mut Vec<usize>,
) -> Vec<SlotDecision<'c>> {
    new_prompts.clear();
    let mut out = Vec::with_capacity(slots.len());
    for &s in slots {
        let Some(slot) = ctx.plan.slots.get(s) else { continue };
        let view = Context { new_prompts, ..*ctx };
        if let Some(forced) = preview.iter().find(|f| f.slot == s) {
            let mut muted = Records {
                record: false,
                exposed: records.exposed,
                on_exposure: records.on_exposure,
                assignments: records.assignments,
            };
            out.push(decide_previewed(&view, &slot.id, &slot.experiences, *forced, with_reasons, &mut muted));
            continue;
        }
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
        preview: false,
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
                        // Pushes, not `resize(i + 1, None)`: its fill
                        // clones a value (`extend_with`) and brought a
                        // second `Result` clone into the wasm.
                        while records.assignments.len() <= i {
                            records.assignments.push(None);
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
                    if records.record && records.exposed.add((x.def.key.clone(), v.id.clone())) {
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
        winner = Some((i, on_screen));
        show(&mut decision, exp, ctx, progress);
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

/// Makes `exp` the slot's winner: what the host is handed besides the
/// experience (a checklist's items; a tour's current step and its steps,
/// from `progress`).
fn show<'c>(
    decision: &mut SlotDecision<'c>,
    exp: &'c CompiledExperience,
    ctx: &Context<'c, '_>,
    progress: tour::Progress,
) {
    decision.experience = Some(exp);
    if exp.is_tour {
        decision.step = progress.current(exp.steps.len());
        let mut items = Vec::new();
        for j in 0..exp.steps.len() {
            items.push(progress.is_done(j));
        }
        decision.items = items;
    } else {
        let mut items = Vec::new();
        for item in &exp.items {
            items.push(item.done.eval(ctx.doc));
        }
        decision.items = items;
    }
}

/// A previewed slot: the forced experience, whatever its eligibility, with
/// the forced variation's content; or, for a holdout variation, what a
/// held-out user sees (the slot as if the experience did not exist).
/// `records` is muted: nothing is recorded.
fn decide_previewed<'c>(
    ctx: &Context<'c, '_>,
    slot: &'c str,
    candidates: &[usize],
    forced: Forced,
    with_reasons: bool,
    records: &mut Records,
) -> SlotDecision<'c> {
    let Some(exp) = ctx.plan.experiences.get(forced.experience) else {
        return decide_slot(ctx, slot, candidates, with_reasons, records).0;
    };
    let variation = forced.variation.and_then(|v| Some((v, exp.experiment.as_ref()?.def.variations.get(v)?)));
    let entry = with_reasons.then(|| {
        let entry = reasons::preview(exp, ctx, variation.map(|(_, v)| &*v.id), check(ctx, forced.experience));
        reasons::with_progress(entry, exp, &forced.progress)
    });
    let mut decision = if variation.is_some_and(|(_, v)| v.skip) {
        let mut others: Vec<usize> = Vec::new();
        for &i in candidates {
            if i != forced.experience {
                others.push(i);
            }
        }
        let mut held_out = decide_slot(ctx, slot, &others, with_reasons, records).0;
        held_out.holdout = true;
        held_out
    } else {
        let mut d = SlotDecision {
            slot,
            experience: None,
            variation: variation.map(|(i, _)| i),
            holdout: false,
            step: None,
            items: Vec::new(),
            reasons: None,
            preview: true,
        };
        show(&mut d, exp, ctx, forced.progress);
        if with_reasons {
            // The slot's other experiences, as they stand beside the preview.
            let mut others = Vec::new();
            for &i in candidates {
                let Some(other) = ctx.plan.experiences.get(i).filter(|_| i != forced.experience) else { continue };
                let progress = ctx.logs.get(i).map(|log| log.tour).unwrap_or_default();
                let reason = match check(ctx, i) {
                    Ok(_) => reasons::lower_priority(other, exp),
                    Err(why) => reasons::blocked(other, ctx, why),
                };
                others.push(reasons::with_progress(reason, other, &progress));
            }
            d.reasons = Some(others);
        }
        d
    };
    decision.preview = true;
    if let Some(entry) = entry {
        decision.reasons.get_or_insert_with(Vec::new).insert(0, entry);
    }
    decision
}

//! Preview: an experience (and, optionally, one of its experiment's
//! variations) forced into its slot for this session, so that a product
//! team can see it in the real page. A previewed slot records nothing: no
//! exposure, no impression, nothing in the user's stored state. The
//! engine keeps the preview beside the user's state, never in it.

use super::experience::ExperiencePlan;
use super::tour::Progress;
use crate::error::InputError;

/// One forced experience, as indexes into the compiled plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Forced {
    pub slot: usize,
    pub experience: usize,
    /// A variation of the experience's experiment; None shows the
    /// experience's own content.
    pub variation: Option<usize>,
    /// A previewed tour's own progress: it starts at the first step and
    /// `advanced` walks it, without touching the user's progress.
    pub progress: Progress,
}

/// Resolves `(experience id, variation id)` pairs against the plan: an
/// unknown experience or variation, or two previews for one slot, refuse
/// the whole list.
pub fn resolve(plan: &ExperiencePlan, asked: &[(&str, Option<&str>)]) -> Result<Vec<Forced>, InputError> {
    let mut out: Vec<Forced> = Vec::with_capacity(asked.len());
    for &(id, variation) in asked {
        let unknown = || InputError::UnknownExperience(crate::input::truncate(id, 64));
        let experience = plan.index_of(id).ok_or_else(unknown)?;
        let exp = plan.experiences.get(experience).ok_or_else(unknown)?;
        let slot = plan.slots.iter().position(|s| s.id == exp.def.slot).ok_or_else(unknown)?;
        let variation = match variation {
            None => None,
            Some(v) => {
                let found = exp.def.experiment.as_ref().and_then(|x| x.variations.iter().position(|var| &*var.id == v));
                Some(found.ok_or_else(|| InputError::UnknownVariation {
                    experience: crate::input::truncate(id, 64),
                    variation: crate::input::truncate(v, 64),
                })?)
            }
        };
        if let Some(other) = out.iter().find(|f| f.slot == slot) {
            let other_id = plan.experiences.get(other.experience).map_or("", |e| &*e.def.id);
            return Err(InputError::PreviewConflict {
                slot: exp.def.slot.to_string(),
                first: other_id.to_string(),
                second: id.to_string(),
            });
        }
        out.push(Forced { slot, experience, variation, progress: Progress::default() });
    }
    Ok(out)
}

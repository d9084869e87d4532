//! Segments: named conditions, evaluated in dependency order.

use crate::collections::VecMap;
use crate::condition::{CompileEnv, Condition};
use crate::doc::{EvalDoc, Inputs};
use crate::json::Json;
use crate::model::SegmentDef;
use crate::problem::{JsonPath, Problems};

#[derive(Debug)]
pub struct CompiledSegment {
    pub id: Box<str>,
    /// The id as a JSON string, pushed into the `segments` array conditions see.
    pub id_json: Json,
    pub when: Condition,
    /// What `when` reads.
    pub reads: Inputs,
}

#[derive(Debug)]
pub struct SegmentPlan {
    /// In config order.
    pub segments: Vec<CompiledSegment>,
    /// Indexes into `segments`, dependencies first.
    pub order: Vec<usize>,
}

impl SegmentPlan {
    pub fn compile(defs: &[SegmentDef], order: Vec<usize>, env: &CompileEnv, problems: &mut Problems) -> SegmentPlan {
        let segments = defs
            .iter()
            .map(|d| {
                let when = Condition::compile(
                    &d.when,
                    &JsonPath::root().key("segments").key(&d.id).key("when"),
                    env,
                    problems,
                );
                CompiledSegment {
                    id: d.id.clone(),
                    id_json: Json::Str(d.id.clone()),
                    reads: Inputs::read_by(&when),
                    when,
                }
            })
            .collect();
        SegmentPlan { segments, order }
    }

    /// Evaluates every segment. `held` receives, for each segment in config
    /// order, whether it holds. Each segment sees (as `segments`) those
    /// already found to hold, in evaluation order; the `doc`'s own
    /// `segments` is not read. Returns the set that holds, as a mask whose
    /// array `arrays` keeps.
    ///
    /// `known` keeps, per segment, its result at the previous evaluation;
    /// `changed` says which inputs changed since. A segment whose inputs
    /// did not change (nor, if it reads `segments`, the results before it
    /// in evaluation order) keeps its result without being evaluated.
    pub fn evaluate(
        &self,
        doc: &EvalDoc,
        changed: &Inputs,
        known: &mut Vec<Option<bool>>,
        held: &mut Vec<bool>,
        arrays: &mut SegmentArrays,
    ) -> u128 {
        held.clear();
        held.resize(self.segments.len(), false);
        known.resize(self.segments.len(), None);
        let mut changed = Inputs { segments: false, ..*changed };
        let mut mask = 0u128;
        for &i in &self.order {
            let (Some(seg), Some(known)) = (self.segments.get(i), known.get_mut(i)) else { continue };
            let holds = match *known {
                Some(holds) if !seg.reads.meets(&changed) => holds,
                before => {
                    let holds = seg.when.eval(&EvalDoc { segments: arrays.array(self, mask), ..*doc });
                    *known = Some(holds);
                    // The segments after this one see another set.
                    changed.segments |= before != Some(holds);
                    holds
                }
            };
            if holds {
                if let Some(h) = held.get_mut(i) {
                    *h = true;
                }
                mask |= 1u128 << i;
            }
        }
        arrays.array(self, mask);
        mask
    }

    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.segments.iter().position(|s| &*s.id == id)
    }
}

/// The `segments` arrays conditions see, one per set of segments (a mask
/// of config indexes; a config has at most 128 segments), built once and
/// reused: evaluating allocates nothing once a user's sets have been seen.
#[derive(Debug, Default)]
pub struct SegmentArrays(VecMap<u128, Json>);

/// More distinct sets than this and the cache starts over (a user only
/// ever moves through a few).
const MAX_CACHED_SETS: usize = 256;

impl SegmentArrays {
    /// The array of the segments in `mask`, in evaluation order.
    pub fn array(&mut self, plan: &SegmentPlan, mask: u128) -> &Json {
        if !self.0.contains_key(&mask) {
            if self.0.len() >= MAX_CACHED_SETS {
                self.0.clear();
            }
            let mut ids = Vec::new();
            for &i in &plan.order {
                if i < 128 && mask & (1u128 << i) != 0 {
                    if let Some(s) = plan.segments.get(i) {
                        ids.push(s.id_json.clone());
                    }
                }
            }
            self.0.insert(mask, Json::Arr(ids));
        }
        self.0.get(&mask).unwrap_or(&Json::Null)
    }

    /// The array of a set already built by `array` (null otherwise).
    pub fn get(&self, mask: u128) -> &Json {
        self.0.get(&mask).unwrap_or(&Json::Null)
    }
}

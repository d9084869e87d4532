//! Segments: named conditions, evaluated in dependency order.

use crate::condition::{CompileEnv, Condition};
use crate::config::model::SegmentDef;
use crate::doc::EvalDoc;
use crate::json::Json;
use crate::problem::{JsonPath, Problems};

#[derive(Debug)]
pub struct CompiledSegment {
    pub id: Box<str>,
    /// The id as a JSON string, pushed into the `segments` array conditions see.
    pub id_json: Json,
    pub when: Condition,
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
            .map(|d| CompiledSegment {
                id: d.id.clone(),
                id_json: Json::Str(d.id.clone()),
                when: Condition::compile(
                    &d.when,
                    &JsonPath::root().key("segments").key(&d.id).key("when"),
                    env,
                    problems,
                ),
            })
            .collect();
        SegmentPlan { segments, order }
    }

    /// Evaluates every segment. `held` receives, for each segment in config
    /// order, whether it holds; `found` becomes the `segments` array that
    /// conditions see, grown in evaluation order (each segment sees those
    /// already found; the `doc`'s own `segments` is not read).
    pub fn evaluate(&self, doc: &EvalDoc, held: &mut Vec<bool>, found: &mut Json) {
        held.clear();
        held.resize(self.segments.len(), false);
        match &mut *found {
            Json::Arr(ids) => ids.clear(),
            other => *other = Json::Arr(Vec::with_capacity(self.segments.len())),
        }
        for &i in &self.order {
            let Some(seg) = self.segments.get(i) else { continue };
            let holds = seg.when.eval(&EvalDoc { segments: found, ..*doc });
            if holds {
                if let (Some(h), Json::Arr(ids)) = (held.get_mut(i), &mut *found) {
                    *h = true;
                    ids.push(seg.id_json.clone());
                }
            }
        }
    }

    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.segments.iter().position(|s| &*s.id == id)
    }
}

//! Stages: the first stage whose `when` holds, held for at least its
//! `min_dwell` unless a stage above it matches.

use crate::condition::{CompileEnv, Condition};
use crate::doc::{EvalDoc, Inputs};
use crate::json::Json;
use crate::model::StageDef;
use crate::problem::Problems;
use crate::time::Millis;
use std::collections::VecDeque;

/// How many stage changes are kept.
pub const MAX_TRANSITIONS: usize = 100;

#[derive(Debug)]
pub struct CompiledStage {
    pub id: Box<str>,
    /// The id as a JSON string: what `stage` reads in conditions.
    pub id_json: Json,
    pub when: Condition,
    pub min_dwell: Option<Millis>,
    /// What `when` reads.
    pub reads: Inputs,
}

#[derive(Debug)]
pub struct StageMachine {
    /// In priority order (config order).
    pub stages: Vec<CompiledStage>,
}

/// The stage a user holds and since when.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HeldStage {
    pub index: usize,
    pub since: Millis,
}

/// One change of stage.
#[derive(Clone, Debug, PartialEq)]
pub struct Transition {
    pub from: Option<Box<str>>,
    pub to: Option<Box<str>>,
    pub at: Millis,
}

impl Transition {
    /// `{from, to, at}` as JSON text (the browser's `stageHistory()` and
    /// `onStageChange`).
    pub fn write_json(&self, out: &mut String) {
        let mut o = crate::json::ObjectWriter::new(out);
        self.write_fields(&mut o);
        o.end();
    }

    /// The fields `from`, `to`, `at` into an object being written.
    pub fn write_fields(&self, o: &mut crate::json::ObjectWriter) {
        o.opt_str("from", self.from.as_deref()).opt_str("to", self.to.as_deref()).num("at", self.at as f64);
    }
}

/// The user's stage and its history of changes (the last 100).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StageState {
    pub held: Option<HeldStage>,
    pub transitions: VecDeque<Transition>,
}

impl StageMachine {
    pub fn compile(defs: &[StageDef], env: &CompileEnv, problems: &mut Problems) -> StageMachine {
        let stages = defs
            .iter()
            .map(|d| {
                let when = Condition::compile(&d.when, &d.path.key("when"), env, problems);
                let reads = Inputs::read_by(&when);
                CompiledStage {
                    id: d.id.clone(),
                    id_json: Json::Str(d.id.clone()),
                    when,
                    min_dwell: d.min_dwell,
                    reads,
                }
            })
            .collect();
        StageMachine { stages }
    }

    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.stages.iter().position(|s| &*s.id == id)
    }

    /// The `stage` value conditions see for a held stage.
    pub fn stage_json(&self, held: Option<HeldStage>) -> &Json {
        held.and_then(|h| self.stages.get(h.index)).map_or(&Json::Null, |s| &s.id_json)
    }

    /// The first stage whose `when` holds (None: none does).
    pub fn first_match(&self, doc: &EvalDoc) -> Option<usize> {
        self.stages.iter().position(|s| s.when.eval(doc))
    }

    /// `first_match`, keeping in `known` each stage's result while its
    /// inputs do not change (`changed`: the inputs changed since the
    /// previous call). A stage after the first match is not evaluated;
    /// its kept result is dropped when its inputs changed.
    pub fn first_match_known(&self, doc: &EvalDoc, changed: &Inputs, known: &mut Vec<Option<bool>>) -> Option<usize> {
        known.resize(self.stages.len(), None);
        let mut first = None;
        for (i, (stage, known)) in self.stages.iter().zip(known.iter_mut()).enumerate() {
            let fresh = !stage.reads.meets(changed);
            if first.is_some() {
                if !fresh {
                    *known = None;
                }
                continue;
            }
            let holds = match *known {
                Some(holds) if fresh => holds,
                _ => {
                    let holds = stage.when.eval(doc);
                    *known = Some(holds);
                    holds
                }
            };
            if holds {
                first = Some(i);
            }
        }
        first
    }

    /// Applies DESIGN's rule at `now`: with stage S entered at T and F the
    /// first match (None ranks below every stage), move to F when F is
    /// above S, or when F differs and `now - T >= S.min_dwell`. A new user
    /// enters their first stage at their first step. Returns the change.
    pub fn step<'s>(
        &self,
        state: &'s mut StageState,
        first_match: Option<usize>,
        now: Millis,
    ) -> Option<&'s Transition> {
        let moves = match state.held {
            None => first_match.is_some(),
            Some(held) if first_match == Some(held.index) => false,
            Some(held) => {
                let above = first_match.is_some_and(|f| f < held.index);
                let dwell = self.stages.get(held.index).and_then(|s| s.min_dwell).unwrap_or(0);
                above || now - held.since >= dwell
            }
        };
        if !moves {
            return None;
        }
        let name = |h: Option<usize>| h.and_then(|i| self.stages.get(i)).map(|s| s.id.clone());
        let transition = Transition { from: name(state.held.map(|h| h.index)), to: name(first_match), at: now };
        state.held = first_match.map(|index| HeldStage { index, since: now });
        if state.transitions.len() == MAX_TRANSITIONS {
            state.transitions.pop_front();
        }
        state.transitions.push_back(transition);
        state.transitions.back()
    }
}

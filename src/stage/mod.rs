//! Stages: the first stage whose `when` holds, held for at least its
//! `min_dwell` unless a stage above it matches.

use crate::condition::{CompileEnv, Condition};
use crate::doc::EvalDoc;
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
            .map(|d| CompiledStage {
                id: d.id.clone(),
                id_json: Json::Str(d.id.clone()),
                when: Condition::compile(&d.when, &d.path.key("when"), env, problems),
                min_dwell: d.min_dwell,
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

//! The compiled form of a config: what the engine runs on, made by the
//! compiler (`config`) or read back from a compiled plan (`plan`). Both
//! build on this module, and `config::load_text` reads either: `plan`
//! must not reach into `config` (the modules import no circle).

use crate::decide::experience::ExperiencePlan;
use crate::model::Policy;
use crate::segment::SegmentPlan;
use crate::signal::SignalPlan;
use crate::stage::StageMachine;

/// A valid config, compiled once: signals indexed by event, conditions
/// pre-parsed, segments ordered, slots indexed.
#[derive(Debug)]
pub struct CompiledConfig {
    pub signals: SignalPlan,
    pub segments: SegmentPlan,
    pub stages: StageMachine,
    pub experiences: ExperiencePlan,
    pub policy: Policy,
    /// What a change of each signal's value means to the segment and
    /// stage conditions (see `doc::SignalThresholds`).
    pub signal_classes: crate::doc::SignalThresholds,
    /// What any segment or stage condition reads.
    pub condition_reads: crate::doc::Inputs,
}

/// What the engine knows of the segment and stage conditions as a whole:
/// what a change of each signal's value means to them, and what any of
/// them reads. Computed from the compiled conditions, by the compiler and
/// by the plan's reader alike (a plan does not carry them: they differ by
/// build).
pub(crate) fn summaries(
    signals: &SignalPlan,
    segments: &SegmentPlan,
    stages: &StageMachine,
) -> (crate::doc::SignalThresholds, crate::doc::Inputs) {
    // Replay (`text`: timelines, exports) skips a condition while its
    // signal stays between the numbers it compares it with; the browser's
    // engine, one user deciding now and then, compares values bit for bit
    // (the same results, and 1 KB less of wasm).
    #[cfg(feature = "text")]
    let signal_classes = crate::doc::SignalThresholds::new(
        signals.len(),
        segments.segments.iter().map(|s| &s.when).chain(stages.stages.iter().map(|s| &s.when)),
    );
    #[cfg(not(feature = "text"))]
    let signal_classes = crate::doc::SignalThresholds::default();
    // Read by the replay's engine only (`Engine::compute_at`, with `text`).
    #[cfg(feature = "text")]
    let condition_reads = segments
        .segments
        .iter()
        .map(|s| s.reads)
        .chain(stages.stages.iter().map(|s| s.reads))
        .fold(crate::doc::Inputs::default(), crate::doc::Inputs::union);
    #[cfg(not(feature = "text"))]
    let condition_reads = crate::doc::Inputs::ALL;
    #[cfg(not(feature = "text"))]
    let _ = (signals, segments, stages);
    (signal_classes, condition_reads)
}

// The conditions of a config, for GrowthBook's evalCondition: every
// segment `when`, every stage `when`, every experience `when`, `stop_when`
// and checklist item `done` (saas.json: 4 + 6 + 5 + 1 + 4 = 20).

export function conditionsOf(config) {
  const segments = Object.entries(config.segments ?? {}).map(([id, s]) => ({ id, when: s.when }));
  const stages = (config.stages ?? []).map((s) => ({ id: s.id, when: s.when }));
  const experiences = [];
  for (const x of config.experiences ?? []) {
    experiences.push({ id: `${x.id}.when`, when: x.when });
    if (x.stop_when) experiences.push({ id: `${x.id}.stop_when`, when: x.stop_when });
    for (const item of x.items ?? []) experiences.push({ id: `${x.id}.items.${item.id}`, when: item.done });
  }
  return { segments, stages, experiences, count: segments.length + stages.length + experiences.length };
}

/**
 * GrowthBook's part: the document {signals, attributes, entitlements,
 * segments, stage} is given; evaluates all the conditions. Returns how many
 * held (so that the work cannot be optimised away).
 */
export function evaluatePrecomputed(evalCondition, conds, doc, savedGroups) {
  let held = 0;
  for (const s of conds.segments) if (evalCondition(doc, s.when, savedGroups)) held++;
  for (const s of conds.stages) if (evalCondition(doc, s.when, savedGroups)) held++;
  for (const x of conds.experiences) if (evalCondition(doc, x.when, savedGroups)) held++;
  return held;
}

/**
 * The hand-written pipeline's conditions: segments in config order (each
 * sees those found so far; saas.json lists dependencies first), the first
 * stage that holds (every stage condition is evaluated, as above), then the
 * experience conditions. Returns {segments, stage, held}.
 */
export function evaluateFromSignals(evalCondition, conds, signals, attributes, entitlements, heldStage, savedGroups) {
  const doc = { signals, attributes, entitlements, segments: [], stage: heldStage };
  let held = 0;
  for (const s of conds.segments) {
    if (evalCondition(doc, s.when, savedGroups)) {
      doc.segments.push(s.id);
      held++;
    }
  }
  let stage = null;
  for (const s of conds.stages) {
    if (evalCondition(doc, s.when, savedGroups)) {
      held++;
      if (stage === null) stage = s.id;
    }
  }
  doc.stage = stage;
  for (const x of conds.experiences) if (evalCondition(doc, x.when, savedGroups)) held++;
  return { segments: doc.segments, stage, held };
}

// The onstage inspector: the current stage and segments, the stage
// timeline, why each slot shows what it shows, every signal's value and
// the experiment exposure log.
import { formatDuration, formatRelative, formatShort } from './clock.js';
import { byTestId, h, mount } from './dom.js';
import { renderTimeline, stageColor } from './timeline.js';

const RESULT_LABEL = {
  shown: 'shown',
  holdout: 'held out',
  lower_priority: 'lower priority',
  when_failed: 'conditions fail',
  stopped: 'stopped',
  converted: 'converted',
  completed: 'tour completed',
  dismissed: 'dismissed',
  cooling_down: 'cooling down',
  all_items_done: 'all items done',
  capped: 'frequency cap',
  policy_gap: 'policy: prompt gap',
  policy_daily_limit: 'policy: daily limit',
};

const OPS = { $lt: '<', $lte: '≤', $gt: '>', $gte: '≥', $eq: '=', $ne: '≠' };

const show = (v) => (v === null || v === undefined ? '–' : typeof v === 'string' ? v : JSON.stringify(v));

/** A signal value for people: null as "–", fractions rounded. */
export function formatValue(v) {
  if (v === null || v === undefined) return '–';
  if (typeof v !== 'number') return JSON.stringify(v);
  return Number.isInteger(v) ? String(v) : v.toFixed(Math.abs(v) >= 10 ? 1 : 2);
}

/** The clauses of a condition explanation that held, as short sentences. */
function heldClauses(node, out = []) {
  for (const c of node?.clauses ?? node?.children ?? []) {
    if (c.children) {
      if (c.held) heldClauses(c, out);
    } else if (c.held && c.path) {
      out.push(`${c.path} is ${show(c.actual)} (${OPS[c.op] ?? c.op} ${show(c.operand)})`);
    }
  }
  return out;
}

function describeSource(def) {
  const events = (e) => (Array.isArray(e) ? e.join(' | ') : e === '*' ? 'any event' : e);
  const parts = [];
  for (const form of ['count', 'active_days', 'active_weeks', 'distinct', 'sum', 'days_since_first', 'days_since_last', 'trend']) {
    if (def[form] !== undefined) parts.push(`${form.replace(/_/g, ' ')} ${events(def[form])}`);
  }
  if (def.funnel) parts.push(`funnel ${def.funnel.map(events).join(' → ')}`);
  if (def.ratio) parts.push(`${def.ratio[0]} ÷ ${def.ratio[1]}`);
  if (def.property) parts.push(`.${def.property}`);
  if (def.where) parts.push(`where ${JSON.stringify(def.where)}`);
  if (def.window) parts.push(`· ${def.window}`);
  if (def.within) parts.push(`within ${def.within}`);
  return parts.join(' ');
}

function until(reason, now) {
  if (!reason.until) return null;
  const t = Date.parse(reason.until);
  return h('li', { class: 'until', dataset: { until: reason.until } }, `until ${formatShort(t)} (${formatRelative(t, now)})`);
}

function reasonDetails(r, now) {
  const items = [];
  const li = (...c) => h('li', {}, ...c);
  switch (r.result) {
    case 'shown':
      items.push(li(r.on_screen ? 'on screen: this render continues the impression' : 'new impression'));
      for (const c of heldClauses(r.conditions)) items.push(h('li', { class: 'held' }, c));
      break;
    case 'when_failed':
      for (const f of r.failed ?? []) items.push(h('li', { class: 'failed' }, f));
      break;
    case 'stopped':
      items.push(li('its stop_when condition holds'));
      for (const c of heldClauses(r.conditions)) items.push(h('li', { class: 'held' }, c));
      break;
    case 'lower_priority':
      items.push(li('beaten by ', h('strong', {}, r.beaten_by), ` (priority ${r.priority} < ${r.winner_priority})`));
      break;
    case 'capped':
      items.push(li(`${r.impressions} of ${r.max_impressions} impressions per ${r.per}`));
      break;
    case 'policy_gap':
      items.push(li('another prompt was shown moments ago: ', h('strong', {}, r.blocked_by ?? 'another prompt')));
      break;
    case 'policy_daily_limit':
      items.push(li(`${r.prompts_today} of ${r.max_prompts_per_day} prompts already shown today`));
      break;
    case 'dismissed':
      items.push(li('dismissed, and it has no cool-down: hidden for good'));
      break;
    case 'converted':
      items.push(li('reached its goal: never shown again'));
      break;
    case 'all_items_done':
      items.push(li('every checklist item is done'));
      break;
    case 'holdout':
      items.push(li('in the holdout: the slot falls through to its next experience'));
      break;
    case 'completed':
      items.push(li('every step is completed: never shown again'));
      break;
    default:
  }
  // A tour's progress: each step, and how a completed one was completed.
  if (Array.isArray(r.steps)) {
    items.push(h('li', { class: 'tour-steps', testid: `steps-${r.experience}` },
      r.step ? ['at step ', h('strong', {}, r.step), ': '] : 'steps: ',
      r.steps.map((st, i) => [i > 0 && ', ', h('span', { class: st.done ? 'held' : '', dataset: { step: st.id, by: st.by ?? '' } },
        `${st.id}${st.done ? ` ✓ (${st.by === 'advanced' ? 'advanced' : 'done held'})` : ''}`)])));
  }
  const u = until(r, now);
  if (u) items.push(u);
  if (r.experiment) {
    const x = r.experiment;
    items.push(h('li', { class: 'experiment', dataset: { variation: x.variation ?? '' } },
      'experiment ', h('code', {}, x.key), ': ',
      x.variation ? ['variation ', h('strong', {}, x.variation), ` (hash value "${x.hash_value}")`] : `not in the experiment (${x.not_in_experiment})`));
  }
  return items;
}

function renderStage(evaluation, config, now) {
  const stages = config.stages.map((st) => st.id);
  const stage = evaluation.stage;
  const since = evaluation.stageSince;
  const segments = Object.keys(config.segments ?? {});
  mount(byTestId('stage-panel'),
    h('div', { class: 'stage-row' },
      h('span', {
        class: 'stage-pill', testid: 'stage', dataset: { stage: stage ?? '' },
        style: `--stage:${stageColor(stage, stages.indexOf(stage))}`,
      }, stage ?? 'none'),
      since !== null && h('span', { class: 'muted', testid: 'stage-since', dataset: { since: new Date(since).toISOString() } },
        `since ${formatShort(since)} · ${formatDuration(now - since)}`)),
    h('div', { class: 'segments', testid: 'segments', dataset: { held: segments.filter((id) => evaluation.segments.includes(id)).join(' ') } },
      h('span', { class: 'label' }, 'Segments'),
      segments.map((id) => h('span', {
        class: `chip ${evaluation.segments.includes(id) ? 'held' : ''}`, testid: `segment-${id}`, dataset: { held: evaluation.segments.includes(id) },
      }, id))));
}

function renderReasons(decisions, now) {
  mount(byTestId('reasons'), Object.entries(decisions).map(([slot, d]) =>
    h('section', { class: 'slot-reasons', testid: `reasons-${slot}`, dataset: { experience: d.experience ?? '', holdout: d.holdout } },
      h('header', {},
        h('span', { class: 'slot-name' }, slot),
        h('span', { class: 'arrow' }, '→'),
        d.experience ? h('strong', {}, d.experience) : h('span', { class: 'muted' }, 'nothing to show'),
        d.variation && h('span', { class: 'badge variation' }, `variation ${d.variation}`),
        d.holdout && h('span', { class: 'badge holdout' }, 'holdout')),
      h('ol', {}, (d.reasons ?? []).map((r) =>
        h('li', { class: `reason result-${r.result}`, testid: `reason-${slot}-${r.experience}`, dataset: { result: r.result, blockedBy: r.blocked_by, beatenBy: r.beaten_by } },
          h('div', { class: 'reason-head' },
            h('code', {}, r.experience),
            h('span', { class: `badge result ${r.result}` }, RESULT_LABEL[r.result] ?? r.result)),
          h('ul', { class: 'reason-details' }, reasonDetails(r, now))))))));
}

function renderSignals(evaluation, config, previous) {
  const defs = config.signals ?? {};
  mount(byTestId('signals'), h('table', { class: 'signals' },
    h('tbody', {}, Object.entries(evaluation.signals).map(([id, v]) => h('tr', {
      class: previous && previous[id] !== v ? 'changed' : '',
    },
    h('th', { scope: 'row' }, h('code', {}, id), h('small', {}, defs[id] ? describeSource(defs[id]) : '')),
    h('td', {
      testid: `signal-${id}`, dataset: { value: JSON.stringify(v) }, class: v === null ? 'null' : '',
      title: evaluation.capped.includes(id) ? 'at its 1,000-value cap' : null,
    }, formatValue(v), evaluation.capped.includes(id) ? ' (cap)' : ''))))));
}

function renderExposures(exposures) {
  mount(byTestId('exposure-log'), exposures.length === 0
    ? h('li', { class: 'muted small' }, 'None yet: a user meets an experiment when its experience would win its slot.')
    : exposures.map((x) => h('li', { testid: 'exposure', dataset: { experiment: x.experiment, variation: x.variation } },
      h('time', {}, formatShort(x.at)),
      h('span', {}, h('code', {}, x.experiment), ' → ', h('strong', {}, x.variation),
        h('small', {}, ` for ${x.experience}, ${x.hashAttribute} = "${x.hashValue}"`)))));
}

export function createInspector() {
  let previousSignals = null;
  function render({ app, decisions, evaluation, now }) {
    renderStage(evaluation, app.config, now);
    renderTimeline(byTestId('timeline'), { transitions: app.transitions, stageIds: app.config.stages.map((st) => st.id), now });
    renderReasons(decisions, now);
    renderSignals(evaluation, app.config, previousSignals);
    renderExposures(app.exposures);
    previousSignals = evaluation.signals;
  }
  return { render };
}

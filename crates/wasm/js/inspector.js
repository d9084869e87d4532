// onstage/inspector: a development panel any app can mount to see what
// onstage sees: the stage and segments, the timeline of stage changes,
// why each slot shows what it shows (reasons, from a dry-run decision that
// records nothing), every signal's value, and the experiment exposures.
// It depends on nothing but the instance it is given; it renders into the
// host's element with its own styles (scoped under .onstage-inspector).
// Meant for development builds: import it behind a flag.
import { version } from './index.js';

const CSS = `
.onstage-inspector{--ins-bg:#0d1424;--ins-panel:#131c30;--ins-border:#223052;--ins-text:#dbe3f0;--ins-muted:#8b9bb8;--ins-code:#9cc4ff;
background:var(--ins-bg);color:var(--ins-text);font:13px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;padding:14px;border-radius:12px;text-align:left}
.onstage-inspector *{box-sizing:border-box}
.onstage-inspector h2,.onstage-inspector p,.onstage-inspector ol,.onstage-inspector ul{margin:0}
.onstage-inspector code{color:var(--ins-code);font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px}
.onstage-inspector .oi-muted{color:var(--ins-muted)}
.onstage-inspector .oi-head{display:flex;justify-content:space-between;align-items:flex-start;gap:10px;margin-bottom:12px}
.onstage-inspector .oi-head h2{font-size:15px;color:#fff;display:flex;align-items:center;gap:8px}
.onstage-inspector .oi-head h2::before{content:"";width:9px;height:9px;border-radius:50%;background:#34d399;box-shadow:0 0 0 3px rgb(52 211 153/.2)}
.onstage-inspector .oi-head p{margin-top:3px;color:var(--ins-muted);font-size:12px}
.onstage-inspector .oi-version{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:11.5px;padding:2px 8px;border-radius:999px;background:#1c2743;color:var(--ins-muted)}
.onstage-inspector .oi-preview{background:rgb(96 165 250/.14);border:1px solid rgb(96 165 250/.4);color:#bfdbfe;padding:6px 10px;border-radius:8px;margin-bottom:10px}
.onstage-inspector .oi-panel{background:var(--ins-panel);border:1px solid var(--ins-border);border-radius:10px;margin-bottom:10px}
.onstage-inspector .oi-panel>summary{cursor:pointer;padding:9px 12px;font-size:11.5px;font-weight:700;letter-spacing:.07em;text-transform:uppercase;color:var(--ins-muted);list-style:none;user-select:none}
.onstage-inspector .oi-panel>summary::-webkit-details-marker{display:none}
.onstage-inspector .oi-panel>summary::before{content:"▸";display:inline-block;width:14px;transition:transform .15s}
.onstage-inspector .oi-panel[open]>summary::before{transform:rotate(90deg)}
.onstage-inspector .oi-panel>div,.onstage-inspector .oi-panel>ol{padding:0 12px 12px}
.onstage-inspector .stage-row{display:flex;align-items:center;gap:10px;flex-wrap:wrap}
.onstage-inspector .stage-pill{font-size:15px;font-weight:700;padding:4px 12px;border-radius:999px;background:color-mix(in srgb,var(--stage) 22%,transparent);color:color-mix(in srgb,var(--stage) 55%,white);border:1px solid color-mix(in srgb,var(--stage) 70%,transparent)}
.onstage-inspector .segments{display:flex;align-items:center;gap:6px;flex-wrap:wrap;margin-top:10px}
.onstage-inspector .segments .label{color:var(--ins-muted);font-size:12px;margin-right:2px}
.onstage-inspector .chip{padding:2px 9px;border-radius:999px;font-size:12px;border:1px dashed #334366;color:#6f7f9e}
.onstage-inspector .chip.held{border-style:solid;border-color:#2f9e6a;background:rgb(52 211 153/.12);color:#8ff0c4;font-weight:600}
.onstage-inspector .timeline-svg{width:100%;max-width:560px;height:auto;display:block}
.onstage-inspector .timeline-svg .lane{stroke:#223052;stroke-width:1}
.onstage-inspector .timeline-svg .lane-label{font-size:11px;font-weight:600}
.onstage-inspector .timeline-svg .tick{stroke:#1b2642;stroke-dasharray:2 3}
.onstage-inspector .timeline-svg .tick-label{fill:var(--ins-muted);font-size:10px}
.onstage-inspector .timeline-svg .jump{stroke:#5b6b8e;stroke-width:1.5;stroke-dasharray:3 2}
.onstage-inspector .timeline-svg .now{stroke:#f5c542;stroke-width:1.5}
.onstage-inspector .slot-reasons{border:1px solid var(--ins-border);border-radius:8px;margin-bottom:8px;overflow:hidden}
.onstage-inspector .slot-reasons>header{display:flex;align-items:center;gap:7px;padding:7px 10px;background:#18233d;flex-wrap:wrap}
.onstage-inspector .slot-reasons>header strong{color:#fff}
.onstage-inspector .slot-name{font-weight:700;text-transform:uppercase;font-size:11px;letter-spacing:.07em;color:#c4b5fd}
.onstage-inspector .slot-reasons ol{list-style:none;padding:4px 10px 6px}
.onstage-inspector .reason{padding:5px 0;border-top:1px solid #1c2845}
.onstage-inspector .reason:first-child{border-top:0}
.onstage-inspector .reason-head{display:flex;align-items:center;gap:8px}
.onstage-inspector .reason-details{margin:3px 0 0;padding-left:16px;color:var(--ins-muted);font-size:12px}
.onstage-inspector .reason-details li{margin:1px 0;overflow-wrap:anywhere}
.onstage-inspector .reason-details .failed{color:#fca5a5}
.onstage-inspector .reason-details .held{color:#86efac}
.onstage-inspector .reason-details .until{color:#fcd34d}
.onstage-inspector .reason-details strong{color:var(--ins-text)}
.onstage-inspector .badge{font-size:11px;font-weight:650;padding:1px 7px;border-radius:999px;background:#24304d;color:#c3cde2;white-space:nowrap}
.onstage-inspector .badge.shown{background:rgb(52 211 153/.16);color:#6ee7b7}
.onstage-inspector .badge.preview{background:rgb(96 165 250/.22);color:#bfdbfe}
.onstage-inspector .badge.when_failed,.onstage-inspector .badge.stopped{background:#2a2f45;color:#9aa7c2}
.onstage-inspector .badge.capped,.onstage-inspector .badge.cooling_down,.onstage-inspector .badge.policy_gap,.onstage-inspector .badge.policy_daily_limit{background:rgb(245 197 66/.14);color:#fcd34d}
.onstage-inspector .badge.dismissed,.onstage-inspector .badge.converted,.onstage-inspector .badge.all_items_done,.onstage-inspector .badge.completed{background:rgb(148 163 184/.15);color:#cbd5e1}
.onstage-inspector .badge.holdout,.onstage-inspector .badge.lower_priority{background:rgb(167 139 250/.16);color:#c4b5fd}
.onstage-inspector .badge.variation{background:rgb(96 165 250/.18);color:#93c5fd}
.onstage-inspector table.signals{width:100%;border-collapse:collapse}
.onstage-inspector table.signals th,.onstage-inspector table.signals td{padding:4px 0;border-top:1px solid #1c2845;vertical-align:top}
.onstage-inspector table.signals tr:first-child th,.onstage-inspector table.signals tr:first-child td{border-top:0}
.onstage-inspector table.signals th{text-align:left;font-weight:400}
.onstage-inspector table.signals th small{display:block;color:#6c7c9b;font-size:11px;margin-top:1px;overflow-wrap:anywhere}
.onstage-inspector table.signals td{text-align:right;font-weight:700;font-variant-numeric:tabular-nums;color:#fff;padding-left:12px;white-space:nowrap}
.onstage-inspector table.signals td.null{color:#5d6c8a}
.onstage-inspector table.signals tr.changed td{color:#fcd34d}
.onstage-inspector .exposures{list-style:none;padding:0 12px 12px}
.onstage-inspector .exposures li{display:flex;gap:10px;padding:4px 0}
.onstage-inspector .exposures time{color:var(--ins-muted);white-space:nowrap;font-variant-numeric:tabular-nums}
.onstage-inspector .exposures small{color:var(--ins-muted)}
`;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const RESULT_LABEL = {
  shown: 'shown',
  preview: 'preview',
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

const KNOWN_COLORS = {
  onboarding: '#64748b',
  activation: '#0ea5e9',
  habit: '#16a34a',
  expansion: '#7c3aed',
  advocacy: '#d97706',
  at_risk: '#dc2626',
};
const PALETTE = ['#0891b2', '#db2777', '#65a30d', '#9333ea', '#ea580c', '#2563eb'];

// ---------------------------------------------------------------- DOM

const SVG_NS = 'http://www.w3.org/2000/svg';

function build(el, props, children) {
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'dataset') {
      for (const [k, v] of Object.entries(value)) if (v !== undefined && v !== null) el.dataset[k] = String(v);
    } else if (key === 'testid') {
      el.setAttribute('data-testid', value);
    } else {
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(typeof child === 'object' ? child : el.ownerDocument.createTextNode(String(child)));
  }
}

/** Text from the config or the engine is only ever a text node, never HTML. */
const h = (doc) => (tag, props, ...children) => build(doc.createElement(tag), props, children);
const s = (doc) => (tag, props, ...children) => build(doc.createElementNS(SVG_NS, tag), props, children);

function mount(el, ...children) {
  el.replaceChildren();
  append(el, children);
}

// ---------------------------------------------------------------- formats

const shortDateTime = new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
const dayMonth = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short' });
const timeOnly = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const formatShort = (t) => shortDateTime.format(t);

function formatDuration(ms) {
  const abs = Math.abs(ms);
  if (abs < MINUTE) return 'under a minute';
  const d = Math.floor(abs / DAY);
  const hr = Math.floor((abs % DAY) / HOUR);
  const m = Math.floor((abs % HOUR) / MINUTE);
  if (d > 0) return hr > 0 ? `${d}d ${hr}h` : `${d}d`;
  if (hr > 0) return m > 0 ? `${hr}h ${m}m` : `${hr}h`;
  return `${m}m`;
}

function formatRelative(t, now) {
  if (Math.abs(t - now) < MINUTE) return 'now';
  return t > now ? `in ${formatDuration(t - now)}` : `${formatDuration(now - t)} ago`;
}

/** A signal value for people: null as "–", fractions rounded. */
export function formatValue(v) {
  if (v === null || v === undefined) return '–';
  if (typeof v !== 'number') return JSON.stringify(v);
  return Number.isInteger(v) ? String(v) : v.toFixed(Math.abs(v) >= 10 ? 1 : 2);
}

const show = (v) => (v === null || v === undefined ? '–' : typeof v === 'string' ? v : JSON.stringify(v));

/** A stage's colour: the reference stages have their own, others take the palette by position. */
function stageColor(id, index = 0) {
  return KNOWN_COLORS[id] ?? PALETTE[Math.max(index, 0) % PALETTE.length];
}

// ---------------------------------------------------------------- panels

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

function reasonDetails(H, r, now) {
  const items = [];
  const li = (...c) => H('li', {}, ...c);
  switch (r.result) {
    case 'shown':
      items.push(li(r.onScreen ? 'on screen: this render continues the impression' : 'new impression'));
      for (const c of heldClauses(r.conditions)) items.push(H('li', { class: 'held' }, c));
      break;
    case 'preview': {
      items.push(li('previewed in this browser: nothing is recorded', r.variation ? ['; variation ', H('strong', {}, r.variation)] : ''));
      const normally = r.normally;
      if (normally === 'eligible') items.push(li('normally: eligible'));
      else if (normally) {
        items.push(li('normally: ', H('strong', {}, RESULT_LABEL[normally.result] ?? normally.result)));
        for (const f of normally.failed ?? []) items.push(H('li', { class: 'failed' }, f));
      }
      break;
    }
    case 'when_failed':
      for (const f of r.failed ?? []) items.push(H('li', { class: 'failed' }, f));
      break;
    case 'stopped':
      items.push(li('its stop_when condition holds'));
      for (const c of heldClauses(r.conditions)) items.push(H('li', { class: 'held' }, c));
      break;
    case 'lower_priority':
      items.push(li('beaten by ', H('strong', {}, r.beatenBy), ` (priority ${r.priority} < ${r.winnerPriority})`));
      break;
    case 'capped':
      items.push(li(`${r.impressions} of ${r.maxImpressions} impressions per ${r.per}`));
      break;
    case 'policy_gap':
      items.push(li('another prompt was shown moments ago: ', H('strong', {}, r.blockedBy ?? 'another prompt')));
      break;
    case 'policy_daily_limit':
      items.push(li(`${r.promptsToday} of ${r.maxPromptsPerDay} prompts already shown today`));
      break;
    case 'dismissed':
      items.push(li('dismissed, and it has no cool-down: hidden for good'));
      break;
    case 'converted':
      items.push(li('reached its goal: never shown again'));
      break;
    case 'completed':
      items.push(li('every step is completed: never shown again'));
      break;
    case 'all_items_done':
      items.push(li('every checklist item is done'));
      break;
    case 'holdout':
      items.push(li('in the holdout: the slot falls through to its next experience'));
      break;
    default:
  }
  // A tour's progress: each step, and how a completed one was completed.
  if (Array.isArray(r.steps)) {
    items.push(H('li', { class: 'tour-steps', testid: `steps-${r.experience}` },
      r.step ? ['at step ', H('strong', {}, r.step), ': '] : 'steps: ',
      r.steps.map((st, i) => [i > 0 && ', ', H('span', { class: st.done ? 'held' : '', dataset: { step: st.id, by: st.by ?? '' } },
        `${st.id}${st.done ? ` ✓ (${st.by === 'advanced' ? 'advanced' : 'done held'})` : ''}`)])));
  }
  if (r.until) {
    const t = Date.parse(r.until);
    items.push(H('li', { class: 'until', dataset: { until: r.until } }, `until ${formatShort(t)} (${formatRelative(t, now)})`));
  }
  if (r.experiment) {
    const x = r.experiment;
    items.push(H('li', { class: 'experiment', dataset: { variation: x.variation ?? '' } },
      'experiment ', H('code', {}, x.key), ': ',
      x.variation ? ['variation ', H('strong', {}, x.variation), ` (hash value "${x.hashValue}")`] : `not in the experiment (${x.notInExperiment})`));
  }
  return items;
}

function renderStage(H, el, { evaluation, config, now }) {
  const stages = (config.stages ?? []).map((st) => st.id);
  const { stage, stageSince: since } = evaluation;
  // Started from a compiled plan, the instance has no config to list them
  // all: the segments held then.
  const segments = config.segments ? Object.keys(config.segments) : evaluation.segments;
  mount(el,
    H('div', { class: 'stage-row' },
      H('span', {
        class: 'stage-pill', testid: 'stage', dataset: { stage: stage ?? '' },
        style: `--stage:${stageColor(stage, stages.indexOf(stage))}`,
      }, stage ?? 'none'),
      since !== null && H('span', { class: 'oi-muted', testid: 'stage-since', dataset: { since: new Date(since).toISOString() } },
        `since ${formatShort(since)} · ${formatDuration(now - since)}`)),
    H('div', { class: 'segments', testid: 'segments', dataset: { held: segments.filter((id) => evaluation.segments.includes(id)).join(' ') } },
      H('span', { class: 'label' }, 'Segments'),
      segments.map((id) => H('span', {
        class: `chip ${evaluation.segments.includes(id) ? 'held' : ''}`, testid: `segment-${id}`, dataset: { held: evaluation.segments.includes(id) },
      }, id))));
}

const W = 440;
const LEFT = 84;
const RIGHT = 14;
const TOP = 10;
const LANE = 22;
const AXIS = 24;

/** An SVG step chart of the stage changes, one lane per stage (config order, highest priority on top). */
function renderTimeline(H, S, el, { transitions, stageIds, now }) {
  const steps = transitions.filter((t) => t.to !== null);
  el.dataset.transitions = String(transitions.length);
  if (steps.length === 0) {
    mount(el, H('p', { class: 'oi-muted' }, 'No stage yet.'));
    return;
  }
  const lanes = [...stageIds];
  for (const t of steps) if (!lanes.includes(t.to)) lanes.push(t.to);
  const height = TOP + lanes.length * LANE + AXIS;
  const t0 = steps[0].at;
  const t1 = Math.max(now, t0 + HOUR);
  const x = (t) => LEFT + ((t - t0) / (t1 - t0)) * (W - LEFT - RIGHT);
  const y = (stage) => TOP + lanes.indexOf(stage) * LANE + LANE / 2;
  const tickLabel = t1 - t0 < 2 * DAY ? (t) => timeOnly.format(t) : (t) => dayMonth.format(t);
  const svg = S('svg', { viewBox: `0 0 ${W} ${height}`, role: 'img', 'aria-label': 'Stage timeline', class: 'timeline-svg' });
  lanes.forEach((stage, i) => {
    svg.append(
      S('line', { x1: LEFT, x2: W - RIGHT, y1: y(stage), y2: y(stage), class: 'lane' }),
      S('text', { x: LEFT - 8, y: y(stage) + 4, 'text-anchor': 'end', class: 'lane-label', fill: stageColor(stage, i) }, stage),
    );
  });
  for (let i = 0; i <= 4; i++) {
    const t = t0 + ((t1 - t0) * i) / 4;
    svg.append(
      S('line', { x1: x(t), x2: x(t), y1: TOP, y2: height - AXIS + 4, class: 'tick' }),
      S('text', { x: x(t), y: height - 6, 'text-anchor': i === 0 ? 'start' : i === 4 ? 'end' : 'middle', class: 'tick-label' }, tickLabel(t)),
    );
  }
  steps.forEach((t, i) => {
    const end = steps[i + 1]?.at ?? now;
    const color = stageColor(t.to, lanes.indexOf(t.to));
    if (i > 0) svg.append(S('line', { x1: x(t.at), x2: x(t.at), y1: y(steps[i - 1].to), y2: y(t.to), class: 'jump' }));
    const x0 = x(t.at);
    svg.append(S('rect', {
      x: x0, y: y(t.to) - 5, width: Math.max(x(end) - x0, 4), height: 10, rx: 5, fill: color,
      'data-testid': 'timeline-segment', 'data-stage': t.to, 'data-from': new Date(t.at).toISOString(),
    }, S('title', {}, `${t.to}: from ${formatShort(t.at)} for ${formatDuration(end - t.at)}${t.from ? ` (was ${t.from})` : ''}`)));
    svg.append(S('circle', { cx: x0, cy: y(t.to), r: 4, fill: '#fff', stroke: color, 'stroke-width': 2 }));
  });
  svg.append(S('line', { x1: x(now), x2: x(now), y1: TOP - 4, y2: height - AXIS + 4, class: 'now' }));
  mount(el, svg);
}

function renderReasons(H, el, decisions, now) {
  mount(el, Object.entries(decisions).map(([slot, d]) =>
    H('section', { class: 'slot-reasons', testid: `reasons-${slot}`, dataset: { experience: d.experience ?? '', holdout: d.holdout, preview: d.preview === true } },
      H('header', {},
        H('span', { class: 'slot-name' }, slot),
        H('span', { class: 'oi-muted' }, '→'),
        d.experience ? H('strong', {}, d.experience) : H('span', { class: 'oi-muted' }, 'nothing to show'),
        d.step && H('span', { class: 'badge' }, `step ${d.step}`),
        d.variation && H('span', { class: 'badge variation' }, `variation ${d.variation}`),
        d.holdout && H('span', { class: 'badge holdout' }, 'holdout'),
        d.preview && H('span', { class: 'badge preview' }, 'preview')),
      H('ol', {}, (d.reasons ?? []).map((r) =>
        H('li', { class: `reason result-${r.result}`, testid: `reason-${slot}-${r.experience}`, dataset: { result: r.result, blockedBy: r.blockedBy, beatenBy: r.beatenBy } },
          H('div', { class: 'reason-head' },
            H('code', {}, r.experience),
            H('span', { class: `badge ${r.result}` }, RESULT_LABEL[r.result] ?? r.result)),
          H('ul', { class: 'reason-details' }, reasonDetails(H, r, now))))))));
}

function renderSignals(H, el, evaluation, config, previous) {
  const defs = config.signals ?? {};
  mount(el, H('table', { class: 'signals' },
    H('tbody', {}, Object.entries(evaluation.signals).map(([id, v]) => H('tr', { class: previous && previous[id] !== v ? 'changed' : '' },
      H('th', { scope: 'row' }, H('code', {}, id), H('small', {}, defs[id] ? describeSource(defs[id]) : '')),
      H('td', {
        testid: `signal-${id}`, dataset: { value: JSON.stringify(v) }, class: v === null ? 'null' : '',
        title: evaluation.capped.includes(id) ? 'at its 1,000-value cap' : null,
      }, formatValue(v), evaluation.capped.includes(id) ? ' (cap)' : ''))))));
}

function renderExposures(H, el, exposures) {
  mount(el, exposures.length === 0
    ? H('li', { class: 'oi-muted' }, 'None yet: a user meets an experiment when its experience would win its slot.')
    : exposures.map((x) => H('li', { testid: 'exposure', dataset: { experiment: x.experiment, variation: x.variation } },
      H('time', {}, x.at === null ? 'earlier' : formatShort(x.at)),
      H('span', {}, H('code', {}, x.experiment), ' → ', H('strong', {}, x.variation),
        x.experience ? H('small', {}, ` for ${x.experience}, ${x.hashAttribute} = "${x.hashValue}"`) : null))));
}

function ensureStyles(doc) {
  if (doc.getElementById('onstage-inspector-css')) return;
  const style = doc.createElement('style');
  style.id = 'onstage-inspector-css';
  style.textContent = CSS;
  doc.head.append(style);
}

/**
 * Mounts the inspector into `element` for the instance `onstage`, and keeps
 * it up to date (it subscribes to the instance). Options: `now` (the clock
 * the relative times use; default `Date.now`, pass your instance's clock
 * if you gave it one), `title`, `open` (which panels start open: default
 * all). Returns `{update(), destroy()}`: call `update()` after moving a
 * clock of your own; `destroy()` unmounts and unsubscribes.
 */
export function mountInspector(element, onstage, options = {}) {
  const doc = element.ownerDocument;
  const H = h(doc);
  const S = s(doc);
  const now = typeof options.now === 'function' ? options.now : Date.now;
  const open = (name) => (options.open ? options.open.includes(name) : true);
  ensureStyles(doc);

  const panel = (name, title, testid, tag = 'div') => {
    const body = H(tag, { testid, class: tag === 'ol' ? 'exposures' : undefined });
    return { body, el: H('details', { class: 'oi-panel', open: open(name), dataset: { panel: name } }, H('summary', {}, title), body) };
  };
  const stagePanel = panel('stage', 'Stage & segments', 'stage-panel');
  const timelinePanel = panel('timeline', 'Stage timeline', 'timeline');
  const reasonsPanel = panel('decisions', 'Decisions per slot', 'reasons');
  const signalsPanel = panel('signals', 'Signals', 'signals');
  const exposuresPanel = panel('exposures', 'Experiment exposures', 'exposure-log', 'ol');
  const userLine = H('p', {});
  const previewLine = H('div', { class: 'oi-preview', testid: 'inspector-preview', hidden: true });
  const root = H('div', { class: 'onstage-inspector', testid: 'onstage-inspector' },
    H('div', { class: 'oi-head' },
      H('div', {}, H('h2', {}, options.title ?? 'onstage inspector'), userLine),
      H('span', { class: 'oi-version' }, 'v', H('span', { testid: 'version' }, version()))),
    previewLine,
    stagePanel.el, timelinePanel.el, reasonsPanel.el, signalsPanel.el, exposuresPanel.el);
  element.append(root);

  /** Exposures reported while mounted (with times); earlier ones come from the stored state. */
  const seen = [];
  let previousSignals = null;
  let destroyed = false;

  function update() {
    if (destroyed) return;
    let state;
    let evaluation;
    let decisions;
    try {
      state = onstage.state();
      evaluation = onstage.evaluate();
      decisions = onstage.decide('*', { reasons: true, dryRun: true });
    } catch (err) {
      mount(userLine, `unavailable: ${err.message}`);
      return;
    }
    const t = now();
    const config = state.config ?? {};
    mount(userLine, 'user ', H('code', { testid: 'inspector-user' }, state.userId), ` · ${state.storage === 'memory' ? 'in memory' : 'saved in storage'}`);
    previewLine.hidden = state.preview.length === 0;
    mount(previewLine, 'Preview: ', state.preview.map((p, i) => [i > 0 ? ', ' : '', H('code', {}, p.variation ? `${p.experience}:${p.variation}` : p.experience)]));
    renderStage(H, stagePanel.body, { evaluation, config, now: t });
    renderTimeline(H, S, timelinePanel.body, { transitions: onstage.stageHistory(), stageIds: (config.stages ?? []).map((st) => st.id), now: t });
    renderReasons(H, reasonsPanel.body, decisions, t);
    renderSignals(H, signalsPanel.body, evaluation, config, previousSignals);
    previousSignals = evaluation.signals;
    const stored = (state.engine?.exposed ?? [])
      .filter(([k, v]) => !seen.some((x) => x.experiment === k && x.variation === v))
      .map(([experiment, variation]) => ({ experiment, variation, at: null }));
    renderExposures(H, exposuresPanel.body, [...stored, ...seen]);
  }

  let queued = false;
  const schedule = () => {
    if (queued) return;
    queued = true;
    queueMicrotask(() => {
      queued = false;
      update();
    });
  };
  const off = [
    onstage.subscribe(schedule),
    onstage.on('stageChange', schedule),
    onstage.on('exposure', (x) => {
      seen.push({ ...x, at: now() });
      if (seen.length > 100) seen.shift();
      schedule();
    }),
  ];
  update();
  return {
    update,
    destroy() {
      destroyed = true;
      for (const unsubscribe of off) unsubscribe();
      root.remove();
    },
  };
}

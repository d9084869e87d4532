// The stage timeline: an inline SVG step chart of the user's stage
// transitions (from onStageChange), time on x and one lane per stage on y,
// in config order (highest priority on top).
import { DAY, HOUR, formatDay, formatShort, formatTime, formatDuration } from './clock.js';
import { h, mount, s } from './dom.js';

const KNOWN_COLORS = {
  onboarding: '#64748b',
  activation: '#0ea5e9',
  habit: '#16a34a',
  expansion: '#7c3aed',
  advocacy: '#d97706',
  at_risk: '#dc2626',
};
const PALETTE = ['#0891b2', '#db2777', '#65a30d', '#9333ea', '#ea580c', '#2563eb'];

/** A stage's colour: the reference stages have their own, others take the palette by position. */
export function stageColor(id, index = 0) {
  return KNOWN_COLORS[id] ?? PALETTE[index % PALETTE.length];
}

const W = 440;
const LEFT = 84;
const RIGHT = 14;
const TOP = 10;
const LANE = 22;
const AXIS = 24;

function ticks(t0, t1, count = 4) {
  const out = [];
  for (let i = 0; i <= count; i++) out.push(t0 + ((t1 - t0) * i) / count);
  return out;
}

/**
 * Draws `transitions` ({from, to, at}, oldest first) into `el`, for the
 * stages `stageIds` (config order), up to `now`.
 */
export function renderTimeline(el, { transitions, stageIds, now }) {
  const steps = transitions.filter((t) => t.to !== null);
  el.dataset.transitions = String(transitions.length);
  if (steps.length === 0) {
    mount(el, h('p', { class: 'muted small' }, 'No stage yet.'));
    return;
  }
  const lanes = [...stageIds];
  for (const t of steps) if (!lanes.includes(t.to)) lanes.push(t.to);
  const height = TOP + lanes.length * LANE + AXIS;
  const t0 = steps[0].at;
  const t1 = Math.max(now, t0 + HOUR);
  const x = (t) => LEFT + ((t - t0) / (t1 - t0)) * (W - LEFT - RIGHT);
  const y = (stage) => TOP + lanes.indexOf(stage) * LANE + LANE / 2;
  const span = t1 - t0;
  const tickLabel = span < 2 * DAY ? formatTime : formatDay;

  const svg = s('svg', { viewBox: `0 0 ${W} ${height}`, role: 'img', 'aria-label': 'Stage timeline', class: 'timeline-svg' });
  lanes.forEach((stage, i) => {
    svg.append(
      s('line', { x1: LEFT, x2: W - RIGHT, y1: y(stage), y2: y(stage), class: 'lane' }),
      s('text', { x: LEFT - 8, y: y(stage) + 4, 'text-anchor': 'end', class: 'lane-label', fill: stageColor(stage, i) }, stage),
    );
  });
  const all = ticks(t0, t1);
  all.forEach((t, i) => {
    const anchor = i === 0 ? 'start' : i === all.length - 1 ? 'end' : 'middle';
    svg.append(
      s('line', { x1: x(t), x2: x(t), y1: TOP, y2: height - AXIS + 4, class: 'tick' }),
      s('text', { x: x(t), y: height - 6, 'text-anchor': anchor, class: 'tick-label' }, tickLabel(t)),
    );
  });
  steps.forEach((t, i) => {
    const end = steps[i + 1]?.at ?? now;
    const color = stageColor(t.to, lanes.indexOf(t.to));
    if (i > 0) {
      svg.append(s('line', { x1: x(t.at), x2: x(t.at), y1: y(steps[i - 1].to), y2: y(t.to), class: 'jump' }));
    }
    const x0 = x(t.at);
    const width = Math.max(x(end) - x0, 4);
    svg.append(s('rect', {
      x: x0, y: y(t.to) - 5, width, height: 10, rx: 5, fill: color,
      'data-testid': 'timeline-segment', 'data-stage': t.to, 'data-from': new Date(t.at).toISOString(),
    }, s('title', {}, `${t.to}: from ${formatShort(t.at)} for ${formatDuration(end - t.at)}${t.from ? ` (was ${t.from})` : ''}`)));
    svg.append(s('circle', { cx: x0, cy: y(t.to), r: 4, fill: '#fff', stroke: color, 'stroke-width': 2 }));
  });
  svg.append(
    s('line', { x1: x(now), x2: x(now), y1: TOP - 4, y2: height - AXIS + 4, class: 'now' }),
  );
  mount(el, svg);
}

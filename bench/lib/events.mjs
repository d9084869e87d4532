// Deterministic event histories for the benchmarks, with the event names
// and props that saas.json uses. Runs in the browser (the bench page) and
// in node (the native simulate timeline): plain ES module, no imports.
//
// A history is one user's events over `days` days ending at `end`:
// setup events early (workspace, integrations, first report, invites),
// then a realistic mix (page views and reports frequent, shares, features,
// automations and API calls regular, NPS and upgrade walls rare) on
// weekdays mostly, in working hours, with a mild change of engagement
// over time. Sorted by time; every event lies in (end - days, end - 1 min].

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** The moment the benchmark histories end: a Monday afternoon, UTC. */
export const BENCH_END = Date.UTC(2026, 2, 2, 15, 30, 0);
export const BENCH_SEED = 0x0a57a6e;

/** mulberry32: a small, fast, well-mixed 32-bit PRNG. Returns () => [0, 1). */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return function next() {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PROVIDERS = ['slack', 'github', 'salesforce', 'hubspot', 'jira', 'snowflake', 'bigquery', 'zendesk'];
const FEATURES = ['filters', 'alerts', 'exports', 'annotations', 'forecasts', 'templates', 'sql_editor', 'embeds'];
const PATHS = ['/home', '/reports', '/reports/123', '/dashboards', '/dashboards/7', '/settings', '/integrations', '/automations', '/billing', '/team'];
const AUDIENCES = ['private', 'team', 'team', 'public'];

// The steady mix after set-up: [name, weight].
const MIX = [
  ['page_view', 40],
  ['report_created', 14],
  ['feature_used', 10],
  ['api_call', 10],
  ['automation_run', 8],
  ['dashboard_shared', 7],
  ['premium_feature_blocked', 2],
  ['integration_connected', 1],
  ['teammate_invited', 1],
  ['nps_submitted', 0.5],
];
const MIX_TOTAL = MIX.reduce((s, [, w]) => s + w, 0);

function pick(rand, list) {
  return list[Math.floor(rand() * list.length)];
}

function propsFor(name, rand) {
  switch (name) {
    case 'integration_connected':
      return { provider: pick(rand, PROVIDERS) };
    case 'dashboard_shared':
      return { audience: pick(rand, AUDIENCES) };
    case 'feature_used':
      // A few features dominate: skew towards the first ones.
      return { feature: FEATURES[Math.floor(rand() * rand() * FEATURES.length)] };
    case 'api_call':
      return { units: 1 + Math.floor(rand() * 50) };
    case 'nps_submitted': {
      const r = rand();
      return { score: r < 0.45 ? 9 + Math.floor(rand() * 2) : r < 0.8 ? 7 + Math.floor(rand() * 2) : Math.floor(rand() * 7) };
    }
    case 'page_view':
      return { path: pick(rand, PATHS) };
    default:
      return null;
  }
}

function mixName(rand) {
  let r = rand() * MIX_TOTAL;
  for (const [name, w] of MIX) {
    if ((r -= w) < 0) return name;
  }
  return 'page_view';
}

/**
 * One user's history: `count` events over `days` days ending at `end`.
 * Returns [{t, name, props}] sorted by t (ms since the epoch, not floored).
 */
export function generateHistory({ seed = BENCH_SEED, count, days = 90, end = BENCH_END } = {}) {
  const rand = mulberry32(seed);
  const start = end - days * DAY;
  const events = [];
  // Set-up: early, in order.
  const setup = [
    [5 * MINUTE, 'workspace_created', null],
    [40 * MINUTE, 'integration_connected', { provider: pick(rand, PROVIDERS) }],
    [3 * HOUR, 'report_created', null],
    [1 * DAY + 2 * HOUR, 'teammate_invited', null],
    [2 * DAY + 5 * HOUR, 'integration_connected', { provider: pick(rand, PROVIDERS) }],
    [4 * DAY + 1 * HOUR, 'teammate_invited', null],
  ];
  for (const [offset, name, props] of setup.slice(0, Math.min(setup.length, Math.ceil(count / 10)))) {
    events.push({ t: start + offset + Math.floor(rand() * 10 * MINUTE), name, props });
  }
  // Activity per day: weekdays busy, weekends light, engagement drifting.
  const weights = [];
  let total = 0;
  for (let d = 0; d < days; d++) {
    const dow = new Date(start + d * DAY).getUTCDay();
    const weekend = dow === 0 || dow === 6;
    const drift = 0.6 + 0.8 * Math.abs(Math.sin((d / days) * Math.PI * 1.3));
    const w = (weekend ? 0.2 : 1) * drift * (0.5 + rand());
    weights.push(w);
    total += w;
  }
  const cumulative = [];
  let acc = 0;
  for (const w of weights) cumulative.push((acc += w / total));
  const lastOk = end - MINUTE;
  while (events.length < count) {
    const r = rand();
    let d = 0;
    while (d < days - 1 && cumulative[d] < r) d++;
    // Working hours mostly (08:00-19:00 UTC), sometimes the evening.
    const hour = rand() < 0.9 ? 8 + rand() * 11 : 19 + rand() * 4;
    let t = start + d * DAY + Math.floor(hour * HOUR);
    if (t <= start + MINUTE) t = start + MINUTE + Math.floor(rand() * HOUR);
    if (t > lastOk) t = lastOk - Math.floor(rand() * 6 * HOUR);
    const name = mixName(rand);
    events.push({ t, name, props: propsFor(name, rand) });
  }
  events.sort((a, b) => a.t - b.t);
  return events;
}

/** A heavy user: about `perDay` events a day for `days` days. */
export function generateHeavyHistory({ seed = BENCH_SEED + 7, perDay = 200, days = 90, end = BENCH_END } = {}) {
  return generateHistory({ seed, count: perDay * days, days, end });
}

/** New events after the history (for timing track()): names and props only. */
export function generateLiveEvents({ seed = BENCH_SEED + 1, count }) {
  const rand = mulberry32(seed);
  const out = [];
  for (let i = 0; i < count; i++) {
    const name = mixName(rand);
    out.push({ name, props: propsFor(name, rand) });
  }
  return out;
}

/** The host's data about the benchmark user (identical everywhere). */
export const BENCH_ATTRIBUTES = { id: 'user-4711', role: 'owner', plan: 'team', country: 'DE' };
export const BENCH_ENTITLEMENTS = { limits: { api_units: 6000 }, seats_active: 8, seats_licensed: 10 };

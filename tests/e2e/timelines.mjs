// Seeded generator of timelines (docs/simulate.md#the-timeline) over a
// config, for the differential test (differential.test.mjs). The
// vocabulary comes from the config (experiences, slots, tours' steps,
// durations) and from its shared reference timeline (the events with their
// props, the identities, the user ids, so saved groups and experiments see
// real ids); the generator mixes them into new orders and time gaps.
//
//   const gen = vocabulary(config, referenceTimelineText, extras);
//   const timeline = generate(gen, mulberry32(seed), { lines: 100, users: 2, start });
//   aim(timeline, linesOfAFirstReplay);   // interactions name what was decided
//   timeline.steps                        // the step objects, in order

/** A small seeded PRNG: the same seed gives the same timelines everywhere. */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const UNIT = { s: SECOND, m: MINUTE, h: HOUR, d: DAY, w: 7 * DAY };

const pick = (rnd, list) => list[Math.floor(rnd() * list.length)];

/** A copy of `list` in a random order (Fisher-Yates). */
function shuffle(rnd, list) {
  const out = [...list];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
const int = (rnd, lo, hi) => lo + Math.floor(rnd() * (hi - lo + 1));

/** Every duration written in `value` ("10m", "7d"), in ms, each once. */
function durations(value, out = new Set()) {
  if (typeof value === 'string') {
    const m = /^(\d+)([smhdw])$/.exec(value);
    if (m) out.add(Number(m[1]) * UNIT[m[2]]);
  } else if (value && typeof value === 'object') {
    for (const v of Object.values(value)) durations(v, out);
  }
  return out;
}

/**
 * The events to track: each name once (so that rare events, such as a
 * funnel's first step, come up as often as common ones), with a way to
 * draw its props: one of the reference's props for that name, or the
 * extra's function.
 */
function events(steps, extras) {
  const samples = new Map();
  for (const s of steps) {
    if (!('track' in s)) continue;
    if (!samples.has(s.track)) samples.set(s.track, []);
    samples.get(s.track).push(s.props);
  }
  const out = [...samples].map(([name, list]) => [name, (rnd) => pick(rnd, list)]);
  for (const [name, props] of extras) {
    if (!samples.has(name)) out.push([name, props]);
    else out.push([name, (rnd) => (rnd() < 0.5 ? props(rnd) : pick(rnd, samples.get(name)))]);
  }
  return out;
}

/**
 * What timelines over `config` are made of. `reference` is the text of the
 * config's shared timeline; `extras` are events it lacks or props it
 * lacks for an event, as `[name, (rnd) => props | undefined]`.
 */
export function vocabulary(config, reference, extras = []) {
  const steps = reference.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
  const experiences = config.experiences.map((e) => e.id);
  return {
    experiences,
    slots: [...new Set(config.experiences.map((e) => e.slot))],
    tours: config.experiences.filter((e) => e.kind === 'tour').map((e) => ({ id: e.id, steps: e.steps.map((s) => s.id) })),
    events: events(steps, extras),
    identities: steps.filter((s) => 'identify' in s).map((s) => s.identify),
    users: [...new Set(steps.map((s) => s.user))],
    durations: [...durations(config)].sort((a, b) => a - b),
  };
}

/** RFC 3339 text of `ms` at a UTC offset of `offset` minutes. */
export function rfc3339(ms, offset = 0) {
  const local = new Date(ms + offset * MINUTE).toISOString().slice(0, -1);
  if (offset === 0) return `${local}Z`;
  const a = Math.abs(offset);
  const hh = String(Math.floor(a / 60)).padStart(2, '0');
  const mm = String(a % 60).padStart(2, '0');
  return `${local}${offset < 0 ? '-' : '+'}${hh}:${mm}`;
}

/** The gap before a user's next step: seconds mostly, then minutes, hours, days, weeks, and the config's own durations to the millisecond. */
function gap(rnd, vocab) {
  const r = rnd();
  if (r < 0.5) return int(rnd, 0, 60) * SECOND + (rnd() < 0.2 ? int(rnd, 0, 999) : 0);
  if (r < 0.75) return int(rnd, 1, 60) * MINUTE;
  if (r < 0.87) return int(rnd, 1, 24) * HOUR;
  if (r < 0.93) return int(rnd, 1, 21) * DAY + int(rnd, 0, DAY);
  // At a window's, cool-down's, dwell's or timeout's edge.
  return pick(rnd, vocab.durations) + pick(rnd, [-SECOND, -1, 0, 0, 1, SECOND]);
}

/** An identity for `user`: a reference one (its id made the user's), sometimes only part of it. */
function identity(rnd, vocab, user) {
  const base = structuredClone(pick(rnd, vocab.identities));
  if (base.attributes && 'id' in base.attributes) base.attributes.id = user;
  if (rnd() < 0.3) {
    // A partial identify: one field (the others stay).
    const keys = Object.keys(base);
    const key = pick(rnd, keys);
    return { [key]: base[key] };
  }
  if (rnd() < 0.2) base.tz_offset_minutes = pick(rnd, [-480, -300, 0, 60, 330, 540, 840, -840]);
  return base;
}

function slots(rnd, vocab) {
  const r = rnd();
  if (r < 0.6) return '*';
  if (r < 0.65) return ['*'];
  if (r < 0.68) return [];
  const shuffled = shuffle(rnd, vocab.slots);
  return shuffled.slice(0, int(rnd, 1, shuffled.length));
}

/**
 * A timeline of `lines` steps for `users` users (interleaved, each with its
 * own clock starting near `start`), as step objects in order.
 */
export function generate(vocab, rnd, { lines, users: count, start }) {
  const users = shuffle(rnd, vocab.users).slice(0, count);
  const state = new Map(users.map((u) => [u, { t: start + int(rnd, 0, 6 * HOUR), started: false }]));
  const out = [];
  const aims = new Map();
  while (out.length < lines) {
    const user = pick(rnd, users);
    const u = state.get(user);
    const step = { user, at: null };
    if (!u.started) {
      u.started = true;
      if (rnd() < 0.8) step.identify = identity(rnd, vocab, user);
    } else {
      u.t += gap(rnd, vocab);
    }
    if (!step.identify) {
      const r = rnd();
      if (r < 0.45) {
        const [name, draw] = pick(rnd, vocab.events);
        const props = draw(rnd);
        step.track = name;
        if (props !== undefined && props !== null) step.props = props;
        const late = rnd();
        // A late event (up to 23 h before), or one a little ahead (counts at `at`).
        if (late < 0.08) step.timestamp = rfc3339(u.t - int(rnd, 1, 23 * HOUR));
        else if (late < 0.1) step.timestamp = rfc3339(u.t + int(rnd, 1, 4 * MINUTE));
      } else if (r < 0.72) {
        step.decide = slots(rnd, vocab);
      } else if (r < 0.91) {
        const kind = r < 0.85 ? 'shown' : r < 0.89 ? 'dismissed' : 'converted';
        step[kind] = pick(rnd, vocab.experiences);
        aims.set(step, [rnd(), rnd()]);
      } else if (r < 0.97 && vocab.tours.length) {
        const tour = pick(rnd, vocab.tours);
        step.advanced = tour.id;
        step.step = pick(rnd, tour.steps);
        aims.set(step, [rnd(), rnd()]);
      } else {
        step.identify = identity(rnd, vocab, user);
      }
    }
    // Mostly UTC; sometimes the same moment written at another offset.
    step.at = rfc3339(u.t, rnd() < 0.15 ? pick(rnd, [-300, 60, 330]) : 0);
    out.push(step);
  }
  return { steps: out, aims };
}

/**
 * Aims the interactions of `timeline` at what was decided: given the
 * output lines of a first replay (one per decide step), most `shown`,
 * `dismissed` and `converted` steps name an experience the user's latest
 * decision showed, and most `advanced` steps the current step of a tour it
 * showed, as a host reports them. The rest keep their random ids.
 */
export function aim({ steps, aims }, lines) {
  const latest = new Map();
  let n = 0;
  for (const step of steps) {
    if ('decide' in step) {
      const line = lines[n++];
      if (line) latest.set(step.user, Object.values(line.decisions).filter((d) => d.experience !== null));
      continue;
    }
    const a = aims.get(step);
    const shown = latest.get(step.user) ?? [];
    if (!a || a[0] >= 0.7) continue;
    if ('advanced' in step) {
      const tours = shown.filter((d) => d.step !== undefined);
      if (tours.length === 0) continue;
      const d = tours[Math.floor(a[1] * tours.length)];
      step.advanced = d.experience;
      step.step = d.step;
    } else if (shown.length) {
      const kind = ['shown', 'dismissed', 'converted'].find((k) => k in step);
      step[kind] = shown[Math.floor(a[1] * shown.length)].experience;
    }
  }
  return steps;
}

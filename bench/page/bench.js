// The in-browser benchmarks, driven by scripts/bench.mjs in headless
// Chromium. One page, three modes (?mode=):
//   main   decide / GrowthBook / hand-written JS / track at 100, 1,000 and
//          10,000 events, plus the wasm binding alone at 10,000 (breakdown)
//   heavy  persisted bytes and wasm memory of a heavy user (fresh context)
//   state  a 1,000-event user saved to localStorage, for the cold starts
// Results land in window.__done (or window.__error). Every timing is the
// median / p95 over batches of the per-operation time of a batch.
import { init, load, memoryBytes } from './pkg/index.js';
import initGlue, { WasmConfig, WasmEngine } from './pkg/onstage.js';
import { evalCondition } from './vendor/growthbook.esm.min.js';
import {
  BENCH_ATTRIBUTES,
  BENCH_END,
  BENCH_ENTITLEMENTS,
  BENCH_SEED,
  generateHeavyHistory,
  generateHistory,
  generateLiveEvents,
} from './lib/events.mjs';
import { computeSignals } from './lib/handwritten.mjs';
import { conditionsOf, evaluateFromSignals, evaluatePrecomputed } from './lib/conditions.mjs';

const params = new URLSearchParams(location.search);
const mode = params.get('mode') ?? 'main';
const SIZES = (params.get('sizes') ?? '100,1000,10000').split(',').map(Number);
const BATCHES = Number(params.get('batches') ?? 51);
const BATCH_MS = Number(params.get('batchMs') ?? 8);
const TZ = 0;

const log = (...args) => console.log('[bench]', ...args);

function stats(perOp) {
  const s = [...perOp].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))];
  return {
    median_us: q(0.5) * 1000,
    p95_us: q(0.95) * 1000,
    min_us: s[0] * 1000,
    mean_us: (s.reduce((a, b) => a + b, 0) / s.length) * 1000,
  };
}

let sink = 0;
/** The config's compiled plan (saas.plan.json, compiled by scripts/bench.mjs): every instance starts from it, as a page that ships one. */
let PLAN = null;

/** How many calls of `fn` make one batch of at least `ms`. */
function calibrate(fn, ms) {
  let n = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) sink ^= fn(i) ? 1 : 0;
    const dt = performance.now() - t0;
    if (dt >= ms || n >= 1 << 22) return n;
    n = dt <= ms / 16 ? n * 8 : Math.ceil((n * ms * 1.2) / Math.max(dt, 0.001));
  }
}

/**
 * Times several operations on the same work, interleaved batch by batch
 * (rotating their order), so that the machine's noise hits them alike.
 * `ops`: {name: fn}. Returns {name: {median_us, p95_us, ..., ops_per_batch}}.
 */
function measure(ops, { batches = BATCHES, ms = BATCH_MS } = {}) {
  const names = Object.keys(ops);
  const n = {};
  for (const name of names) {
    // Warm up (JIT, wasm tier-up), then calibrate.
    calibrate(ops[name], ms / 2);
    n[name] = calibrate(ops[name], ms);
  }
  const perOp = Object.fromEntries(names.map((k) => [k, []]));
  for (let b = 0; b < batches; b++) {
    for (let j = 0; j < names.length; j++) {
      const name = names[(b + j) % names.length];
      const fn = ops[name];
      const count = n[name];
      const t0 = performance.now();
      for (let i = 0; i < count; i++) sink ^= fn(i) ? 1 : 0;
      perOp[name].push((performance.now() - t0) / count);
    }
  }
  return Object.fromEntries(names.map((k) => [k, { ...stats(perOp[k]), ops_per_batch: n[k], batches }]));
}

function closeEnough(a, b) {
  if (a === null || b === null) return a === b;
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
}

async function loadUser({ userId, events, storage }) {
  let clock = events.length ? events[0].t : BENCH_END;
  const onstage = await init({
    config: PLAN,
    userId,
    storage,
    now: () => clock,
    tzOffsetMinutes: TZ,
    attributes: BENCH_ATTRIBUTES,
    entitlements: BENCH_ENTITLEMENTS,
  });
  const t0 = performance.now();
  for (const e of events) {
    clock = e.t;
    onstage.track(e.name, e.props ?? undefined);
  }
  const loadMs = performance.now() - t0;
  clock = BENCH_END;
  return { onstage, setClock: (t) => (clock = t), getClock: () => clock, loadMs };
}

async function main(config) {
  const conds = conditionsOf(config);
  const savedGroups = config.saved_groups ?? {};
  const out = { sizes: {}, conditions: conds.count, batches: BATCHES, batch_ms: BATCH_MS };
  // Warm-up, not recorded: every operation runs for a while first, so
  // that JIT and wasm tier-up are done before the first size is timed.
  {
    const events = generateHistory({ seed: BENCH_SEED + 99, count: 1000 });
    const { onstage, setClock, getClock } = await loadUser({ config, userId: 'warm-up', events, storage: 'memory' });
    const ev = onstage.evaluate();
    const doc = { signals: ev.signals, attributes: BENCH_ATTRIBUTES, entitlements: BENCH_ENTITLEMENTS, segments: ev.segments, stage: ev.stage };
    const live = generateLiveEvents({ seed: BENCH_SEED + 98, count: 256 });
    let k = 0;
    const started = performance.now();
    measure(
      {
        decide: () => onstage.decide('*'),
        reasons: () => onstage.decide('*', { reasons: true }),
        growthbook: () => evaluatePrecomputed(evalCondition, conds, doc, savedGroups),
        handwritten: () => {
          const signals = computeSignals(events, BENCH_END, TZ, BENCH_ENTITLEMENTS);
          return evaluateFromSignals(evalCondition, conds, signals, BENCH_ATTRIBUTES, BENCH_ENTITLEMENTS, ev.stage, savedGroups).held;
        },
        track: () => {
          const e = live[k++ & 255];
          setClock(getClock() + 10);
          onstage.track(e.name, e.props ?? undefined);
        },
      },
      { batches: 10, ms: 20 },
    );
    onstage.destroy();
    out.warmup_ms = performance.now() - started;
  }
  for (const size of SIZES) {
    log(`history of ${size} events`);
    const events = generateHistory({ seed: BENCH_SEED, count: size });
    const { onstage, setClock, getClock, loadMs } = await loadUser({ config, userId: `bench-${size}`, events, storage: 'memory' });
    const ev = onstage.evaluate();
    // The hand-written baseline must agree with onstage, signal by signal.
    const hand = computeSignals(events, BENCH_END, TZ, BENCH_ENTITLEMENTS);
    const mismatches = [];
    for (const [id, v] of Object.entries(ev.signals)) {
      if (!closeEnough(v, hand[id])) mismatches.push(`${id}: onstage ${v}, hand-written ${hand[id]}`);
    }
    if (Object.keys(hand).length !== Object.keys(ev.signals).length) mismatches.push('signal count differs');
    const handConds = evaluateFromSignals(evalCondition, conds, hand, BENCH_ATTRIBUTES, BENCH_ENTITLEMENTS, ev.stage, savedGroups);
    if (JSON.stringify([...handConds.segments].sort()) !== JSON.stringify([...ev.segments].sort())) {
      mismatches.push(`segments: onstage ${ev.segments}, hand-written ${handConds.segments}`);
    }
    if (mismatches.length) throw new Error(`hand-written signals differ from onstage at ${size} events:\n${mismatches.join('\n')}`);

    // GrowthBook's part: the document is built once.
    const doc = {
      signals: ev.signals,
      attributes: BENCH_ATTRIBUTES,
      entitlements: BENCH_ENTITLEMENTS,
      segments: ev.segments,
      stage: ev.stage,
    };
    const decision = onstage.decide('*');
    // Each decide at a new millisecond, as renders spread over time are:
    // signals, segments, stage and every experience are evaluated afresh.
    // (At one same moment onstage reuses its evaluation: measured apart.)
    const tick = () => setClock(getClock() + 1);
    const timings = measure({
      onstage_decide: () => {
        tick();
        return onstage.decide('*');
      },
      onstage_decide_reasons: () => {
        tick();
        return onstage.decide('*', { reasons: true });
      },
      onstage_decide_same_moment: () => onstage.decide('*'),
      growthbook_conditions: () => evaluatePrecomputed(evalCondition, conds, doc, savedGroups),
      handwritten: () => {
        const signals = computeSignals(events, BENCH_END, TZ, BENCH_ENTITLEMENTS);
        return evaluateFromSignals(evalCondition, conds, signals, BENCH_ATTRIBUTES, BENCH_ENTITLEMENTS, ev.stage, savedGroups).held;
      },
    });

    // track(): new events after the history, 10 ms apart (one session).
    const live = generateLiveEvents({ count: 4096 });
    let k = 0;
    const track = measure(
      {
        onstage_track: () => {
          const e = live[k++ & 4095];
          setClock(getClock() + 10);
          onstage.track(e.name, e.props ?? undefined);
        },
      },
      { ms: BATCH_MS / 2 },
    ).onstage_track;
    const tracked = k;

    out.sizes[size] = {
      events: size,
      load_ms: loadMs,
      state_bytes: onstage.state().bytes,
      stage: ev.stage,
      segments: ev.segments,
      signals: ev.signals,
      decision: Object.fromEntries(Object.entries(decision).map(([slot, d]) => [slot, d.experience])),
      handwritten_matches: true,
      ...timings,
      onstage_track: { ...track, events_tracked: tracked },
    };
    log(`  decide ${timings.onstage_decide.median_us.toFixed(1)} µs, GrowthBook ${timings.growthbook_conditions.median_us.toFixed(1)} µs, hand-written ${timings.handwritten.median_us.toFixed(1)} µs, track ${track.median_us.toFixed(2)} µs`);
    onstage.destroy();
  }

  // Where the time goes: the wasm binding alone (no JSON.parse of the
  // result, no wrapper bookkeeping), at the largest size.
  const size = SIZES[SIZES.length - 1];
  const events = generateHistory({ seed: BENCH_SEED, count: size });
  await initGlue();
  const compiled = new WasmConfig(PLAN);
  const raw = new WasmEngine(compiled, 'raw');
  raw.identify({ attributes: BENCH_ATTRIBUTES, entitlements: BENCH_ENTITLEMENTS, tz_offset_minutes: TZ }, events[0].t);
  for (const e of events) raw.track(e.name, e.props ?? undefined, undefined, e.t);
  let now = BENCH_END;
  const live = generateLiveEvents({ count: 4096 });
  let k = 0;
  // A new millisecond per call, as above.
  const rawDecide = measure({
    wasm_decide: () => raw.decide('*', ++now, false, true),
    wasm_decide_reasons: () => raw.decide('*', ++now, true, true),
    wasm_evaluate: () => raw.evaluate(++now),
    wasm_decide_parse: () => JSON.parse(raw.decide('*', ++now, false, true)),
    // The binding as the package calls it: the text only when the decision changed.
    wasm_decide_unchanged: () => raw.decide('*', ++now, false, true, true),
  });
  const rawTrack = measure(
    {
      wasm_track: () => {
        const e = live[k++ & 4095];
        now += 10;
        raw.track(e.name, e.props ?? undefined, undefined, now);
      },
      wasm_track_no_props: () => {
        now += 10;
        raw.track('automation_run', undefined, undefined, now);
      },
    },
    { ms: BATCH_MS / 2 },
  );
  out.wasm_binding = { events: size, ...rawDecide, ...rawTrack };
  raw.free();
  out.memory_bytes_after = memoryBytes();
  return out;
}

async function heavy(config) {
  await load();
  const before = memoryBytes();
  const events = generateHeavyHistory({});
  const { onstage, loadMs } = await loadUser({ config, userId: 'heavy-user', events, storage: localStorage });
  onstage.flush();
  const key = onstage.state().storageKey;
  const stored = localStorage.getItem(key);
  const st = onstage.state();
  const perSignal = Object.fromEntries(
    Object.entries(st.engine.signals ?? {}).map(([id, v]) => [id, JSON.stringify(v).length]),
  );
  return {
    events: events.length,
    days: 90,
    load_ms: loadMs,
    state_bytes: st.bytes,
    localstorage_value_length: stored?.length ?? null,
    localstorage_key: key,
    per_signal_chars: perSignal,
    memory_bytes_at_load: before,
    memory_bytes: memoryBytes(),
    stage: onstage.evaluate().stage,
  };
}

async function state(config) {
  const userId = params.get('user') ?? 'cold-user';
  const events = generateHistory({ seed: BENCH_SEED, count: 1000 });
  const { onstage } = await loadUser({ config, userId, events, storage: localStorage });
  onstage.flush();
  const key = onstage.state().storageKey;
  const value = localStorage.getItem(key);
  const decision = onstage.decide('*');
  const evaluation = onstage.evaluate();
  onstage.destroy();
  // The cold start's own work once the page is warm (JIT and wasm tier-up
  // done, assets loaded): compile the config alone, and init from the
  // stored state + first decision + destroy (which saves it again).
  const now = BENCH_END + 60_000;
  const cycles = [];
  for (let i = 0; i < 60; i++) {
    const t0 = performance.now();
    const o = await init({ config: PLAN, userId, now: () => now, tzOffsetMinutes: TZ, attributes: BENCH_ATTRIBUTES, entitlements: BENCH_ENTITLEMENTS });
    o.decide('*');
    const t1 = performance.now();
    o.destroy();
    cycles.push(t1 - t0);
  }
  await initGlue();
  // Compiling the config (the compiler module: a page given a raw config
  // does it at init) and reading its plan (what a page that ships one does).
  const { compileConfig, loadCompiler } = await import('./pkg/compiler.js');
  await loadCompiler();
  const configText = JSON.stringify(config);
  const { compile_config: compile, read_plan: readPlan } = measure({
    compile_config: () => compileConfig(configText),
    read_plan: () => {
      const c = new WasmConfig(PLAN);
      c.free();
    },
  });
  const q = stats(cycles);
  return {
    key,
    value,
    evaluation,
    warm: {
      compile_config: compile,
      read_plan: readPlan,
      init_restore_decide: { median_ms: q.median_us / 1000, p95_ms: q.p95_us / 1000, runs: cycles.length, first_ms: cycles[0] },
    },
    end: BENCH_END,
    decision: Object.fromEntries(Object.entries(decision).map(([slot, d]) => [slot, d.experience])),
  };
}

(async () => {
  try {
    const config = await (await fetch('./saas.json')).json();
    PLAN = await (await fetch('./saas.plan.json')).text();
    const started = performance.now();
    const result = mode === 'heavy' ? await heavy(config) : mode === 'state' ? await state(config) : await main(config);
    result.page_ms = performance.now() - started;
    result.cross_origin_isolated = globalThis.crossOriginIsolated === true;
    result.sink = sink;
    window.__done = result;
  } catch (err) {
    window.__error = `${err?.stack ?? err}`;
  }
})();

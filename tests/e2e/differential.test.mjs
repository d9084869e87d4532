// The package against `onstage simulate`: timelines generated from a seed
// (timelines.mjs) over the three shared configs are replayed natively by
// the CLI and, step by step, through the package's public API in Chromium
// (init with memory storage and a clock the test moves, or onstage/testing's
// createTestOnstage; identify, track, shown, dismissed, converted,
// advanced, decide). Every decide line must give the same stage, segments,
// signals and decisions (experience, step, variation, holdout, content,
// items), and a step simulate refuses must throw the same code at the same
// line. A mismatch prints the timeline, the line and both values, and the
// timeline is written to test-artifacts/differential/ to replay by hand.
//
// onstage/testing's clock checks the time whenever it moves (a dry decide
// at the new time, before the step), and a time check re-evaluates the
// stage: with `min_dwell`, that can change the stage's path (found here:
// a saas user idle for 28 days is at_risk for an instant before the event
// that brings them back, then enters expansion anew, whose 3-day dwell
// then holds where simulate's user moved on). So the timelines replayed
// through onstage/testing are compared with simulate of the same timeline
// with a `decide: []` before each step; those through init's `now`, with
// the timeline as it is.
//
// ONSTAGE_DIFF_SEED, ONSTAGE_DIFF_TIMELINES (per config) and
// ONSTAGE_DIFF_LINES change the set; ONSTAGE is the CLI
// (default target/debug/onstage, which the native and e2e layers build).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import { ARTIFACTS, ROOT, startHarness } from './harness.mjs';
import { PAGE } from './inpage.mjs';
import { aim, generate, mulberry32, vocabulary } from './timelines.mjs';

const SHARED = join(ROOT, '..', 'shared', 'examples');
const ONSTAGE = process.env.ONSTAGE ?? join(ROOT, 'target', 'debug', 'onstage');
const SEED = Number(process.env.ONSTAGE_DIFF_SEED ?? 20261206);
const TIMELINES = Number(process.env.ONSTAGE_DIFF_TIMELINES ?? 20);
const LINES = Number(process.env.ONSTAGE_DIFF_LINES ?? 150);
const DEFAULT_SET = !['ONSTAGE_DIFF_SEED', 'ONSTAGE_DIFF_TIMELINES', 'ONSTAGE_DIFF_LINES'].some((k) => k in process.env);
const START = Date.UTC(2026, 2, 2, 9, 0, 0);
const DAY = 86_400_000;

const int = (rnd, lo, hi) => lo + Math.floor(rnd() * (hi - lo + 1));

/** The configs, their reference timelines, and events those lack. */
const CONFIGS = [
  {
    name: 'saas',
    path: join(SHARED, 'saas.json'),
    reference: join(SHARED, 'timelines', 'saas.timeline.jsonl'),
    extras: [
      ['nps_submitted', (rnd) => ({ score: int(rnd, 0, 10) })],
      ['premium_feature_blocked', () => undefined],
      ['api_call', (rnd) => ({ units: int(rnd, 1, 4000) })],
      ['dashboard_shared', (rnd) => ({ audience: ['team', 'public'][int(rnd, 0, 1)] })],
    ],
  },
  { name: 'policy', path: join(SHARED, 'timelines', 'policy.config.json'), reference: join(SHARED, 'timelines', 'policy.timeline.jsonl'), extras: [] },
  { name: 'tours', path: join(SHARED, 'timelines', 'tours.config.json'), reference: join(SHARED, 'timelines', 'tours.timeline.jsonl'), extras: [] },
];

const jsonl = (steps) => steps.map((s) => JSON.stringify(s)).join('\n') + '\n';

/**
 * `onstage simulate --no-reasons` of `steps`: its lines, and the step it
 * refused ({line, code}) if any. With `timeChecks`, each step is preceded
 * by a `decide: []` at its time, as onstage/testing's clock does when it
 * moves (a time check: the stage is re-evaluated at the new time before
 * the step); those lines are left out and line numbers are `steps`'.
 */
function simulate(configPath, steps, { timeChecks = false } = {}) {
  const checks = new Set();
  const check = (s) => {
    const c = { user: s.user, at: s.at, decide: [] };
    checks.add(c);
    return c;
  };
  const run = timeChecks ? steps.flatMap((s) => [check(s), s]) : steps;
  const lineOf = (n) => (timeChecks ? Math.ceil(n / 2) : n);
  const r = spawnSync(ONSTAGE, ['simulate', '--no-reasons', configPath, '-'], { input: jsonl(run), encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.error) throw r.error;
  const printed = r.stdout.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
  // The lines of the timeline's own decide steps.
  const own = run.filter((s) => 'decide' in s).map((s) => !checks.has(s));
  const lines = printed.filter((_, i) => own[i]);
  if (r.status === 0) return { lines, refused: null };
  const m = /line (\d+): .*\[(\w+)\]\s*$/.exec(r.stderr.trim());
  assert.ok(m, `simulate failed without naming a step (exit ${r.status}): ${r.stderr}`);
  return { lines, refused: { line: lineOf(Number(m[1])), code: m[2] } };
}

/**
 * Runs in the page: replays every timeline through the package, one
 * instance per user, and returns per timeline what each decide step gave,
 * the warnings, and the step that threw.
 */
async function replayInPage({ config, timelines }) {
  const { init } = await import('/pkg/index.js');
  const { createTestOnstage } = await import('/pkg/testing.js');
  const results = [];
  for (const [k, steps] of timelines.entries()) {
    const users = new Map();
    const out = [];
    const warnings = [];
    let refused = null;
    // Half the timelines through onstage/testing, half through init's `now`;
    // a quarter give the first identity to init; a third pass the config as text.
    const viaTesting = k % 2 === 0;
    const identityAtInit = k % 4 >= 2;
    const configArg = k % 3 === 0 ? JSON.stringify(config) : config;
    let line = 0;
    try {
      for (const step of steps) {
        line += 1;
        const at = Date.parse(step.at);
        let u = users.get(step.user);
        let identified = false;
        if (!u) {
          const options = {
            config: configArg,
            userId: step.user,
            onWarning: (w) => warnings.push({ line, code: w.code, message: w.message }),
          };
          if (identityAtInit && step.identify) {
            const { attributes, entitlements, tz_offset_minutes: tz } = step.identify;
            Object.assign(options, { attributes, entitlements }, tz === undefined ? {} : { tzOffsetMinutes: tz });
            identified = true;
          }
          if (viaTesting) {
            const { onstage, clock } = await createTestOnstage({ ...options, now: at });
            u = { os: onstage, set: (t) => clock.set(t) };
          } else {
            const clock = { t: at };
            const os = await init({ tzOffsetMinutes: 0, ...options, storage: 'memory', previewParam: null, now: () => clock.t });
            u = { os, set: (t) => { clock.t = t; } };
          }
          users.set(step.user, u);
        }
        u.set(at);
        const os = u.os;
        if ('identify' in step) {
          if (!identified) {
            const { attributes, entitlements, tz_offset_minutes: tz } = step.identify;
            const identity = {};
            if (attributes !== undefined) identity.attributes = attributes;
            if (entitlements !== undefined) identity.entitlements = entitlements;
            if (tz !== undefined) identity.tzOffsetMinutes = tz;
            os.identify(identity);
          }
        } else if ('track' in step) {
          os.track(step.track, step.props, step.timestamp === undefined ? undefined : Date.parse(step.timestamp));
        } else if ('advanced' in step) {
          os.advanced(step.advanced, step.step);
        } else if ('decide' in step) {
          const slots = step.decide;
          // A single slot asked by name gives its decision alone.
          const one = Array.isArray(slots) && slots.length === 1 && slots[0] !== '*' && line % 2 === 0;
          const decisions = one ? { [slots[0]]: os.decide(slots[0]) } : os.decide(slots);
          const { stage, segments, signals } = os.evaluate();
          out.push({ line, stage, segments, signals, decisions });
        } else {
          const kind = ['shown', 'dismissed', 'converted'].find((key) => key in step);
          os[kind](step[kind]);
        }
      }
    } catch (err) {
      refused = { line, code: err.code ?? null, message: err.message };
    }
    for (const { os } of users.values()) os.destroy();
    results.push({ out, warnings, refused });
  }
  return results;
}

/** A package decision in simulate's form (items without labels). */
function asSimulated(d) {
  const { experience, step, variation, holdout, content, items, reasons, ...rest } = d;
  return {
    experience,
    ...(step === undefined ? {} : { step }),
    variation,
    holdout,
    content,
    items: items.map(({ id, done }) => ({ id, done })),
    reasons,
    ...rest,
  };
}

const close = (a, b) => a === b || (typeof a === 'number' && typeof b === 'number' && Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)));

/** The differences of one decide line: [{field, package, simulate}]. */
function differences(got, want) {
  const diffs = [];
  const differ = (field, a, b) => diffs.push({ field, package: a, simulate: b });
  if (got.stage !== want.stage) differ('stage', got.stage, want.stage);
  if (!isDeepStrictEqual(got.segments, want.segments)) differ('segments', got.segments, want.segments);
  const ids = Object.keys(want.signals);
  if (!isDeepStrictEqual(Object.keys(got.signals), ids)) differ('signals (ids)', Object.keys(got.signals), ids);
  for (const id of ids) {
    if (!close(got.signals[id], want.signals[id])) differ(`signals.${id}`, got.signals[id], want.signals[id]);
  }
  if (!isDeepStrictEqual(Object.keys(got.decisions), Object.keys(want.decisions))) {
    differ('slots', Object.keys(got.decisions), Object.keys(want.decisions));
  }
  for (const [slot, d] of Object.entries(want.decisions)) {
    const mine = got.decisions[slot] === undefined ? undefined : asSimulated(got.decisions[slot]);
    if (!isDeepStrictEqual(mine, d)) differ(`decisions.${slot}`, mine, d);
  }
  return diffs;
}

/** Writes a failing timeline for a replay by hand; returns its path. */
function keep(name, k, steps) {
  const dir = join(ARTIFACTS, 'differential');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}-${k}.timeline.jsonl`);
  writeFileSync(path, jsonl(steps));
  return path;
}

let h;
before(async () => {
  if (!existsSync(ONSTAGE)) throw new Error(`${ONSTAGE} not found: build the CLI first (cargo build -p onstage-cli), or set ONSTAGE.`);
  h = await startHarness();
});
after(() => h?.close());

for (const [c, { name, path, reference, extras }] of CONFIGS.entries()) {
  test(`${name}: ${TIMELINES} generated timelines of ${LINES} steps decide in the package as in simulate`, async () => {
    const config = JSON.parse(readFileSync(path, 'utf8'));
    const vocab = vocabulary(config, readFileSync(reference, 'utf8'), extras);
    const rnd = mulberry32(SEED + c);
    const timelines = [];
    const expected = [];
    for (let k = 0; k < TIMELINES; k++) {
      const timeline = generate(vocab, rnd, { lines: LINES, users: int(rnd, 1, 3), start: START + int(rnd, 0, 30) * DAY });
      // Interactions aimed at what a first replay decided, then the replay compared.
      const steps = aim(timeline, simulate(path, timeline.steps).lines);
      timelines.push(steps);
      // Half the timelines go through onstage/testing, whose clock checks the time when it moves.
      expected.push(simulate(path, steps, { timeChecks: k % 2 === 0 }));
    }
    const { page, errors } = await h.openPage(PAGE);
    const results = await page.evaluate(replayInPage, { config, timelines });

    const failures = [];
    let decides = 0;
    for (const [k, steps] of timelines.entries()) {
      const want = expected[k];
      const got = results[k];
      const problems = [];
      const refusedLine = want.refused?.line ?? Infinity;
      const decideLines = steps.map((s, i) => ('decide' in s ? i + 1 : null)).filter((n) => n !== null && n < refusedLine);
      decides += decideLines.length;
      if (got.out.length !== want.lines.length) {
        problems.push(`the package gave ${got.out.length} decide lines, simulate ${want.lines.length}`);
      }
      for (const [n, line] of decideLines.entries()) {
        const mine = got.out[n];
        if (!mine || !want.lines[n]) break;
        for (const d of differences(mine, want.lines[n])) {
          problems.push(`line ${line} ${JSON.stringify(steps[line - 1])}\n    ${d.field}:\n      package:  ${JSON.stringify(d.package)}\n      simulate: ${JSON.stringify(d.simulate)}`);
        }
      }
      const refusedHere = got.refused && { line: got.refused.line, code: got.refused.code };
      if (!isDeepStrictEqual(refusedHere ?? null, want.refused)) {
        problems.push(`refused step: package ${JSON.stringify(got.refused)}, simulate ${JSON.stringify(want.refused)}`);
      }
      for (const w of got.warnings) problems.push(`warning at line ${w.line}: ${w.code}: ${w.message}`);
      if (problems.length) {
        const file = keep(name, k, steps);
        const via = k % 2 === 0 ? 'onstage/testing: simulate has a decide [] before each step' : "init's now";
        failures.push(`timeline ${name} #${k} (seed ${SEED}, through ${via}; ${file}):\n${jsonl(steps)}  ${problems.slice(0, 10).join('\n  ')}`);
      }
    }
    console.log(`${name}: ${timelines.length} timelines, ${timelines.length * LINES} steps, ${decides} decide lines compared`);
    if (failures.length) assert.fail(`${failures.length} of ${timelines.length} timelines differ:\n\n${failures.join('\n\n')}`);
    assert.deepEqual(errors, []);
    // The set is worth comparing: the default one reaches every stage and shows every experience.
    if (DEFAULT_SET) {
      const seen = expected.flatMap((e) => e.lines);
      const stages = new Set(seen.map((l) => l.stage));
      const shown = new Set(seen.flatMap((l) => Object.values(l.decisions).map((d) => d.experience)));
      assert.deepEqual(config.stages.map((s) => s.id).filter((s) => !stages.has(s)), [], 'stages the generated set never reaches');
      assert.deepEqual(config.experiences.map((e) => e.id).filter((e) => !shown.has(e)), [], 'experiences the generated set never shows');
    }
  });
}

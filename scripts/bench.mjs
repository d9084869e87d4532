// The benchmark run behind `npm run bench` (scripts/bench.sh does the set-up
// and the builds first). In one headless Chromium:
//   - bench/page/bench.html?mode=main: onstage decide (with and without
//     reasons), GrowthBook's evalCondition on precomputed signals, the
//     hand-written JS baseline and onstage track(), at 100, 1,000 and
//     10,000 events of one user over 90 days;
//   - ?mode=heavy (fresh context): persisted bytes and wasm memory of a
//     heavy user; ?mode=state: a 1,000-event user in localStorage;
//   - cold starts (bench/lib/cold.mjs): an empty page, GrowthBook and
//     onstage (with and without the recommended preload hints), each in
//     fresh browser profiles, first visit and returning visit, with the
//     breakdown read inside the page.
// Then natively: bundle sizes, and `onstage simulate` throughput on a
// generated timeline. Writes bench/results.json and prints the report.
//
//   node scripts/bench.mjs [--quick] [--cold-only] [--decide-only] [--native-only]
//                          [--sizes 100,1000,10000] [--cold-runs N] [--sim-runs N]
// --decide-only (for work on decide/track): the ?mode=main page alone, at
// the --sizes given (default 10000), side by side with GrowthBook; writes
// bench/tmp/results-decide.json and prints the figures.
// --native-only (for work on the native replay): the sizes and native
// simulate measured again and put into bench/results.json in place of its
// own (the browser's sections kept; `about` says which run measured what),
// budgets checked again.
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { CHROME_ARGS, findChrome } from '../tests/e2e/harness.mjs';
import { BENCH_ATTRIBUTES, BENCH_ENTITLEMENTS, MINUTE, generateHistory } from '../bench/lib/events.mjs';
import { conditionsOf } from '../bench/lib/conditions.mjs';
import { checkBudgets, renderColdMarkdown, renderMarkdown } from '../bench/lib/report.mjs';
import { coldPath, print as printColdPath } from './cold-path.mjs';
import { print as printSizeReport, report as sizeReport } from './size-report.mjs';
import { runColdStarts, summarizeColdStarts, writeColdPages } from '../bench/lib/cold.mjs';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const BENCH = join(ROOT, 'bench');
const TMP = join(BENCH, 'tmp');
const SITE = join(TMP, 'site');
const PKG = join(ROOT, 'dist');
const GB_DIR = join(ROOT, 'node_modules', '@growthbook', 'growthbook');

const args = process.argv.slice(2);
const quick = args.includes('--quick');
// Only the stored user and the cold starts (for work on start-up): writes
// bench/tmp/results-cold.json.
const coldOnly = args.includes('--cold-only');
const decideOnly = args.includes('--decide-only');
const nativeOnly = args.includes('--native-only');
const argNum = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const COLD_RUNS = argNum('--cold-runs', quick ? 3 : 20);
const SIM_RUNS = argNum('--sim-runs', quick ? 1 : 3);
const SIM_USERS = argNum('--sim-users', quick ? 100 : 1000);
const SIM_EVENTS_PER_USER = 1000;
const SIM_DECIDE_EVERY = 25;
const SIZES_ARG = args.includes('--sizes') ? args[args.indexOf('--sizes') + 1] : null;
const PAGE_QUERY = (quick ? '&batches=11&batchMs=4' : '') + (SIZES_ARG ? `&sizes=${SIZES_ARG}` : '');

const say = (msg) => console.error(`[bench] ${msg}`);
const started = process.hrtime.bigint();
// The machine is shared: its load when the run starts and ends goes into the results.
const loadAtStart = os.loadavg();
const elapsed = () => Number(process.hrtime.bigint() - started) / 1e9;

function configPath() {
  const shared = join(ROOT, '..', 'shared', 'examples', 'saas.json');
  return existsSync(shared) ? shared : join(ROOT, 'www', 'saas.json');
}
const CONFIG_PATH = configPath();
const CONFIG_TEXT = readFileSync(CONFIG_PATH, 'utf8');
const CONFIG = JSON.parse(CONFIG_TEXT);

function quantiles(values) {
  const s = [...values].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))];
  return { median: q(0.5), p95: q(0.95), min: s[0], max: s[s.length - 1] };
}

// ---------------------------------------------------------------- the site
/**
 * The config's compiled plan, compiled now by the package's compiler module
 * (never a committed artifact, which could go stale): what a page ships.
 */
async function compilePlan() {
  const { compileConfig, loadCompiler } = await import(join(PKG, 'compiler.js'));
  await loadCompiler();
  return compileConfig(CONFIG_TEXT).plan;
}

async function buildSite() {
  for (const need of [join(PKG, 'index.js'), join(PKG, 'onstage_bg.wasm')]) {
    if (!existsSync(need)) throw new Error(`${need} is missing: run 'bash scripts/build-wasm.sh' (npm run bench does).`);
  }
  rmSync(SITE, { recursive: true, force: true });
  mkdirSync(join(SITE, 'vendor'), { recursive: true });
  cpSync(join(BENCH, 'page'), SITE, { recursive: true });
  cpSync(join(BENCH, 'lib'), join(SITE, 'lib'), { recursive: true });
  cpSync(PKG, join(SITE, 'pkg'), { recursive: true });
  cpSync(join(GB_DIR, 'dist', 'bundles', 'esm.min.js'), join(SITE, 'vendor', 'growthbook.esm.min.js'));
  writeFileSync(join(SITE, 'saas.json'), CONFIG_TEXT);
  PLAN_TEXT = await compilePlan();
  writeFileSync(join(SITE, 'saas.plan.json'), PLAN_TEXT);
}
/** The plan the pages start from (buildSite). */
let PLAN_TEXT = null;

// ------------------------------------------------------------- the browser
/** Starts scripts/bench-serve.mjs (its own process); resolves to {url, close()}. */
function startBenchServer() {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'scripts', 'bench-serve.mjs'), SITE], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`bench-serve.mjs exited (${code}) before listening`)));
    child.stdout.on('data', (d) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      const { url } = JSON.parse(out.slice(0, nl));
      const exited = new Promise((done) => child.once('exit', done));
      resolve({ url, close: () => (child.stdin.end(), exited) });
    });
  });
}

async function withBrowser(run) {
  const server = await startBenchServer();
  const browser = await chromium.launch({ executablePath: findChrome(), args: CHROME_ARGS, headless: true, timeout: 60_000 });
  const foreign = [];
  const origin = new URL(server.url).origin;
  /** Opens `path` in a fresh context, waits for `global` on window; closes the context. */
  async function runPage(path, { global = '__done', init, timeout = 15 * 60_000, echo = false } = {}) {
    const context = await browser.newContext();
    try {
      if (init) await context.addInitScript(init.fn, init.arg);
      const page = await context.newPage();
      const errors = [];
      page.on('request', (req) => {
        const url = req.url();
        if (!url.startsWith(`${origin}/`) && !url.startsWith('data:')) foreign.push(url);
      });
      page.on('console', (msg) => {
        if (msg.type() === 'error') errors.push(msg.text());
        else if (echo) say(`page: ${msg.text()}`);
      });
      page.on('pageerror', (err) => errors.push(`uncaught: ${err.message}`));
      page.on('response', (res) => {
        if (res.status() >= 400) errors.push(`HTTP ${res.status()}: ${res.url()}`);
      });
      await page.goto(new URL(path, server.url).href, { waitUntil: 'load' });
      const handle = await page.waitForFunction((g) => window[g] ?? window.__error, global, { timeout, polling: 50 });
      const value = await handle.jsonValue();
      if (typeof value === 'string') throw new Error(`${path}: ${value}`);
      if (errors.length) throw new Error(`${path}: ${errors.join('\n')}`);
      return value;
    } finally {
      await context.close().catch(() => {});
    }
  }
  try {
    return await run({ runPage, version: browser.version(), foreign, serverUrl: server.url });
  } finally {
    await browser.close().catch(() => {});
    await server.close();
  }
}

async function browserPart() {
  return withBrowser(async ({ runPage, version, foreign, serverUrl }) => {
    say(`Chromium ${version}: decide / GrowthBook / hand-written / track (a few minutes)`);
    const main = await runPage(`/bench.html?mode=main${PAGE_QUERY}`, { echo: true });
    say('heavy user: persisted bytes and memory');
    const heavy = await runPage('/bench.html?mode=heavy');
    say('a 1,000-event user in localStorage, for the cold starts');
    const state = await runPage('/bench.html?mode=state&user=cold-user');
    const cold = await coldStarts(state, serverUrl);
    if (foreign.length) throw new Error(`the bench pages made requests outside their own assets: ${[...new Set(foreign)].join(', ')}`);
    return { chromium: version, main, heavy, cold, foreign_requests: foreign.length };
  });
}

/** The cold starts (bench/lib/cold.mjs), the stored user from ?mode=state. */
async function coldStarts(state, serverUrl) {
  const evaluation = state.evaluation;
  const conds = conditionsOf(CONFIG);
  writeColdPages(SITE, {
    planText: PLAN_TEXT,
    user: { userId: 'cold-user', now: state.end + MINUTE, attributes: BENCH_ATTRIBUTES, entitlements: BENCH_ENTITLEMENTS },
    conditions: [...conds.segments, ...conds.stages, ...conds.experiences].map((c) => c.when),
    doc: {
      signals: evaluation.signals,
      attributes: BENCH_ATTRIBUTES,
      entitlements: BENCH_ENTITLEMENTS,
      segments: evaluation.segments,
      stage: evaluation.stage,
    },
  });
  say(`cold starts: ${COLD_RUNS} fresh profiles per page, first visit and returning visit (+1 warm-up, not counted)`);
  const origin = new URL(serverUrl).origin;
  const foreign = [];
  const expected = JSON.stringify(state.decision);
  const runs = await runColdStarts({
    runs: COLD_RUNS,
    storage: { key: state.key, value: state.value },
    url: (path) => new URL(path, serverUrl).href,
    say,
    launch: async (dir) => {
      const context = await chromium.launchPersistentContext(dir, { executablePath: findChrome(), args: CHROME_ARGS, headless: true, timeout: 60_000 });
      context.on('request', (req) => {
        const url = req.url();
        if (!url.startsWith(`${origin}/`) && !url.startsWith('data:') && url !== 'about:blank') foreign.push(url);
      });
      return context;
    },
    check: (kind, cold) => {
      if (!kind.startsWith('onstage')) return;
      if (cold.warnings.length) throw new Error(`cold start: onstage warned: ${JSON.stringify(cold.warnings)}`);
      if (JSON.stringify(cold.decision) !== expected) {
        throw new Error(`cold start: the restored user decides ${JSON.stringify(cold.decision)}, expected ${expected}`);
      }
    },
  });
  // Every run's timeline, for a closer look (not part of the results).
  writeFileSync(join(TMP, 'cold-runs.json'), `${JSON.stringify(runs)}\n`);
  if (foreign.length) throw new Error(`the cold-start pages made requests outside their own assets: ${[...new Set(foreign)].join(', ')}`);
  const first = runs.onstage.first[0]?.timeline;
  return {
    method:
      'navigation start → first decision (ms, performance.timeOrigin); a fresh Chromium profile per page and repetition, pages rotated; visit 1 = first visit (nothing cached), visit 3 = returning user (HTTP cache and code caches from visits 1-2, visit 2 stays 2.5 s); phases from Resource Timing, the pages\' marks and the package\'s User Timing measures (bench/lib/cold.mjs)',
    stored_state_chars: state.value.length,
    warm_page: state.warm,
    cross_origin_isolated: first?.cross_origin_isolated ?? false,
    decision: state.decision,
    ...summarizeColdStarts(runs),
  };
}

// ------------------------------------------------------------------ sizes
function sizeOf(file) {
  const bytes = readFileSync(file);
  return {
    raw: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
    brotli: brotliCompressSync(bytes, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
    }).length,
  };
}

// The default entry (wasm + every JS module index.js loads) and who owns
// every byte of the wasm: scripts/size-report.mjs, the same code as the
// size test of `npm test` (layer build).
export function sizes() {
  const r = sizeReport();
  const path = coldPath();
  const js = { raw: 0, gzip: 0, brotli: 0 };
  for (const [name, f] of Object.entries(r.entry.files)) {
    if (name === 'onstage_bg.wasm') continue;
    for (const k of Object.keys(js)) js[k] += f[k];
  }
  return {
    files: r.entry.files,
    onstage_js: js,
    onstage_total: r.entry.total,
    budget_brotli: r.budget_brotli,
    note: 'the default entry: onstage_bg.wasm and every JS module index.js loads; each file compressed alone (as served), then added up; gzip level 9, brotli quality 11 (node zlib)',
    wasm_by_owner: {
      about: 'raw bytes of each function (its body in the code section of the same optimized code with names kept), grouped by crate and first module; inlined code counts where it was inlined',
      code_bytes: r.breakdown.code_bytes,
      data_bytes: r.breakdown.data_bytes,
      functions: r.breakdown.functions,
      owners: r.breakdown.owners,
    },
    compiler_module: {
      about: 'onstage/compiler: compiler.js + onstage_compiler_bg.wasm, loaded only by a page given a raw config (a page that ships a compiled plan never downloads it); each file compressed alone, then added up',
      files: r.compiler.files,
      total: r.compiler.total,
    },
    cold_path: path,
    text: `${printSizeReport(r)}\n\n${printColdPath(path)}`,
    growthbook: { file: 'dist/bundles/esm.min.js', ...sizeOf(join(GB_DIR, 'dist', 'bundles', 'esm.min.js')) },
  };
}

// ---------------------------------------------------------- native simulate
/** Writes (or reuses) the timeline: users interleaved in time order. Returns its path and counts. */
export async function timeline({ users = SIM_USERS, perUser = SIM_EVENTS_PER_USER, decideEvery = SIM_DECIDE_EVERY } = {}) {
  const SIM_USERS = users;
  const SIM_EVENTS_PER_USER = perUser;
  const SIM_DECIDE_EVERY = decideEvery;
  const generator = readFileSync(join(BENCH, 'lib', 'events.mjs'));
  const key = createHash('sha256').update(generator).update(`${SIM_USERS}:${SIM_EVENTS_PER_USER}:${SIM_DECIDE_EVERY}:v1`).digest('hex').slice(0, 12);
  const path = join(TMP, `timeline-${SIM_USERS}x${SIM_EVENTS_PER_USER}-${key}.jsonl`);
  const counts = { users: SIM_USERS, track_steps: SIM_USERS * SIM_EVENTS_PER_USER, decide_steps: 0, identify_steps: SIM_USERS };
  counts.decide_steps = SIM_USERS * Math.floor(SIM_EVENTS_PER_USER / SIM_DECIDE_EVERY);
  if (existsSync(path)) return { path, ...counts, reused: true };
  say(`generating the timeline (${SIM_USERS} users x ${SIM_EVENTS_PER_USER} events)`);
  mkdirSync(TMP, { recursive: true });
  // Each user's steps, then all of them merged in time order (ties: user order).
  const steps = [];
  const tzs = [0, 60, -300, 330, 540, -480, 120];
  for (let u = 0; u < SIM_USERS; u++) {
    const user = `u${String(u).padStart(5, '0')}`;
    const events = generateHistory({ seed: 0x5eed0000 + u, count: SIM_EVENTS_PER_USER });
    const first = events[0].t - MINUTE;
    steps.push({
      t: first,
      u,
      s: 0,
      line: JSON.stringify({
        user,
        at: new Date(first).toISOString(),
        identify: {
          attributes: { id: user, role: u % 3 === 0 ? 'owner' : 'member' },
          entitlements: { limits: { api_units: 2000 + (u % 7) * 1000 }, seats_active: 3 + (u % 9), seats_licensed: 10 },
          tz_offset_minutes: tzs[u % tzs.length],
        },
      }),
    });
    events.forEach((e, i) => {
      const at = new Date(e.t).toISOString();
      const track = { user, at, track: e.name };
      if (e.props) track.props = e.props;
      steps.push({ t: e.t, u, s: 2 * i + 1, line: JSON.stringify(track) });
      if ((i + 1) % SIM_DECIDE_EVERY === 0) steps.push({ t: e.t, u, s: 2 * i + 2, line: JSON.stringify({ user, at, decide: '*' }) });
    });
  }
  steps.sort((a, b) => a.t - b.t || a.u - b.u || a.s - b.s);
  const tmp = `${path}.tmp`;
  const out = createWriteStream(tmp);
  let chunk = [];
  for (const s of steps) {
    chunk.push(s.line);
    if (chunk.length === 10_000) {
      if (!out.write(`${chunk.join('\n')}\n`)) await new Promise((r) => out.once('drain', r));
      chunk = [];
    }
  }
  if (chunk.length) out.write(`${chunk.join('\n')}\n`);
  await new Promise((resolve, reject) => out.end((err) => (err ? reject(err) : resolve())));
  renameSync(tmp, path);
  return { path, ...counts, reused: false };
}

function targetDir() {
  const meta = JSON.parse(execFileSync('cargo', ['metadata', '--format-version', '1', '--no-deps'], { cwd: ROOT, encoding: 'utf8' }));
  return meta.target_directory;
}

/** One run of the CLI: wall time (hrtime) and the child's CPU time (bash's `times`). */
function runSimulate(bin, tl) {
  return new Promise((resolve, reject) => {
    const script = '"$0" simulate "$1" "$2" --no-reasons >/dev/null; s=$?; times >&2; exit $s';
    const t0 = process.hrtime.bigint();
    const child = spawn('bash', ['-c', script, bin, CONFIG_PATH, tl.path], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const wall = Number(process.hrtime.bigint() - t0) / 1e9;
      if (code !== 0) return reject(new Error(`onstage simulate exited ${code}: ${err}`));
      // `times` prints the shell's user/sys, then its children's.
      const lines = err.trim().split('\n');
      const m = lines[lines.length - 1].match(/(\d+)m([\d.]+)s\s+(\d+)m([\d.]+)s/);
      const cpu = m ? Number(m[1]) * 60 + Number(m[2]) + Number(m[3]) * 60 + Number(m[4]) : NaN;
      resolve({ wall_s: wall, cpu_s: cpu });
    });
  });
}

async function nativeSimulate() {
  const bin = join(targetDir(), 'release', 'onstage');
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run 'cargo build --release --bin onstage' (npm run bench does).`);
  const tl = await timeline();
  say(`native simulate: ${tl.track_steps.toLocaleString('en-US')} tracks, ${SIM_RUNS} run(s)`);
  const runs = [];
  for (let i = 0; i < SIM_RUNS; i++) runs.push(await runSimulate(bin, tl));
  const evWall = runs.map((r) => tl.track_steps / r.wall_s);
  const evCpu = runs.map((r) => tl.track_steps / r.cpu_s);
  const stepsTotal = tl.track_steps + tl.decide_steps + tl.identify_steps;
  return {
    command: 'onstage simulate saas.json TIMELINE --no-reasons > /dev/null (release build of the CLI, one process, one thread)',
    users: tl.users,
    track_steps: tl.track_steps,
    decide_steps: tl.decide_steps,
    identify_steps: tl.identify_steps,
    timeline_bytes: readFileSync(tl.path).length,
    runs: runs.length,
    wall_s: quantiles(runs.map((r) => r.wall_s)),
    cpu_s: quantiles(runs.map((r) => r.cpu_s)),
    events_per_s_wall: quantiles(evWall),
    events_per_s_cpu: quantiles(evCpu),
    steps_per_s_wall: quantiles(runs.map((r) => stepsTotal / r.wall_s)),
    note: 'events = track steps; the time covers every step (parsing the JSON line, the step itself, the decide lines written)',
  };
}

// ------------------------------------------------------------------ machine
function git(...a) {
  try {
    return execFileSync('git', a, { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
}

function machine(chromiumVersion) {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    memory_gb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    chromium: chromiumVersion,
    growthbook: JSON.parse(readFileSync(join(GB_DIR, 'package.json'), 'utf8')).version,
    date: new Date().toISOString(),
    load_average_1m: { start: Number(loadAtStart[0].toFixed(2)), end: Number(os.loadavg()[0].toFixed(2)) },
    commit: git('rev-parse', 'HEAD'),
    dirty: git('status', '--porcelain', '--', 'src', 'js', 'Cargo.toml', 'Cargo.lock') !== '',
  };
}

// --------------------------------------------------------------------- main
/** --cold-only: the stored user, then the cold starts; nothing else. */
async function coldOnlyMain() {
  const cold = await withBrowser(async ({ runPage, version, serverUrl }) => {
    const state = await runPage('/bench.html?mode=state&user=cold-user');
    return { chromium: version, ...(await coldStarts(state, serverUrl)) };
  });
  const results = { about: 'node scripts/bench.mjs --cold-only', machine: machine(cold.chromium), cold_start: cold, bench_seconds: elapsed() };
  const out = join(TMP, 'results-cold.json');
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  console.log(renderColdMarkdown(cold));
  say(`wrote ${out.slice(ROOT.length)} (${results.bench_seconds.toFixed(0)} s)`);
}

/** --decide-only: decide / GrowthBook / hand-written / track; nothing else. */
async function decideOnlyMain() {
  const query = SIZES_ARG ? PAGE_QUERY : `${PAGE_QUERY}&sizes=10000`;
  const page = await withBrowser(async ({ runPage, version }) => ({
    chromium: version,
    ...(await runPage(`/bench.html?mode=main${query}`, { echo: true })),
  }));
  const results = { about: `node scripts/bench.mjs ${args.join(' ')}`, machine: machine(page.chromium), browser: page, bench_seconds: elapsed() };
  const out = join(TMP, 'results-decide.json');
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  const us = (t) => `${t.median_us.toFixed(2)} µs (p95 ${t.p95_us.toFixed(2)})`;
  for (const [size, r] of Object.entries(page.sizes)) {
    console.log(`${size} events: decide ${us(r.onstage_decide)}, GrowthBook ${us(r.growthbook_conditions)}, ratio ${(r.onstage_decide.median_us / r.growthbook_conditions.median_us).toFixed(2)}`);
    console.log(`  reasons ${us(r.onstage_decide_reasons)}, same moment ${us(r.onstage_decide_same_moment)}, hand-written ${us(r.handwritten)}, track ${us(r.onstage_track)}`);
  }
  const b = page.wasm_binding;
  console.log(`wasm binding at ${b.events}: decide ${us(b.wasm_decide)}, unchanged ${us(b.wasm_decide_unchanged)}, decide+parse ${us(b.wasm_decide_parse)}, reasons ${us(b.wasm_decide_reasons)}, evaluate ${us(b.wasm_evaluate)}, track ${us(b.wasm_track)}`);
  say(`wrote ${out.slice(ROOT.length)} (${results.bench_seconds.toFixed(0)} s)`);
}

/** --native-only: sizes and native simulate again, into results.json. */
async function nativeOnlyMain() {
  const out = join(BENCH, 'results.json');
  const results = JSON.parse(readFileSync(out, 'utf8'));
  results.native_simulate = await nativeSimulate();
  results.sizes = sizes();
  const commit = git('rev-parse', 'HEAD');
  results.about = `${results.about.split('; sizes and native simulate')[0]}; sizes and native simulate measured again at ${commit.slice(0, 7)} (node scripts/bench.mjs --native-only)`;
  const load = os.loadavg()[0].toFixed(2);
  results.native_note = `measured again with node scripts/bench.mjs --native-only (and node scripts/bench-batch.mjs after it) at ${new Date().toISOString()}, commit ${commit.slice(0, 10)}, load average ${load} at the end; the browser's figures are the full run's`;
  results.budgets = checkBudgets(results);
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  console.log(renderMarkdown(results));
  say(`wrote ${out.slice(ROOT.length)} (${elapsed().toFixed(0)} s)`);
}

async function main() {
  mkdirSync(TMP, { recursive: true });
  if (nativeOnly) return nativeOnlyMain();
  await buildSite();
  if (coldOnly) return coldOnlyMain();
  if (decideOnly) return decideOnlyMain();
  const browser = await browserPart();
  const native = await nativeSimulate();
  const results = {
    about: 'npm run bench (scripts/bench.mjs); see README, Performance',
    config: CONFIG_PATH.startsWith(ROOT) ? CONFIG_PATH.slice(ROOT.length) : '../shared/examples/saas.json',
    quick,
    machine: machine(browser.chromium),
    method: {
      timing: 'batches of N calls (N calibrated so that a batch lasts about batch_ms); median and p95 over batches of the per-call time; the compared operations interleaved batch by batch',
      batches: browser.main.batches,
      batch_ms: browser.main.batch_ms,
      cross_origin_isolated: browser.main.cross_origin_isolated,
      history: '1 user, 90 days, seeded mulberry32 (bench/lib/events.mjs); tz offset 0; decisions at the end of the history',
      foreign_requests: browser.foreign_requests,
    },
    browser: {
      conditions: browser.main.conditions,
      batches: browser.main.batches,
      sizes: browser.main.sizes,
      wasm_binding: browser.main.wasm_binding,
      page_ms: browser.main.page_ms,
    },
    cold_start: browser.cold,
    sizes: sizes(),
    heavy: browser.heavy,
    native_simulate: native,
  };
  results.budgets = checkBudgets(results);
  results.bench_seconds = elapsed();
  const out = join(BENCH, quick ? 'tmp/results-quick.json' : 'results.json');
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  console.log(renderMarkdown(results));
  console.log(`\n${results.sizes.text}`);
  say(`wrote ${out.slice(ROOT.length)} (${results.bench_seconds.toFixed(0)} s)`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((err) => {
    console.error(`[bench] failed: ${err?.stack ?? err}`);
    process.exit(1);
  });
}

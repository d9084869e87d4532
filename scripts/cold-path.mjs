// The wasm code a page runs to reach its first decision, phase by phase:
// the code V8 has to compile on the way, because it compiles WebAssembly
// lazily (each function by Liftoff, on the main thread, at its first
// call). Unlike the cold-start timings, the figure is deterministic (same
// build, same bytes), so a change shows its effect on start-up exactly.
//
//   node scripts/cold-path.mjs          # the report, as text
//   node scripts/cold-path.mjs --json   # the same, as JSON (bench.mjs)
//   node scripts/cold-path.mjs --check  # exit 1 past bench/budgets.json's ceiling (npm test, layer build)
//
// How: `wasm-opt --log-execution` (npm binaryen) adds a call to an import
// at the entry of every function of the named build
// (target/onstage-named.wasm, the shipped code with its names); the
// package's own sources run in Node against it, as the bench's cold page
// does: `init` from the config's compiled plan (compiled by the package's
// compiler module in the first process: a page ships the plan, and never
// loads the compiler) restoring a 1,000-event user (the bench's history,
// saved by the package itself in that first process) + `decide('*')`. A function counts
// in the phase that first ran it; its size is its body's bytes in the
// code section (scripts/size-report.mjs `functionMetrics`). Phases follow the package's User Timing measures:
// config (`onstage:config`), engine + restore (`onstage:restore`), the rest
// of `init` (identify, storage, tabs), the first decide.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { functionMetrics, ownerOf, shortName } from './size-report.mjs';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const PHASES = ['config', 'restore', 'init_rest', 'decide'];
/** The features rustc's wasm32 output uses (as scripts/build-wasm.sh). */
const FEATURES = ['bulk-memory', 'nontrapping-float-to-int', 'sign-ext', 'mutable-globals', 'reference-types', 'multivalue'].map((f) => `--enable-${f}`);

/** A Storage over the Map \`mem\` (Node has no localStorage). */
const MEMORY_STORAGE = `const storage = { getItem: (k) => mem.get(k) ?? null, setItem: (k, v) => mem.set(k, String(v)), removeItem: (k) => mem.delete(k), key: (i) => [...mem.keys()][i] ?? null, get length() { return mem.size; } };`;

/**
 * Runs in a child process: the stored user, written by the real package,
 * and the decision the real package makes from it at the cold page's time
 * (what the instrumented run must decide too).
 */
const MAKE_STATE = `
import { init } from ${JSON.stringify(join(ROOT, 'dist', 'index.js'))};
import { compileConfig, loadCompiler } from ${JSON.stringify(join(ROOT, 'dist', 'compiler.js'))};
import { BENCH_ATTRIBUTES, BENCH_END, BENCH_ENTITLEMENTS, BENCH_SEED, generateHistory } from ${JSON.stringify(join(ROOT, 'bench', 'lib', 'events.mjs'))};
import { readFileSync, writeFileSync } from 'node:fs';
const [configPath, out, planOut] = process.argv.slice(2);
await loadCompiler();
const config = compileConfig(readFileSync(configPath, 'utf8')).plan;
writeFileSync(planOut, config);
const mem = new Map();
${MEMORY_STORAGE}
const events = generateHistory({ seed: BENCH_SEED, count: 1000 });
let clock = events[0].t;
const o = await init({ config, userId: 'cold-user', storage, now: () => clock, tzOffsetMinutes: 0, attributes: BENCH_ATTRIBUTES, entitlements: BENCH_ENTITLEMENTS });
for (const e of events) { clock = e.t; o.track(e.name, e.props ?? undefined); }
clock = BENCH_END;
o.flush();
const key = o.state().storageKey;
const state = mem.get(key);
o.destroy();
const now = BENCH_END + 60000;
// The cold page's storage: the state alone.
mem.clear();
mem.set(key, state);
const restored = await init({ config, userId: 'cold-user', storage, now: () => now, tzOffsetMinutes: 0, attributes: BENCH_ATTRIBUTES, entitlements: BENCH_ENTITLEMENTS });
const decision = Object.fromEntries(Object.entries(restored.decide('*')).map(([s, d]) => [s, d.experience]));
restored.destroy();
writeFileSync(out, JSON.stringify({ key, state, now, decision, attributes: BENCH_ATTRIBUTES, entitlements: BENCH_ENTITLEMENTS }));
`;

/** Runs in a child process: the cold path, on the instrumented module. */
const TRACE = `
import { readFileSync, writeFileSync } from 'node:fs';
const [pkg, planPath, userPath, out] = process.argv.slice(2);
let phase = 'load';
const first = new Map();
globalThis.__onstageLog = (id) => { if (!first.has(id)) first.set(id, phase); };
const measure = performance.measure.bind(performance);
performance.measure = (name, options) => {
  if (name === 'onstage:config') phase = 'restore';
  if (name === 'onstage:restore') phase = 'init_rest';
  return measure(name, options);
};
const { init, load } = await import(pkg + '/index.js');
// The plan's text, as a page that fetches it has it.
const config = readFileSync(planPath, 'utf8');
const user = JSON.parse(readFileSync(userPath, 'utf8'));
const mem = new Map([[user.key, user.state]]);
${MEMORY_STORAGE}
await load();
phase = 'config';
const onstage = await init({ config, userId: 'cold-user', storage, now: () => user.now, tzOffsetMinutes: 0, attributes: user.attributes, entitlements: user.entitlements });
phase = 'decide';
const decision = onstage.decide('*');
phase = 'after';
writeFileSync(out, JSON.stringify({ first: [...first], decision: Object.fromEntries(Object.entries(decision).map(([s, d]) => [s, d.experience])), expected: user.decision }));
`;

/** Every instrumented id's function index, from the module's text. */
function idsToFunctions(wat) {
  const call = wat.match(/\(import "[^"]+" "log_execution" \(func (\$\S+)/);
  if (!call) throw new Error('wasm-opt --log-execution added no import');
  const ids = new Map();
  const pattern = new RegExp(`call ${call[1].replace(/[$]/g, '\\$')}\\n\\s*\\(i32\\.const (\\d+)\\)`, 'g');
  wat.split('\n (func ').slice(1).forEach((body, index) => {
    for (const m of body.matchAll(pattern)) ids.set(Number(m[1]), index);
  });
  return ids;
}

export function coldPath({ config = join(ROOT, '..', 'shared', 'examples', 'saas.json') } = {}) {
  const named = join(ROOT, 'target', 'onstage-named.wasm');
  const { functions } = functionMetrics(named);
  const dir = mkdtempSync(join(os.tmpdir(), 'onstage-cold-path-'));
  try {
    const wasmOpt = join(ROOT, 'node_modules', '.bin', 'wasm-opt');
    const pkg = join(dir, 'pkg');
    execFileSync('mkdir', ['-p', pkg]);
    execFileSync(wasmOpt, ['-g', named, ...FEATURES, '--log-execution', '-o', join(pkg, 'onstage_bg.wasm')]);
    const wat = execFileSync(wasmOpt, ['-g', join(pkg, 'onstage_bg.wasm'), ...FEATURES, '--print'], { encoding: 'utf8', maxBuffer: 1 << 30 });
    const ids = idsToFunctions(wat);
    // The package's sources, with the glue's imports given the logger.
    const src = join(ROOT, 'crates', 'wasm', 'js');
    for (const f of readdirSync(src).filter((f) => f.endsWith('.js'))) copyFileSync(join(src, f), join(pkg, f));
    const glue = readFileSync(join(ROOT, 'dist', 'onstage.js'), 'utf8');
    const hooked = glue.replace(
      /const imports = __wbg_get_imports\(\);/g,
      "const imports = __wbg_get_imports(); imports['./onstage_bg.js'].log_execution = (id) => globalThis.__onstageLog(id);",
    );
    if (hooked === glue) throw new Error('dist/onstage.js: no __wbg_get_imports() to hook');
    writeFileSync(join(pkg, 'onstage.js'), hooked);
    writeFileSync(join(dir, 'make-state.mjs'), MAKE_STATE);
    writeFileSync(join(dir, 'trace.mjs'), TRACE);
    const plan = join(dir, 'plan.json');
    execFileSync(process.execPath, [join(dir, 'make-state.mjs'), config, join(dir, 'user.json'), plan]);
    // pkg/ has no compiler glue: were the trace to load the compiler, it would fail.
    execFileSync(process.execPath, [join(dir, 'trace.mjs'), pkg, plan, join(dir, 'user.json'), join(dir, 'out.json')]);
    const { first, decision, expected } = JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8'));
    const phaseOf = new Map();
    for (const [id, phase] of first) {
      const index = ids.get(id);
      if (index !== undefined && !phaseOf.has(index)) phaseOf.set(index, phase);
    }
    const phases = {};
    for (const phase of PHASES) {
      const fs = [...phaseOf].filter(([, p]) => p === phase).map(([i]) => functions[i]);
      const owners = new Map();
      for (const f of fs) owners.set(ownerOf(f.name), (owners.get(ownerOf(f.name)) ?? 0) + f.bytes);
      phases[phase] = {
        functions: fs.length,
        bytes: fs.reduce((a, f) => a + f.bytes, 0),
        owners: [...owners].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([owner, bytes]) => ({ owner, bytes })),
        largest: fs.sort((a, b) => b.bytes - a.bytes).slice(0, 5).map((f) => ({ name: shortName(f.name), bytes: f.bytes })),
      };
    }
    const onPath = PHASES.reduce((a, p) => ({ functions: a.functions + phases[p].functions, bytes: a.bytes + phases[p].bytes }), { functions: 0, bytes: 0 });
    return {
      method: 'wasm code first run in each phase of init from the compiled plan + the first decide (restoring the bench\'s 1,000-event user): wasm-opt --log-execution on target/onstage-named.wasm, the package run in Node (scripts/cold-path.mjs)',
      decision,
      expected_decision: expected,
      module: { functions: functions.length, bytes: functions.reduce((a, f) => a + f.bytes, 0) },
      on_path: onPath,
      phases,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The report as text (also printed by `npm run bench`). */
export function print(r) {
  const share = (n) => `${((100 * n) / r.module.bytes).toFixed(0)}%`;
  const out = [`Wasm code run to the first decision (compiled lazily on the way): ${r.on_path.bytes} of ${r.module.bytes} bytes (${share(r.on_path.bytes)}), ${r.on_path.functions} of ${r.module.functions} functions`];
  for (const [phase, p] of Object.entries(r.phases)) {
    out.push(`  ${phase.padEnd(10)} ${String(p.bytes).padStart(7)} bytes ${String(p.functions).padStart(4)} functions  ${p.owners.slice(0, 4).map((o) => `${o.owner} ${o.bytes}`).join(', ')}`);
  }
  return out.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const r = coldPath();
  if (process.argv.includes('--check')) {
    const { cold_path_bytes_ceiling: ceiling } = JSON.parse(readFileSync(join(ROOT, 'bench', 'budgets.json'), 'utf8'));
    // The instrumented module decides what the package itself decided.
    const expected = JSON.stringify(r.expected_decision);
    if (JSON.stringify(r.decision) !== expected) {
      console.error(`cold path: the restored user decided ${JSON.stringify(r.decision)}, the package itself ${expected}`);
      process.exit(1);
    }
    const ok = r.on_path.bytes <= ceiling;
    console.log(`wasm code on the way to the first decision: ${r.on_path.bytes} bytes; ceiling ${ceiling}: ${ok ? 'within' : 'OVER'}`);
    if (!ok) console.error(print(r));
    process.exit(ok ? 0 : 1);
  }
  console.log(process.argv.includes('--json') ? JSON.stringify(r, null, 2) : print(r));
}

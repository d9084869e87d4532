// Compiled plans (issue 11): a page that gives `init` a plan downloads only
// the default entry (index.js, onstage_bg.wasm) and never the compiler
// (compiler.js, onstage_compiler_bg.wasm); a page that gives a raw config
// loads the compiler on demand and decides the same. The plan here is
// compiled now, by the package's compiler module in Node.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { DIST } from '../../scripts/serve.mjs';
import { ROOT, startHarness } from './harness.mjs';
import { inPage, PAGE } from './inpage.mjs';
import { recordRequests } from './requests.mjs';

const COMPILER_FILES = ['/pkg/compiler.js', '/pkg/onstage_compiler_bg.wasm'];

let h;
let plan;
before(async () => {
  h = await startHarness();
  const { compileConfig, loadCompiler } = await import(join(DIST, 'compiler.js'));
  await loadCompiler();
  plan = compileConfig(readFileSync(join(ROOT, 'www', 'saas.json'), 'utf8')).plan;
});
after(() => h?.close());

/** Opens the bare page, recording the paths it requests. */
async function open() {
  const requests = [];
  const opened = await h.openPage(PAGE, { beforeLoad: ({ context }) => recordRequests(context, requests) });
  return { ...opened, paths: () => requests.map((url) => new URL(url).pathname) };
}

/** A user walked a few steps under `arg.config`; what it decides. */
const WALK = `
  window.__now = 1772000000000;
  const warnings = [];
  const o = await onstage.init({
    config: arg.config === 'raw' ? config : arg.config, userId: 'plan-user', tzOffsetMinutes: 0, now: () => window.__now,
    attributes: { id: 'plan-user', role: 'admin' }, onWarning: (w) => warnings.push(w.code),
  });
  for (const e of ['workspace_created', 'integration_connected', 'report_created']) { window.__now += 60000; o.track(e, { provider: 'slack' }); }
  const decided = o.decide('*', { reasons: true });
  const stage = o.evaluate().stage;
`;

test('a page given a plan never fetches the compiler; setConfig and validateConfig of a raw config then need loadCompiler', async () => {
  const { page, errors, paths } = await open();
  const result = await inPage(
    page,
    `${WALK}
    const refusals = {};
    for (const [what, run] of [['setConfig', () => o.setConfig(config)], ['validateConfig', () => onstage.validateConfig(config)]]) {
      try { run(); } catch (err) { refusals[what] = [err.code, err.message]; }
    }
    // A plan is taken as it is, as text or as the object parsed from it.
    o.setConfig(JSON.parse(arg.config));
    let bad = null;
    try { o.setConfig('{"onstage_plan":1,"version":"0.0.0"}'); } catch (err) { bad = err.code; }
    const fetchedBefore = performance.getEntriesByType('resource').map((r) => new URL(r.name).pathname);
    await onstage.loadCompiler();
    o.setConfig(config);
    const problems = onstage.validateConfig(config);
    const after = o.decide('*', { reasons: true });
    o.destroy();
    return { decided, stage, warnings, refusals, bad, fetchedBefore, same: JSON.stringify(after) === JSON.stringify(decided), problems: problems.length };
  `,
    { config: plan },
  );
  assert.deepEqual(errors, []);
  assert.equal(result.stage, 'activation');
  assert.deepEqual(result.warnings, []);
  for (const what of ['setConfig', 'validateConfig']) {
    assert.equal(result.refusals[what]?.[0], 'compiler_not_loaded', what);
    assert.match(result.refusals[what][1], /onstage compile|loadCompiler/);
  }
  assert.equal(result.bad, 'invalid_plan');
  for (const file of COMPILER_FILES) assert.ok(!result.fetchedBefore.includes(file), `${file} was fetched before loadCompiler()`);
  assert.ok(result.fetchedBefore.includes('/pkg/onstage_bg.wasm'));
  // loadCompiler() fetched it; the raw config then decides as the plan did.
  for (const file of COMPILER_FILES) assert.ok(paths().includes(file), `${file} after loadCompiler()`);
  assert.ok(result.same, 'the raw config, compiled in the page, decides as its plan');
  assert.equal(result.problems, 0);
});

test('a page given a plan makes only the default entry\'s requests', async () => {
  const { page, errors, paths } = await open();
  const result = await inPage(page, `${WALK} o.destroy(); return { stage, decided };`, { config: plan });
  assert.deepEqual(errors, []);
  assert.equal(result.stage, 'activation');
  const pkg = paths().filter((p) => p.startsWith('/pkg/'));
  assert.deepEqual([...new Set(pkg)].sort(), ['/pkg/index.js', '/pkg/onstage_bg.wasm']);
});

test('a page given a raw config loads the compiler by itself and decides as from the plan', async () => {
  const fromPlan = await (async () => {
    const { page } = await open();
    return inPage(page, `${WALK} o.destroy(); return decided;`, { config: plan });
  })();
  const { page, errors, paths } = await open();
  const result = await inPage(page, `${WALK} o.destroy(); return { decided, warnings };`, { config: 'raw' });
  assert.deepEqual(errors, []);
  assert.deepEqual(result.warnings, []);
  for (const file of COMPILER_FILES) assert.ok(paths().includes(file), `${file} fetched for a raw config`);
  assert.deepEqual(result.decided, fromPlan);
});

test('a bad raw config still throws invalid_config with problems; a bad plan invalid_plan', async () => {
  const { page } = await open();
  const result = await inPage(
    page,
    `
    const codes = [];
    for (const c of [{ version: 2 }, '{"onstage_plan":1,"version":"0.1.0","cut', { onstage_plan: 1 }]) {
      try { await onstage.init({ config: c, userId: 'u', storage: 'memory' }); codes.push('accepted'); }
      catch (err) { codes.push([err.code, Array.isArray(err.problems)]); }
    }
    return codes;
  `,
  );
  assert.deepEqual(result, [['invalid_config', true], ['invalid_plan', false], ['invalid_plan', false]]);
});

test('after a trap, an instance started from a plan is rebuilt from it, without the compiler', async () => {
  const { page, errors, paths } = await open();
  const result = await inPage(
    page,
    `${WALK}
    o.flush();
    let code = null;
    try { o.__forceTrapForTests(); } catch (err) { code = err.code; }
    const again = o.evaluate().stage;
    o.destroy();
    return { code, again, warnings };
  `,
    { config: plan },
  );
  assert.deepEqual(errors, []);
  assert.equal(result.code, 'internal');
  assert.equal(result.again, 'activation');
  assert.ok(result.warnings.includes('engine_restarted'));
  for (const file of COMPILER_FILES) assert.ok(!paths().includes(file), `${file} fetched by the rebuild`);
});

test('the inspector follows an instance started from a plan: the stage, the segments held, the signals', async () => {
  const { page, errors } = await open();
  const result = await inPage(
    page,
    `${WALK}
    const { mountInspector } = await import('/pkg/inspector.js');
    const host = document.createElement('div');
    document.body.append(host);
    const inspector = mountInspector(host, o, { now: () => window.__now, open: ['stage', 'signals'] });
    inspector.update();
    const q = (id) => host.querySelector('[data-testid="' + id + '"]');
    const out = {
      stage: q('stage')?.dataset.stage,
      held: q('segments')?.dataset.held,
      segments: o.evaluate().segments.join(' '),
      signal: q('signal-setup_steps')?.dataset.value,
    };
    inspector.destroy();
    o.destroy();
    return out;
  `,
    { config: plan },
  );
  assert.deepEqual(errors, []);
  assert.equal(result.stage, 'activation');
  assert.ok(result.segments.length > 0);
  assert.equal(result.held, result.segments);
  assert.equal(result.signal, '3');
});

test('npx onstage-compile writes the bytes the native `onstage compile` writes, and refuses as it does', async () => {
  const { execFileSync, spawnSync } = await import('node:child_process');
  const { mkdtempSync, rmSync } = await import('node:fs');
  const os = await import('node:os');
  const onstage = process.env.ONSTAGE ?? join(ROOT, 'target', 'debug', 'onstage');
  const bin = join(DIST, 'onstage-compile.js');
  const saas = join(ROOT, '..', 'shared', 'examples', 'saas.json');
  const dir = mkdtempSync(join(os.tmpdir(), 'onstage-compile-'));
  try {
    execFileSync(onstage, ['compile', saas, '-o', join(dir, 'native.json')]);
    execFileSync(process.execPath, [bin, saas, '-o', join(dir, 'npm.json')]);
    const native = readFileSync(join(dir, 'native.json'));
    assert.ok(native.toString().startsWith('{"onstage_plan":1,'));
    assert.ok(native.equals(readFileSync(join(dir, 'npm.json'))), 'the two plans are byte for byte the same');
    // Standard output too.
    assert.ok(execFileSync(process.execPath, [bin, saas]).equals(native));
    // A bad config: exit 1, every problem on standard error, nothing written.
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"version":2}');
    const n = spawnSync(onstage, ['compile', bad], { encoding: 'utf8' });
    const j = spawnSync(process.execPath, [bin, bad], { encoding: 'utf8' });
    assert.equal(j.status, n.status);
    assert.equal(j.stdout, '');
    assert.equal(j.stderr, n.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the compiler entry given a plan in place of a config says so (not its header as unknown fields)', async () => {
  const { compileConfig, validateConfig } = await import(join(DIST, 'compiler.js'));
  for (const given of [plan, JSON.parse(plan)]) {
    const problems = validateConfig(given);
    assert.equal(problems.length, 1, JSON.stringify(problems));
    assert.equal(problems[0].code, 'invalid_config');
    assert.equal(problems[0].path, '$');
    assert.match(problems[0].message, /^this is a compiled plan, not a config/);
    assert.throws(() => compileConfig(given), (err) => err.code === 'invalid_config' && /was given a compiled plan/.test(err.message));
  }
  // A config is still compiled.
  assert.ok(compileConfig(readFileSync(join(ROOT, 'www', 'saas.json'), 'utf8')).plan.startsWith('{"onstage_plan":1,'));
});

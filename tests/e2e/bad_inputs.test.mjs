// The catalogue of bad inputs through the browser package in Chromium:
// every class of tests/bad_inputs.rs that a host can send through the JS
// API, plus what only JavaScript can send (functions, symbols, BigInt,
// NaN, cycles, non-string ids). Each must throw a real Error with the
// exact `code`, store nothing (storage, exported state, evaluation and
// decisions unchanged), and leave the instance working.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startHarness } from './harness.mjs';
import { inPage, OPEN, PAGE } from './inpage.mjs';

let h;
before(async () => {
  h = await startHarness();
});
after(() => h?.close());

const MIN = 60_000;
const DAY = 86_400_000;

// [class, expected code, the call (a function body with os, onstage, config, now in scope)]
const CASES = [
  ['event name a number', 'bad_event_name', `os.track(5)`],
  ['event name undefined', 'bad_event_name', `os.track()`],
  ['event name null', 'bad_event_name', `os.track(null)`],
  ['event name an object', 'bad_event_name', `os.track({ name: 'x' })`],
  ['event name a symbol', 'bad_event_name', `os.track(Symbol('x'))`],
  ['event name empty', 'bad_event_name', `os.track('')`],
  ['event name 129 chars', 'bad_event_name', `os.track('e'.repeat(129))`],
  ['props an array', 'bad_props', `os.track('report_created', [1, 2])`],
  ['props a string', 'bad_props', `os.track('report_created', 'x')`],
  ['props a number', 'bad_props', `os.track('report_created', 3)`],
  ['prop nested object', 'bad_props', `os.track('report_created', { a: { b: 1 } })`],
  ['prop array', 'bad_props', `os.track('report_created', { a: [1] })`],
  ['prop function', 'bad_props', `os.track('report_created', { a() {} })`],
  ['props a function', 'bad_props', `os.track('report_created', () => 1)`],
  ['prop symbol', 'bad_props', `os.track('report_created', { a: Symbol('s') })`],
  ['prop BigInt', 'bad_props', `os.track('report_created', { a: 10n })`],
  ['prop NaN', 'bad_props', `os.track('report_created', { a: NaN })`],
  ['prop Infinity', 'bad_props', `os.track('report_created', { a: Infinity })`],
  ['prop -Infinity', 'bad_props', `os.track('report_created', { a: -Infinity })`],
  ['prop key __proto__', 'bad_props', `os.track('report_created', JSON.parse('{"__proto__": 1}'))`],
  ['prop key constructor', 'bad_props', `os.track('report_created', { constructor: 1 })`],
  ['prop string 1025 chars', 'bad_props', `os.track('report_created', { a: 'x'.repeat(1025) })`],
  ['prop string of 2 MB', 'bad_props', `os.track('report_created', { a: 'x'.repeat(2 << 20) })`],
  ['65 props', 'bad_props', `os.track('report_created', Object.fromEntries([...Array(65).keys()].map((i) => ['k' + i, i])))`],
  ['props with a cycle', 'bad_props', `const p = { a: 1 }; p.self = p; os.track('report_created', p)`],
  ['prop a Date', 'bad_props', `os.track('report_created', { at: new Date() })`],
  ['timestamp NaN', 'bad_time', `os.track('report_created', null, NaN)`],
  ['timestamp Infinity', 'bad_time', `os.track('report_created', null, Infinity)`],
  ['timestamp negative', 'bad_time', `os.track('report_created', null, -1)`],
  ['timestamp a string', 'bad_time', `os.track('report_created', null, String(now))`],
  ['timestamp a Date', 'bad_time', `os.track('report_created', null, new Date(now))`],
  ['timestamp 5 min + 1 ms ahead', 'timestamp_in_future', `os.track('report_created', null, now + ${5 * MIN + 1})`],
  ['timestamp 24 h + 1 ms behind', 'timestamp_too_old', `os.track('report_created', null, now - ${DAY + 1})`],
  ['identify attributes an array', 'bad_identify', `os.identify({ attributes: [1] })`],
  ['identify attributes a string', 'bad_identify', `os.identify({ attributes: 'admin' })`],
  ['identify entitlements null', 'bad_identify', `os.identify({ entitlements: null })`],
  ['identify attributes with a function', 'bad_identify', `os.identify({ attributes: { f() {} } })`],
  ['identify attributes with a BigInt', 'bad_identify', `os.identify({ attributes: { n: 1n } })`],
  ['identify attributes nested 70 levels', 'bad_identify',
    `let a = { x: 1 }; for (let i = 0; i < 70; i++) a = { a }; os.identify({ attributes: a })`],
  ['identify tz 841', 'bad_identify', `os.identify({ tzOffsetMinutes: 841 })`],
  ['identify tz 1.5', 'bad_identify', `os.identify({ tzOffsetMinutes: 1.5 })`],
  ['identify tz a string', 'bad_identify', `os.identify({ tzOffsetMinutes: '60' })`],
  ['decide unknown slot', 'unknown_slot', `os.decide('nope')`],
  ['decide a known and an unknown slot', 'unknown_slot', `os.decide(['home', 'nope'])`],
  ['decide a number', 'unknown_slot', `os.decide(5)`],
  ['decide a list with a number', 'unknown_slot', `os.decide(['home', 5])`],
  ['decide nothing', 'unknown_slot', `os.decide()`],
  ['shown unknown experience', 'unknown_experience', `os.shown('nope')`],
  ['dismissed empty id', 'unknown_experience', `os.dismissed('')`],
  ['converted wrong case', 'unknown_experience', `os.converted('SETUP_CHECKLIST')`],
  ['advanced a checklist', 'unknown_tour', `os.advanced('setup_checklist', 'workspace')`],
  ['advanced an unknown tour', 'unknown_tour', `os.advanced('nope', 'x')`],
  ['advanced a number', 'unknown_tour', `os.advanced(5, 'x')`],
  ['advanced nothing', 'unknown_tour', `os.advanced()`],
  ['advanced a symbol', 'unknown_tour', `os.advanced(Symbol('t'), 'x')`],
  ['importSummary not an object', 'summary_not_recognized', `os.importSummary([])`],
  ['importSummary a future version', 'summary_unknown_version',
    `os.importSummary({ format: 'onstage-summary', version: 2, user: 'p1', as_of: 0, signals: {} })`],
  ['importSummary of another user', 'summary_other_user',
    `os.importSummary({ format: 'onstage-summary', version: 1, user: 'p2', as_of: 0, signals: {} })`],
  ['importSummary as_of after now', 'summary_corrupt',
    `os.importSummary({ format: 'onstage-summary', version: 1, user: 'p1', as_of: now + ${DAY}, signals: {} })`],
  ['importSummary with a function', 'summary_corrupt', `os.importSummary({ format: 'onstage-summary', f() {} })`],
  ['setConfig version 2', 'invalid_config', `os.setConfig({ ...config, version: 2 })`],
  ['setConfig with a segment cycle', 'invalid_config', `os.setConfig({ ...config, segments: {
      a: { when: { segments: { $in: ['b'] } } }, b: { when: { segments: { $in: ['a'] } } } } })`],
  ['setConfig with a cycle in the object', 'invalid_config', `const c = { ...config }; c.self = c; os.setConfig(c)`],
  ['setConfig not an object', 'invalid_config', `os.setConfig('saas.json')`],
  ['setConfig with a tour without steps', 'invalid_config',
    `os.setConfig({ ...config, experiences: [...config.experiences, { id: 't', slot: 'x', kind: 'tour', priority: 1, when: {}, content: {} }] })`],
  ['setConfig with a step on a nudge', 'invalid_config',
    `os.setConfig({ ...config, experiences: config.experiences.map((e) => e.kind === 'nudge' ? { ...e, steps: [{ id: 'a' }] } : e) })`],
  ['switchUser empty', 'bad_user_id', `os.switchUser('')`],
  ['switchUser 257 chars', 'bad_user_id', `os.switchUser('u'.repeat(257))`],
  ['switchUser a number', 'bad_user_id', `os.switchUser(5)`],
  ['switchUser a lone surrogate', 'bad_user_id', `os.switchUser('a\\uD800')`],
  ['switchUser with an identity refused', 'bad_identify', `os.switchUser('p2', { tzOffsetMinutes: 900 })`],
  ['switchUser with attributes not an object', 'bad_identify', `os.switchUser('p2', { attributes: 'admin' })`],
  ['props with 70,000 keys', 'bad_props',
    `os.track('report_created', Object.fromEntries(Array.from({ length: 70000 }, (_, i) => ['k' + i, i])))`],
  ['setConfig with a regex compiling too large', 'invalid_config', `os.setConfig({ ...config, segments: { ...config.segments,
      r: { when: { 'attributes.bio': { $regex: '(?:a{100}){100}b' } } } } })`],
  ['setConfig with __proto__ in content', 'invalid_config', `const c = structuredClone(config);
      c.experiences[0].content = JSON.parse('{"__proto__": {"isAdmin": true}}'); os.setConfig(c)`],
];

// Arguments of the wrong shape for the wrapper's own options.
const KNOWN = {
  'identify(null) is refused': ['bad_identify', `os.identify(null)`],
  "identify('admin') is refused": ['bad_identify', `os.identify('admin')`],
  // null options mean no options; the slot is then checked.
  "decide('footer', null)": ['unknown_slot', `os.decide('footer', null)`],
};

/** Runs the cases in one page, one instance; returns what each did. */
async function runCases(page, cases) {
  return inPage(
    page,
    `${OPEN}
    os.identify({ attributes: { id: 'p1', role: 'admin' }, entitlements: { seats_active: 3, seats_licensed: 10 } });
    for (const e of ['workspace_created', 'integration_connected', 'teammate_invited']) {
      window.__now += 60000;
      os.track(e, { provider: 'slack' });
    }
    os.shown('setup_checklist');
    const dump = () => JSON.stringify(Object.keys(localStorage).sort().map((k) => [k, localStorage.getItem(k)]));
    const results = [];
    for (const [klass, expected, body] of arg.cases) {
      window.__now += 60000;
      const now = window.__now;
      const decided = JSON.stringify(os.decide('*', { reasons: true }));
      const evaluated = JSON.stringify(os.evaluate());
      os.flush();
      const stored = dump();
      const engine = JSON.stringify(os.state());
      let code = null, isError = null, message = null;
      try {
        await new Function('os', 'onstage', 'config', 'now', body)(os, onstage, config, now);
      } catch (err) {
        code = err?.code ?? null;
        isError = err instanceof Error;
        message = String(err?.message ?? err);
      }
      await new Promise((r) => setTimeout(r, 0));
      os.flush();
      const same = {
        storage: dump() === stored,
        state: JSON.stringify(os.state()) === engine,
        decisions: JSON.stringify(os.decide('*', { reasons: true })) === decided,
        evaluation: JSON.stringify(os.evaluate()) === evaluated,
      };
      let works = true;
      try {
        const before = os.evaluate().signals.invites;
        os.track('teammate_invited');
        works = os.evaluate().signals.invites === before + 1 || 'did not count';
      } catch (err) {
        works = String(err?.code ?? err);
      }
      results.push({ klass, expected, code, isError, message, same, works });
    }
    os.destroy();
    return results;
  `,
    { clock: true, cases },
  );
}

test('every bad input through the package throws a coded Error and stores nothing', async () => {
  const { page, errors } = await h.openPage(PAGE);
  const results = await runCases(page, CASES);
  const failures = [];
  for (const r of results) {
    if (r.code !== r.expected) failures.push(`${r.klass}: code ${r.code} (${r.message}), expected ${r.expected}`);
    else if (r.isError !== true) failures.push(`${r.klass}: not an Error`);
    for (const [what, same] of Object.entries(r.same)) if (!same) failures.push(`${r.klass}: ${what} changed`);
    if (r.works !== true) failures.push(`${r.klass}: the next good step failed: ${r.works}`);
  }
  assert.deepEqual(failures, []);
  assert.equal(results.length, CASES.length);
  assert.deepEqual(errors, []);
});

for (const [klass, [expected, body]] of Object.entries(KNOWN)) {
  test(`${klass} (expected ${expected})`, async () => {
    const { page } = await h.openPage(PAGE);
    const [r] = await runCases(page, [[klass, expected, body]]);
    assert.equal(r.code, expected, r.message);
    assert.deepEqual(r.same, { storage: true, state: true, decisions: true, evaluation: true });
  });
}

test('a bad config or user id at init throws a coded Error, and validateConfig lists problems', async () => {
  const { page, errors } = await h.openPage(PAGE);
  const result = await inPage(page, `
    const codes = {};
    for (const [name, options] of [
      ['empty user', { config, userId: '' }],
      ['long user', { config, userId: 'u'.repeat(257) }],
      ['user a number', { config, userId: 5 }],
      ['no user', { config }],
      ['config version 2', { config: { ...config, version: 2 }, userId: 'p1' }],
      ['config missing', { userId: 'p1' }],
      ['config with a function', { config: { ...config, f() {} }, userId: 'p1' }],
    ]) {
      try {
        await onstage.init(options);
        codes[name] = 'accepted';
      } catch (err) {
        codes[name] = [err?.code, err instanceof Error, Array.isArray(err?.problems) ? err.problems.map((p) => p.code) : null];
      }
    }
    const problems = onstage.validateConfig({ ...config, stages: [{ id: 'x', when: { 'attributes.a': { $regex: '(?=a)' } } }] });
    return { codes, problems: problems.map((p) => [p.severity, p.code, p.path]), stored: Object.keys(localStorage) };
  `);
  assert.deepEqual(result.codes, {
    'empty user': ['bad_user_id', true, null],
    'long user': ['bad_user_id', true, null],
    'user a number': ['bad_user_id', true, null],
    'no user': ['bad_user_id', true, null],
    'config version 2': ['invalid_config', true, ['unsupported_version']],
    'config missing': ['invalid_config', true, ['wrong_type']],
    'config with a function': ['invalid_config', true, null],
  });
  assert.ok(result.problems.some(([s, c, p]) => s === 'error' && c === 'invalid_regex' && p.startsWith('stages[0].when')), JSON.stringify(result.problems));
  assert.deepEqual(result.stored, [], 'a refused init stores nothing');
  assert.deepEqual(errors, []);
});

test('a refused setConfig keeps the previous config in force', async () => {
  const { page, errors } = await h.openPage(PAGE);
  const result = await inPage(page, `${OPEN}
    os.track('workspace_created');
    const before = os.decide('*');
    let err;
    try { os.setConfig({ ...config, experiences: [] , version: 3 }); } catch (e) { err = e; }
    return { code: err?.code, problems: err?.problems?.map((p) => p.code), same: JSON.stringify(os.decide('*')) === JSON.stringify(before),
             home: os.decide('home').experience };
  `, { clock: true });
  assert.equal(result.code, 'invalid_config');
  assert.ok(result.problems.includes('unsupported_version'));
  assert.equal(result.same, true);
  assert.equal(result.home, 'setup_checklist');
  assert.deepEqual(errors, []);
});

const HOSTILE = {
  'a Proxy whose ownKeys throws': `new Proxy({}, { ownKeys() { throw new Error('no keys for you'); } })`,
  'a revoked Proxy': `(() => { const r = Proxy.revocable({}, {}); r.revoke(); return r.proxy; })()`,
  'an array with a throwing index getter': `({ a: Object.defineProperty([], 0, { get() { throw new Error('no'); }, enumerable: true }) })`,
};

/** Tracks `props` (JS source) on a fresh instance, then a good event. */
function hostile(page, props, user) {
  return inPage(page, `${OPEN}
    const out = {};
    try { os.track('report_created', ${props}); out.first = 'accepted'; } catch (err) { out.first = err?.code ?? String(err); }
    try { os.track('teammate_invited'); out.then = os.evaluate().signals.invites; } catch (err) { out.then = (err?.code ?? '') + ': ' + err?.message; }
    return out;
  `, { clock: true, user });
}

for (const [name, props] of Object.entries(HOSTILE)) {
  test(`props that are ${name} are refused without killing the instance`, async () => {
    const { page } = await h.openPage(PAGE);
    const out = await hostile(page, props, 'h1');
    assert.equal(out.first, 'bad_props');
    assert.equal(out.then, 1, 'the instance keeps working');
  });
}

test('a prop getter that throws: the event is refused, nothing escapes into the page, saving goes on', async () => {
  const { page, errors } = await h.openPage(PAGE);
  const out = await inPage(page, `${OPEN}
    let first;
    try { os.track('report_created', { get a() { throw new Error('no value for you'); }, b: 1 }); first = 'accepted'; }
    catch (err) { first = err?.code; }
    os.track('report_created', { b: 1 });
    await new Promise((r) => setTimeout(r, 50));
    let flushed = 'ok';
    try { os.flush(); } catch (err) { flushed = String(err?.message ?? err); }
    const stored = JSON.parse(localStorage.getItem('onstage:v1:h4:state') ?? 'null');
    return { first, flushed, reports: os.evaluate().signals.reports_7d, saved: stored?.engine?.signals?.reports_7d?.state?.b ?? null };
  `, { clock: true, user: 'h4' });
  assert.equal(out.first, 'bad_props');
  assert.equal(out.flushed, 'ok');
  assert.equal(out.reports, 1, 'only the good event counts');
  assert.ok(out.saved, 'the good event is saved');
  assert.deepEqual(errors, []);
});

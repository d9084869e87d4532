// Hostile pages, broken clocks and shared computers (issue 10), in
// Chromium: a failed switchUser leaves the previous user whole; every part
// of the stored envelope is checked (never an exception, never a user
// locked out); a burst of tracks keeps the stored value bounded; wide
// objects are refused before they are read; regexes that compile too large
// are refused with their path; a clock that glitches ahead, returns NaN or
// 1e16 never freezes the user; tabs whose clocks disagree count each
// other's steps; set-aside copies are bounded and storage that is short
// still gets saved to; lone surrogates in user ids are refused with a code.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startHarness } from './harness.mjs';
import { inPage, OPEN, PAGE, secondTab, until } from './inpage.mjs';

let h;
before(async () => {
  h = await startHarness();
});
after(() => h?.close());

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const T0 = 1772000000000;

/** The stored envelope of `user`, parsed. */
const STORED = (user) => `JSON.parse(localStorage.getItem('onstage:v1:${user}:state'))`;

test('a failed switchUser leaves the previous user whole, in this tab and the others', async () => {
  const { page: a, context, errors } = await h.openPage(PAGE);
  const { page: b } = await secondTab(h, context);
  await inPage(b, OPEN, { user: 'bob' });
  const result = await inPage(a, `${OPEN}
    os.track('teammate_invited');
    os.flush();
    const codes = [];
    for (const [id, identity] of [['alice', { tzOffsetMinutes: 900 }], ['alice', { attributes: [1] }], ['alice', 'x'],
                                   ['\\uD800', {}], ['', {}], [5, {}]]) {
      try { os.switchUser(id, identity); codes.push(null); } catch (err) { codes.push(err.code); }
    }
    const user = os.state().userId;
    const invites = os.evaluate().signals.invites;
    os.track('teammate_invited');
    os.flush();
    return { codes, user, invites, stored: ${STORED('bob')}.engine.signals.invites.state.n,
             other: Object.keys(localStorage).filter((k) => !k.startsWith('onstage:v1:bob:')) };
  `, { user: 'bob' });
  assert.deepEqual(result.codes, ['bad_identify', 'bad_identify', 'bad_identify', 'bad_user_id', 'bad_user_id', 'bad_user_id']);
  assert.equal(result.user, 'bob');
  assert.equal(result.invites, 1);
  assert.equal(result.stored, 2, "later tracks are bob's");
  assert.deepEqual(result.other, [], 'nothing of alice was written');
  // Bob's other tab counts both tracks: the instance still syncs as bob.
  await until(async () => (await inPage(b, 'return os.evaluate().signals.invites;')) === 2, 'tab B to see 2 invites');
  assert.deepEqual(errors, []);
});

test('a damaged applied list never locks a user out: init and switchUser drop it with a warning', async () => {
  const { page, errors } = await h.openPage(PAGE);
  const good = await inPage(page, `${OPEN}
    os.track('teammate_invited');
    os.destroy();
    return localStorage.getItem('onstage:v1:p1:state');
  `, { clock: true });
  const damaged = [
    [null],
    [5],
    [{}],
    [['x']],
    [['a.1', 'zz'], null, ['b.2', 5]],
    'applied',
    { a: 1 },
    5,
    [...Array(1000).keys()].map((i) => [`t${i}.1`, T0]),
  ];
  const results = await inPage(page, `
    const out = [];
    for (const applied of arg.damaged) {
      for (const k of Object.keys(localStorage)) localStorage.removeItem(k);
      const envelope = JSON.parse(arg.good);
      envelope.applied = applied;
      envelope.engine.user = 'alice';
      localStorage.setItem('onstage:v1:alice:state', JSON.stringify(envelope));
      window.__warnings = [];
      const r = {};
      try {
        ${OPEN.replace("arg?.user ?? 'p1'", "'alice'")}
        r.init = { invites: os.evaluate().signals.invites, warnings: [...window.__warnings] };
        os.destroy();
      } catch (err) {
        r.init = { threw: String(err), code: err.code };
      }
      window.__warnings = [];
      try {
        ${OPEN}
        os.switchUser('alice');
        r.switched = { user: os.state().userId, invites: os.evaluate().signals.invites, warnings: [...window.__warnings] };
        os.flush();
        r.applied = ${STORED('alice')}.applied.length;
        os.destroy();
      } catch (err) {
        r.switched = { threw: String(err), code: err.code };
      }
      out.push(r);
    }
    return out;
  `, { good, damaged, clock: true });
  for (const [i, r] of results.entries()) {
    const what = JSON.stringify(damaged[i]).slice(0, 60);
    assert.deepEqual(r.init, { invites: 1, warnings: i === damaged.length - 1 ? [] : ['part_corrupt'] }, what);
    assert.equal(r.switched.user, 'alice', what);
    assert.equal(r.switched.invites, 1, what);
    assert.ok(r.applied <= 64, `${what}: ${r.applied} marks`);
  }
  assert.deepEqual(errors, []);
});

test('an envelope without an engine state, or of another shape, is set aside with a code', async () => {
  const { page, errors } = await h.openPage(PAGE);
  const result = await inPage(page, `
    const out = {};
    for (const [name, value] of [['no engine', { v: 1 }], ['engine a number', { v: 1, engine: 5 }],
                                 ['no v', { engine: {} }], ['v2', { v: 2, engine: {} }], ['an array', [1]]]) {
      for (const k of Object.keys(localStorage)) localStorage.removeItem(k);
      localStorage.setItem('onstage:v1:p1:state', JSON.stringify(value));
      window.__warnings = [];
      ${OPEN}
      os.track('teammate_invited');
      out[name] = { warnings: [...window.__warnings], invites: os.evaluate().signals.invites };
      os.destroy();
    }
    return out;
  `, { clock: true });
  assert.deepEqual(result, {
    'no engine': { warnings: ['state_corrupt'], invites: 1 },
    'engine a number': { warnings: ['state_corrupt'], invites: 1 },
    'no v': { warnings: ['state_not_recognized'], invites: 1 },
    v2: { warnings: ['state_unknown_version'], invites: 1 },
    'an array': { warnings: ['state_not_recognized'], invites: 1 },
  });
  assert.deepEqual(errors, []);
});

test('a burst of tracks keeps the stored value bounded by the config', async () => {
  const { page, errors } = await h.openPage(PAGE);
  const result = await inPage(page, `${OPEN}
    for (let i = 0; i < 20000; i++) os.track('report_created');
    os.flush();
    const text = localStorage.getItem('onstage:v1:p1:state');
    const outbox = Object.keys(localStorage).filter((k) => k.includes(':tab:')).map((k) => localStorage.getItem(k).length);
    return { length: text.length, applied: JSON.parse(text).applied.length, outbox, reports: os.evaluate().signals.reports_7d,
             warnings: window.__warnings };
  `);
  console.log('20,000 tracks:', JSON.stringify(result));
  assert.equal(result.reports, 20000);
  assert.equal(result.applied, 1, "one mark for this tab's steps, not one per step");
  assert.ok(result.length < 10_000, `the stored state is ${result.length} characters`);
  assert.deepEqual(result.warnings, []);
  assert.deepEqual(errors, []);
});

test('wide props and identities are refused before any value is read', async () => {
  const { page, errors } = await h.openPage(PAGE);
  const result = await inPage(page, `${OPEN}
    const wide = (n) => {
      let reads = 0;
      const keys = Array.from({ length: n }, (_, i) => 'k' + i);
      const proxy = new Proxy({}, {
        ownKeys: () => keys,
        getOwnPropertyDescriptor: () => ({ value: 1, enumerable: true, configurable: true }),
        get: () => { reads++; return 1; },
      });
      return { proxy, reads: () => reads };
    };
    const out = {};
    const props = wide(70000);
    let t = performance.now();
    try { os.track('report_created', props.proxy); } catch (err) { out.props = { code: err.code, reads: props.reads() }; }
    out.props.ms = performance.now() - t;
    const identity = wide(200000);
    t = performance.now();
    try { os.identify({ attributes: identity.proxy }); } catch (err) { out.identity = { code: err.code, reads: identity.reads() }; }
    out.identity.ms = performance.now() - t;
    // Within the limits, a wide object is built in linear time.
    const attributes = Object.fromEntries(Array.from({ length: 50000 }, (_, i) => ['a' + i, i]));
    t = performance.now();
    os.identify({ attributes });
    out.identifyMs = performance.now() - t;
    os.flush();
    os.destroy();
    t = performance.now();
    ${OPEN}
    out.initMs = performance.now() - t;
    out.kept = os.state().engine.attributes.a49999;
    return out;
  `);
  console.log('wide objects (ms):', JSON.stringify(result));
  assert.deepEqual({ code: result.props.code, reads: result.props.reads }, { code: 'bad_props', reads: 0 });
  assert.deepEqual({ code: result.identity.code, reads: result.identity.reads }, { code: 'bad_identify', reads: 0 });
  assert.equal(result.kept, 49999);
  assert.deepEqual(errors, []);
});

test('a regex that compiles too large is refused with its path; content with __proto__ too', async () => {
  const { page, errors } = await h.openPage(PAGE);
  const result = await inPage(page, `${OPEN}
    const slow = structuredClone(config);
    slow.signals.long_reports = { count: 'report_created', where: { title: { $regex: '(?:[a-z]{1,1000}){1,10}b' } } };
    const proto = structuredClone(config);
    proto.experiences[0].content = JSON.parse('{"title":"x","__proto__":{"isAdmin":true}}');
    const out = {};
    for (const [name, c] of [['slow', slow], ['proto', proto]]) {
      const problems = onstage.validateConfig(c).filter((p) => p.severity === 'error').map((p) => [p.code, p.path]);
      let code = null;
      try { os.setConfig(c); } catch (err) { code = err.code; }
      out[name] = { problems, code };
    }
    // The regex a config may have reads at most 1,024 characters.
    const bounded = structuredClone(config);
    bounded.signals.long_reports = { count: 'report_created', where: { title: { $regex: '[a-z]{1,60}b' } } };
    os.setConfig(bounded);
    const t = performance.now();
    for (let i = 0; i < 20; i++) os.track('report_created', { title: 'a'.repeat(1024) });
    out.trackMs = (performance.now() - t) / 20;
    return out;
  `);
  console.log('a track with a 1,024-character prop read by [a-z]{1,60}b (ms):', result.trackMs.toFixed(2));
  assert.deepEqual(result.slow, {
    problems: [['limit_exceeded', 'signals.long_reports.where.title.$regex']],
    code: 'invalid_config',
  });
  assert.deepEqual(result.proto, { problems: [['reserved_key', 'experiences[0].content.__proto__']], code: 'invalid_config' });
  assert.deepEqual(errors, []);
});

test('one clock reading a year ahead does not freeze the user once the clock is right again', async () => {
  const { page, errors } = await h.openPage(PAGE);
  const result = await inPage(page, `${OPEN}
    os.track('report_created');
    window.__now += ${MIN};
    const real = window.__now;
    window.__now = real + ${365 * DAY};
    os.track('report_created');          // one glitch
    window.__now = real + ${MIN};
    os.track('report_created');          // the clock is right again
    window.__now = real + ${2 * MIN};
    os.track('report_created', null, real + ${MIN / 2});  // a late event is not "too old"
    const now = real + ${2 * MIN};
    const e = os.evaluate();
    window.__now = real + ${8 * DAY};
    const week = os.evaluate().signals.reports_7d;
    os.flush();
    return { reports: e.signals.reports_7d, warnings: window.__warnings, week,
             lastStep: os.state().engine.last_step, expected: real + ${8 * DAY} };
  `, { clock: true });
  // The event of the glitch and the one after count at the time the clock came back to.
  assert.equal(result.reports, 3);
  assert.deepEqual(result.warnings, ['time_clamped']);
  assert.equal(result.week, 0, 'time moves again: a week later the window is empty');
  assert.equal(result.lastStep, result.expected);
  assert.deepEqual(errors, []);
});

test('a clock returning NaN, 1e16 or a string is reported and never kept', async () => {
  const { page, errors } = await h.openPage(PAGE);
  const result = await inPage(page, `
    // A clock that only ever returns NaN: init no longer fails (it did,
    // with a message about tz_offset_minutes); onstage runs on Date.now().
    window.__now = NaN;
    ${OPEN.replace("arg?.user ?? 'p1'", "'n1'")}
    os.track('report_created');
    os.track('report_created');
    const out = { init: [...window.__warnings], nan: os.evaluate().signals.reports_7d };
    os.destroy();
    window.__warnings = [];
    window.__now = ${T0};
    ${OPEN}
    os.track('report_created');
    window.__now = 1e16;
    os.track('report_created');
    window.__now = ${T0 + MIN};
    os.track('report_created');
    window.__now = 'noon';
    out.decide = os.decide('home').experience;
    window.__now = ${T0 + 2 * MIN};
    out.reports = os.evaluate().signals.reports_7d;
    out.warnings = window.__warnings;
    out.lastStep = os.state().engine.last_step;
    return out;
  `, { clock: true });
  assert.deepEqual(result.init, ['clock_invalid'], 'reported once while it stays invalid');
  assert.equal(result.nan, 2);
  assert.equal(result.reports, 3);
  assert.equal(result.decide, 'setup_checklist');
  assert.deepEqual(result.warnings, ['clock_invalid', 'clock_invalid']);
  assert.equal(result.lastStep, T0 + 2 * MIN);
  assert.deepEqual(errors, []);
});

test('a state stored far in the future is moved back to the clock at load', async () => {
  const { page, errors } = await h.openPage(PAGE);
  const result = await inPage(page, `
    window.__now = 253402300000000;  // 9999
    ${OPEN}
    os.track('report_created');
    os.shown('setup_checklist');
    os.destroy();
    window.__now = ${T0};
    window.__warnings = [];
    ${OPEN}
    os.track('report_created');
    const e = os.evaluate();
    return { warnings: window.__warnings, reports: e.signals.reports_7d, since: e.stageSince,
             lastStep: os.state().engine.last_step };
  `, { clock: true });
  assert.deepEqual(result.warnings, ['time_clamped']);
  assert.equal(result.reports, 2);
  assert.ok(result.since <= T0, `${result.since}`);
  assert.equal(result.lastStep, T0);
  assert.deepEqual(errors, []);
});

test("a tab whose clock is minutes ahead counts the other tab's steps", async () => {
  const { page: a, context, errors } = await h.openPage(PAGE);
  const { page: b, errors: bErrors } = await secondTab(h, context);
  await inPage(a, `window.__now = ${T0 + 3 * MIN}; ${OPEN}`, { clock: true });
  await inPage(b, `window.__now = ${T0}; ${OPEN}`, { clock: true });
  for (let i = 0; i < 5; i++) await inPage(b, `window.__now += 1000; os.track('report_created');`);
  await until(async () => (await inPage(a, 'return os.evaluate().signals.reports_7d;')) === 5, 'tab A to count 5 reports');
  await inPage(a, 'os.flush();');
  assert.equal(await inPage(a, `return ${STORED('p1')}.engine.signals.reports_7d.state.b.length > 0;`), true);
  // And the other way round.
  for (let i = 0; i < 3; i++) await inPage(a, `window.__now += 1000; os.track('teammate_invited');`);
  await until(async () => (await inPage(b, 'return os.evaluate().signals.invites;')) === 3, 'tab B to count 3 invites');
  assert.deepEqual(errors, []);
  assert.deepEqual(bErrors, []);
});

test('set-aside copies are bounded, the oldest go first', async () => {
  const { page, errors } = await h.openPage(PAGE);
  const result = await inPage(page, `
    const asides = [];
    for (let i = 0; i < 40; i++) {
      localStorage.setItem('onstage:v1:p1:state', JSON.stringify({ v: 2, n: i }));
      ${OPEN}
      os.destroy();
      await new Promise((r) => setTimeout(r, 2));
      asides.push(Object.keys(localStorage).filter((k) => k.includes(':aside:')).length);
    }
    const kept = Object.keys(localStorage).filter((k) => k.includes(':aside:')).map((k) => JSON.parse(localStorage.getItem(k)).n).sort((x, y) => x - y);
    return { max: Math.max(...asides), kept, warnings: window.__warnings.length };
  `);
  assert.equal(result.max, 3);
  assert.deepEqual(result.kept, [37, 38, 39], 'the latest three');
  assert.equal(result.warnings, 40);
  assert.deepEqual(errors, []);
});

test('storage too short to copy a damaged state: it is discarded with a warning and saving goes on', async () => {
  const { page, errors } = await h.openPage(PAGE);
  const result = await inPage(page, `
    // A storage of 64 KB holding a damaged state of 40 KB: no room for a copy.
    class Small {
      #m = new Map();
      get length() { return this.#m.size; }
      key(i) { return [...this.#m.keys()][i] ?? null; }
      getItem(k) { return this.#m.has(k) ? this.#m.get(k) : null; }
      setItem(k, v) {
        let used = 0;
        for (const [key, value] of this.#m) if (key !== k) used += key.length + value.length;
        if (used + k.length + String(v).length > 64000) throw new DOMException('full', 'QuotaExceededError');
        this.#m.set(k, String(v));
      }
      removeItem(k) { this.#m.delete(k); }
    }
    const storage = new Small();
    storage.setItem('onstage:v1:p1:aside:state_corrupt:1', 'x'.repeat(1000));
    storage.setItem('onstage:v1:p1:state', '{"v":1,"engine":' + 'x'.repeat(40000));
    const open = () => onstage.init({ config, userId: 'p1', storage, now: () => window.__now, onWarning: (w) => window.__warnings.push(w) });
    window.__now = ${T0};
    const os = await open();
    os.track('teammate_invited');
    os.flush();
    const first = { warnings: window.__warnings.map((w) => [w.code, w.message.includes('discarded')]), mode: os.state().storage };
    os.destroy();
    window.__warnings = [];
    const again = await open();
    return { first, saved: JSON.parse(storage.getItem('onstage:v1:p1:state')).engine.signals.invites.state.n,
             reloaded: again.evaluate().signals.invites, warnings: window.__warnings.length };
  `);
  assert.deepEqual(result.first, { warnings: [['state_corrupt', true]], mode: 'storage' });
  assert.equal(result.saved, 1);
  assert.equal(result.reloaded, 1);
  assert.equal(result.warnings, 0);
  assert.deepEqual(errors, []);
});

test('20,000 outbox keys of closed tabs: init tidies them away', async () => {
  const { page, errors } = await h.openPage(PAGE);
  const result = await inPage(page, `
    const stale = JSON.stringify({ steps: [{ k: 'track', name: 'report_created', props: null, ts: 1, id: 'old.1', at: 1 }] });
    for (let i = 0; i < 20000; i++) localStorage.setItem('onstage:v1:p1:tab:dead' + i, stale);
    const t = performance.now();
    ${OPEN}
    const ms = performance.now() - t;
    return { ms, left: Object.keys(localStorage).filter((k) => k.includes(':tab:')).length, warnings: window.__warnings };
  `);
  console.log('init with 20,000 stale outbox keys (ms):', result.ms.toFixed(0));
  assert.equal(result.left, 0);
  assert.deepEqual(errors, []);
});

test('the demo resumes a saved session only when it is usable: a bad one starts a new user', async () => {
  const sessions = [
    '{"userId":"\\ud800","offset":0}',
    '{"userId":5}',
    '{"userId":null,"offset":"x"}',
    'garbage',
    JSON.stringify({ userId: 'x'.repeat(300) }),
    JSON.stringify({ userId: 'kept-user', offset: 1e300, identity: { role: {}, seats_active: -1, plan: 'enterprise' } }),
  ];
  const shown = [];
  for (const session of sessions) {
    const { page, errors } = await h.openPage('/', {
      contextOptions: { timezoneId: 'UTC' },
      beforeLoad: async ({ page: p }) => {
        await p.addInitScript((s) => localStorage.setItem('acme-demo:session', s), session);
      },
    });
    await page.waitForSelector('body[data-app-state="ready"], body[data-app-state="error"]', { timeout: 15_000 });
    const state = await page.getAttribute('body', 'data-app-state');
    const user = await page.locator('[data-testid="user-id"]').textContent();
    const role = await page.locator('[data-testid="user-role"]').textContent();
    shown.push({ state, user, role });
    assert.deepEqual(errors, [], session);
  }
  for (const [i, s] of shown.slice(0, 5).entries()) {
    assert.equal(s.state, 'ready', sessions[i]);
    assert.match(s.user, /^user-[0-9a-f]{8}$/, `${sessions[i]}: a new user`);
  }
  assert.deepEqual(shown[5], { state: 'ready', user: 'kept-user', role: 'owner' }, 'a good id resumes; bad fields take their defaults');
});

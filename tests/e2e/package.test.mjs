// The browser package in a real Chromium: state survives reloads, tabs of
// one origin see each other's steps exactly once, stored values that
// cannot be used are set aside with a warning, broken storage degrades to
// memory without an exception reaching the page, users never mix, and
// nothing goes over the network.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { readdirSync } from 'node:fs';
import { DIST } from '../../scripts/serve.mjs';
import { startHarness } from './harness.mjs';
import { inPage, OPEN, PAGE, until } from './inpage.mjs';

let h;
before(async () => {
  h = await startHarness();
});
after(() => h?.close());

test('state survives a reload', async () => {
  const { page, errors } = await h.openPage(PAGE);
  await inPage(page, `${OPEN}
    os.track('workspace_created');
    os.track('teammate_invited');
    os.track('integration_connected', { provider: 'slack' });
    os.shown('setup_checklist');
    os.flush();`);
  await page.reload();
  const after = await inPage(page, `${OPEN} return { e: os.evaluate(), warnings: window.__warnings };`);
  assert.equal(after.e.signals.invites, 1);
  assert.equal(after.e.signals.integrations, 1);
  assert.equal(after.e.signals.setup_steps, 1);
  assert.equal(after.e.stage, 'onboarding');
  assert.deepEqual(after.warnings, []);
  assert.deepEqual(errors, []);
});

test('two tabs see each other within a fraction of a second, counting nothing twice', async () => {
  const { page: a, context, errors } = await h.openPage(PAGE);
  const b = await context.newPage();
  await b.goto(new URL(PAGE, h.baseUrl).href);
  await inPage(a, OPEN);
  await inPage(b, OPEN);
  await inPage(a, `for (let i = 0; i < 3; i++) os.track('teammate_invited');`);
  const started = Date.now();
  await until(async () => (await inPage(b, 'return os.evaluate().signals.invites;')) === 3, 'tab B to see 3 invites');
  const latency = Date.now() - started;
  assert.ok(latency < 1000, `seen after ${latency} ms`);
  await inPage(b, `os.track('teammate_invited'); os.track('teammate_invited');`);
  await until(async () => (await inPage(a, 'return os.evaluate().signals.invites;')) === 5, 'tab A to see 5 invites');
  // Interactions travel too: a dismissal in A hides the checklist in B.
  assert.equal(await inPage(b, `return os.decide('home').experience;`), 'setup_checklist');
  await inPage(a, `os.dismissed('setup_checklist');`);
  await until(async () => (await inPage(b, `return os.decide('home').experience;`)) === null, 'the dismissal in B');
  // Settle, then reload both: still exactly 5, in both.
  await new Promise((r) => setTimeout(r, 400));
  await inPage(a, 'os.flush();');
  await inPage(b, 'os.flush();');
  await a.reload();
  await b.reload();
  assert.equal(await inPage(a, `${OPEN} return os.evaluate().signals.invites;`), 5);
  assert.equal(await inPage(b, `${OPEN} return os.evaluate().signals.invites;`), 5);
  assert.deepEqual(errors, []);
});

test('a corrupt or future stored state is set aside, not deleted', async () => {
  const { page, errors } = await h.openPage(PAGE);
  const result = await inPage(page, `
    localStorage.setItem('onstage:v1:p1:state', '{"v":1,"applied":[],"engine":{"format":"onstage-st');
    ${OPEN}
    os.track('teammate_invited');
    const first = { warnings: [...window.__warnings], invites: os.evaluate().signals.invites };
    os.destroy();
    window.__warnings = [];
    localStorage.setItem('onstage:v1:p1:state', '{"v":99,"engine":{}}');
    ${OPEN}
    const aside = Object.keys(localStorage).filter((k) => k.includes(':aside:'));
    return { first, second: window.__warnings, aside, values: aside.map((k) => localStorage.getItem(k)) };
  `);
  assert.deepEqual(result.first, { warnings: ['state_corrupt'], invites: 1 });
  assert.deepEqual(result.second, ['state_unknown_version']);
  assert.equal(result.aside.length, 2);
  assert.ok(result.values.includes('{"v":99,"engine":{}}'));
  assert.deepEqual(errors, []);
});

test('full or unavailable storage degrades to memory with a reported error', async () => {
  const { page, errors } = await h.openPage(PAGE);
  const full = await inPage(page, `
    const original = Storage.prototype.setItem;
    Storage.prototype.setItem = function () { throw new DOMException('full', 'QuotaExceededError'); };
    try {
      ${OPEN}
      os.track('teammate_invited');
      os.flush();
      os.track('teammate_invited');
      os.flush();
      return { warnings: window.__warnings, invites: os.evaluate().signals.invites, home: os.decide('home').experience };
    } finally {
      Storage.prototype.setItem = original;
    }
  `);
  assert.deepEqual(full, { warnings: ['storage_full'], invites: 2, home: 'setup_checklist' });
  const unavailable = await inPage(page, `
    window.__warnings = [];
    const original = Storage.prototype.getItem;
    Storage.prototype.getItem = function () { throw new DOMException('denied', 'SecurityError'); };
    try {
      ${OPEN.replace("'p1'", "'p2'")}
      os.track('teammate_invited');
      return { warnings: window.__warnings, invites: os.evaluate().signals.invites };
    } finally {
      Storage.prototype.getItem = original;
    }
  `);
  assert.deepEqual(unavailable, { warnings: ['storage_unavailable'], invites: 1 });
  assert.deepEqual(errors, []);
});

test('users of a shared computer never mix', async () => {
  const { page, errors } = await h.openPage(PAGE);
  const result = await inPage(page, `${OPEN}
    os.track('teammate_invited');
    os.switchUser('someone-else');
    const other = os.evaluate().signals.invites;
    os.track('teammate_invited');
    os.track('teammate_invited');
    os.switchUser('p1');
    return { other, back: os.evaluate().signals.invites };
  `);
  assert.deepEqual(result, { other: 0, back: 1 });
  assert.deepEqual(errors, []);
});

test('the package makes no network request of its own', async () => {
  const { page, errors } = await h.openPage(PAGE);
  const requests = [];
  page.on('request', (r) => requests.push(r.url()));
  await inPage(page, `${OPEN}
    os.identify({ attributes: { id: 'p1', role: 'admin' }, entitlements: { seats_licensed: 10, seats_active: 10 } });
    for (const e of ['workspace_created', 'integration_connected', 'report_created']) os.track(e);
    os.decide('*', { reasons: true });
    os.shown('setup_checklist');
    os.flush();`);
  // The package's own modules (dist/, served as /pkg/), the config and the page.
  const own = new Set(['/saas.json', '/bare.html', ...readdirSync(DIST).map((f) => `/pkg/${f}`)]);
  for (const url of requests) {
    const u = new URL(url);
    assert.equal(u.origin, new URL(h.baseUrl).origin, url);
    assert.ok(own.has(u.pathname), `unexpected request ${url}`);
  }
  assert.deepEqual(errors, []);
});

test('an import and a first exposure reach the other tabs', async () => {
  const { page: a, context, errors } = await h.openPage(PAGE);
  const b = await context.newPage();
  await b.goto(new URL(PAGE, h.baseUrl).href);
  const EXPOSURES = `
    window.__exposures = [];
    window.os = await onstage.init({
      config, userId: 'p8', tzOffsetMinutes: 0,
      attributes: { id: 'p8', role: 'admin' },
      onExposure: (e) => window.__exposures.push(e.experiment + ':' + e.variation),
      onWarning: (w) => window.__warnings.push(w.code),
    });`;
  await inPage(a, EXPOSURES);
  await inPage(b, EXPOSURES);
  // Two premium blocks put the admin in expansion, where the banner runs the experiment.
  await inPage(a, `os.track('premium_feature_blocked'); os.track('premium_feature_blocked');`);
  await until(async () => (await inPage(b, 'return os.evaluate().stage;')) === 'expansion', 'B in expansion');
  await inPage(a, `os.decide('banner');`);
  // Reported just after the decision (under a Web Lock: once across tabs).
  await until(async () => (await inPage(a, 'return window.__exposures;')).length === 1, 'the exposure in A');
  await new Promise((r) => setTimeout(r, 300));
  await inPage(b, `os.decide('banner');`);
  assert.deepEqual(await inPage(b, 'return window.__exposures;'), [], 'B does not report the exposure A reported');

  // A summary made for another user id, imported in A, reaches B.
  const summary = await inPage(a, `
    const other = await onstage.init({ config, userId: 'p8', storage: 'memory' });
    for (let i = 0; i < 4; i++) other.track('teammate_invited');
    const signals = other.state().engine.signals;
    other.destroy();
    return { format: 'onstage-summary', version: 1, user: 'p8', as_of: Date.now(), signals };
  `);
  await inPage(a, 'os.importSummary(arg);', summary);
  assert.equal(await inPage(a, 'return os.evaluate().signals.invites;'), 4);
  await until(async () => (await inPage(b, 'return os.evaluate().signals.invites;')) === 4, 'the import in B');
  assert.deepEqual(await inPage(b, 'return window.__warnings;'), []);
  assert.deepEqual(errors, []);
});

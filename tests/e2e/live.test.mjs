// What a live UI expects of the package, in Chromium (issue 12): time
// alone changes decisions and subscribers hear of it (and nothing runs
// while nobody subscribes or the page is hidden); a returning user's last
// decisions can be rendered before the wasm loads; a preview from the URL
// or the API records nothing; exposures are reported once across tabs
// deciding at the same moment; the wasm can be given as a URL, bytes or a
// compiled module, and a CSP without 'wasm-unsafe-eval' gets a clear error.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import { startServer } from '../../scripts/serve.mjs';
import { CHROME_ARGS, findChrome, startHarness } from './harness.mjs';
import { inPage, PAGE, until } from './inpage.mjs';

let h;
before(async () => {
  h = await startHarness();
});
after(() => h?.close());

const HOUR = 3_600_000;

/** A config where one nudge cools down for an hour after a dismissal, and one experiment always runs. */
const SMALL = {
  version: 1,
  stages: [{ id: 'any', when: {} }],
  experiences: [
    { id: 'tip', slot: 'side', kind: 'nudge', priority: 1, when: {}, content: { text: 'A tip' }, cooldown_after_dismiss: '1h' },
    {
      id: 'offer', slot: 'top', kind: 'upgrade_prompt', priority: 1, when: {}, content: { title: 'Offer' },
      experiment: { key: 'offer-copy', variations: [{ id: 'a' }, { id: 'b', content: { title: 'Offer B' } }] },
    },
  ],
};

test('time alone changes a decision: subscribers hear of it, and nothing runs while nobody listens', async () => {
  const { page, errors } = await h.openPage(PAGE);
  await inPage(page, `
    window.__t = 1772000000000;
    window.__clockCalls = 0;
    window.__notified = 0;
    window.os = await onstage.init({ config: arg, userId: 't1', storage: 'memory', refreshInterval: 1000,
      now: () => { window.__clockCalls++; return window.__t; } });
    os.dismissed('tip');`, SMALL);
  assert.equal(await inPage(page, `return os.decide('side').experience;`), null, 'cooling down');

  // Nobody subscribes: an hour passes on the clock, and no work is done.
  // (flush first: the save that follows a change reads the clock once.)
  const idle = await inPage(page, `os.flush(); window.__t += 2 * ${HOUR}; const n = window.__clockCalls;
    await new Promise((r) => setTimeout(r, 2500)); return window.__clockCalls - n;`);
  assert.equal(idle, 0, 'no time checks without subscribers');

  // A subscriber hears that the cool-down ended, without any call of its own.
  await inPage(page, `window.__unsubscribe = os.subscribe(() => { window.__notified++; window.__side = os.decide('side').experience; });`);
  await inPage(page, `os.dismissed('tip');`);
  await until(async () => (await inPage(page, 'return window.__side;')) === null, 'the dismissal');
  const before = await inPage(page, 'return window.__notified;');
  await inPage(page, `window.__t += ${HOUR} + 1;`);
  await until(async () => (await inPage(page, 'return window.__side;')) === 'tip', 'the tick after the cool-down', 4000);
  assert.equal(await inPage(page, 'return window.__notified;'), before + 1, 'told once');

  // Nothing changes: no more notifications.
  await new Promise((r) => setTimeout(r, 2200));
  assert.equal(await inPage(page, 'return window.__notified;'), before + 1);

  // A hidden page stops checking; coming back checks at once.
  const hidden = await inPage(page, `
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
    document.dispatchEvent(new Event('visibilitychange'));
    os.dismissed('tip');
    await new Promise((r) => setTimeout(r, 50));
    os.flush();
    window.__t += 2 * ${HOUR};
    const n = window.__clockCalls;
    await new Promise((r) => setTimeout(r, 2500));
    return window.__clockCalls - n;`);
  assert.equal(hidden, 0, 'no time checks while hidden');
  await inPage(page, `
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'visible' });
    document.dispatchEvent(new Event('visibilitychange'));`);
  await until(async () => (await inPage(page, 'return window.__side;')) === 'tip', 'the check on coming back', 500);

  // Unsubscribed: the checks stop again. refresh() checks on demand.
  const stopped = await inPage(page, `window.__unsubscribe(); os.dismissed('tip'); os.flush(); window.__t += 2 * ${HOUR};
    const n = window.__clockCalls; await new Promise((r) => setTimeout(r, 2500)); return window.__clockCalls - n;`);
  assert.equal(stopped, 0);
  const onDemand = await inPage(page, `
    let told = 0;
    os.subscribe(() => told++);
    os.dismissed('tip');
    await Promise.resolve();
    const dismissed = told;
    window.__t += 2 * ${HOUR};
    os.refresh();
    await Promise.resolve();
    const refreshed = told;
    os.refresh();
    await Promise.resolve();
    return [dismissed, refreshed, told];`);
  assert.deepEqual(onDemand, [1, 2, 2], 'refresh() tells of a change once, and of no change never');
  assert.deepEqual(errors, []);
});

test("a returning user's last decisions render before the wasm loads, marked stale, then live ones replace them", async () => {
  const { page, errors } = await h.openPage(PAGE);
  const first = await inPage(page, `
    window.os = await onstage.init({ config, userId: 'r1', attributes: { id: 'r1', role: 'admin' } });
    os.track('workspace_created');
    const d = os.decide('*');
    os.preview('upgrade_seats:roi');
    os.decide('*');
    os.flush();
    return d;`);
  await page.reload();
  // Before anything loads the wasm: a synchronous read of storage.
  const stale = await page.evaluate(async () => {
    const { lastDecisions } = await import('/pkg/index.js');
    const before = performance.getEntriesByType('resource').some((e) => e.name.endsWith('.wasm'));
    const last = lastDecisions('r1');
    return { before, last, frozen: Object.isFrozen(last.decisions.home), none: lastDecisions('nobody') };
  });
  assert.equal(stale.before, false, 'the wasm is not loaded yet');
  assert.equal(stale.frozen, true);
  assert.equal(stale.last.stage, 'onboarding');
  for (const slot of Object.keys(first)) {
    const { reasons: _, ...live } = first[slot];
    assert.deepEqual(stale.last.decisions[slot], { ...live, reasons: null, stale: true }, slot);
  }
  assert.equal(stale.last.decisions.banner.experience, null, 'a preview is never kept');
  assert.deepEqual(stale.none, { stage: null, decisions: {} });
  const live = await inPage(page, `
    window.os = await onstage.init({ config, userId: 'r1' });
    return os.decide('home');`);
  assert.equal(live.stale, undefined, 'live decisions are not stale');
  assert.equal(live.experience, 'setup_checklist');
  // A dismissed experience is not brought back by a stale copy.
  await inPage(page, `os.dismissed('setup_checklist'); os.flush();`);
  assert.equal(await inPage(page, `return onstage.lastDecisions('r1').decisions.home;`), undefined);
  assert.deepEqual(errors, []);
});

test('a preview from the URL or the API is shown as preview and records nothing', async () => {
  const { page, context, errors } = await h.openPage(`${PAGE}?onstage-preview=upgrade_seats:roi`);
  const other = await context.newPage();
  await other.goto(new URL(PAGE, h.baseUrl).href);
  await inPage(other, `window.os = await onstage.init({ config, userId: 'v1' });`);
  const seen = await inPage(page, `
    window.__exposures = [];
    window.os = await onstage.init({ config, userId: 'v1', attributes: { id: 'v1', role: 'admin' },
      onExposure: (e) => window.__exposures.push(e) });
    const d = os.decide('banner', { reasons: true });
    os.shown('upgrade_seats');
    os.shown('upgrade_seats');
    os.flush();
    await new Promise((r) => setTimeout(r, 100));
    return { d, previewing: os.previewing(), exposures: window.__exposures,
             stored: localStorage.getItem('onstage:v1:v1:state') };`);
  assert.equal(seen.d.experience, 'upgrade_seats');
  assert.equal(seen.d.variation, 'roi');
  assert.equal(seen.d.preview, true);
  assert.equal(seen.d.reasons[0].result, 'preview');
  assert.equal(seen.d.reasons[0].normally.result, 'when_failed');
  assert.deepEqual(seen.previewing, [{ experience: 'upgrade_seats', variation: 'roi' }]);
  assert.deepEqual(seen.exposures, [], 'no exposure');
  const interactions = JSON.parse(seen.stored).engine.interactions ?? {};
  assert.ok(!JSON.stringify(interactions).includes('upgrade_seats'), `no impression stored: ${JSON.stringify(interactions)}`);
  // The other tab heard nothing of it (no shown step was shared).
  await new Promise((r) => setTimeout(r, 300));
  const elsewhere = await inPage(other, `os.flush(); return JSON.stringify(os.state().engine.interactions ?? {});`);
  assert.ok(!elsewhere.includes('upgrade_seats'), elsewhere);

  // The API: another preview, a refused one (the previous stays), and the end of it.
  const api = await inPage(page, `
    os.preview({ experience: 'setup_checklist' });
    const checklist = os.decide('home');
    let refused;
    try { os.preview('upgrade_seats:nope'); } catch (err) { refused = err.code; }
    const kept = os.previewing();
    os.preview(null);
    return { checklist: checklist.preview, refused, kept, banner: os.decide('banner'), after: os.previewing() };`);
  assert.equal(api.checklist, true);
  assert.equal(api.refused, 'unknown_variation');
  assert.deepEqual(api.kept, [{ experience: 'setup_checklist', variation: null }]);
  assert.equal(api.banner.experience, null, 'back to the real decision');
  assert.equal(api.banner.preview, undefined);
  assert.deepEqual(api.after, []);

  // A bad preview in the URL is a warning, never an exception.
  const bad = await h.openPage(`${PAGE}?onstage-preview=nope`);
  const warned = await inPage(bad.page, `const w = []; window.os = await onstage.init({ config, userId: 'v2', onWarning: (x) => w.push(x.code) });
    return { w, previewing: os.previewing() };`);
  assert.deepEqual(warned, { w: ['unknown_experience'], previewing: [] });
  assert.deepEqual(errors, []);
});

test('two tabs deciding at the same moment report an exposure once', async () => {
  const { page: a, context, errors } = await h.openPage(PAGE);
  const b = await context.newPage();
  await b.goto(new URL(PAGE, h.baseUrl).href);
  const users = Array.from({ length: 8 }, (_, i) => `twin-${i}`);
  const OPEN_ALL = `
    window.__reports = [];
    window.__tabs = {};
    for (const user of arg.users) {
      window.__tabs[user] = await onstage.init({ config: arg.config, userId: user, attributes: { id: user },
        onExposure: (e) => window.__reports.push(user + ':' + e.experiment + ':' + e.variation) });
    }`;
  await inPage(a, OPEN_ALL, { users, config: SMALL });
  await inPage(b, OPEN_ALL, { users, config: SMALL });
  // Both tabs decide every user's slot at the same instant, before either can hear of the other.
  const at = Date.now() + 400;
  const DECIDE = `await new Promise((r) => setTimeout(r, arg.at - Date.now()));
    for (const user of arg.users) window.__tabs[user].decide('top');`;
  await Promise.all([inPage(a, DECIDE, { users, at }), inPage(b, DECIDE, { users, at })]);
  await new Promise((r) => setTimeout(r, 500));
  const reports = [...(await inPage(a, 'return window.__reports;')), ...(await inPage(b, 'return window.__reports;'))];
  for (const user of users) {
    assert.equal(reports.filter((r) => r.startsWith(`${user}:`)).length, 1, `${user}: ${JSON.stringify(reports)}`);
  }
  // Later decisions in either tab report nothing more.
  await inPage(a, `for (const u of arg.users) window.__tabs[u].decide('top');`, { users });
  await inPage(b, `for (const u of arg.users) window.__tabs[u].decide('top');`, { users });
  await new Promise((r) => setTimeout(r, 200));
  const total = (await inPage(a, 'return window.__reports.length;')) + (await inPage(b, 'return window.__reports.length;'));
  assert.equal(total, users.length);
  assert.deepEqual(errors, []);
});

test('without Web Locks, exposures are still reported, at once', async () => {
  const { page, errors } = await h.openPage(PAGE);
  const reports = await inPage(page, `
    Object.defineProperty(navigator, 'locks', { configurable: true, get: () => undefined });
    const seen = [];
    const os = await onstage.init({ config: arg, userId: 'nolocks', attributes: { id: 'nolocks' },
      onExposure: (e) => seen.push(e.experiment) });
    os.on('exposure', (e) => seen.push('on:' + e.experiment));
    os.decide('top');
    return seen;`, SMALL);
  assert.deepEqual(reports, ['offer-copy', 'on:offer-copy'], 'synchronously, to the callback and to on()');
  assert.deepEqual(errors, []);
});

test('the wasm module can be given as a URL, bytes or a compiled module; a missing one is a clear error', async () => {
  const load = async (how) => {
    const { page, errors } = await h.openPage(PAGE);
    const result = await page.evaluate(async (how) => {
      const onstage = await import('/pkg/index.js');
      const config = await (await fetch('/saas.json')).json();
      const url = '/pkg/onstage_bg.wasm';
      const wasm =
        how === 'url' ? url
          : how === 'bytes' ? await (await fetch(url)).arrayBuffer()
            : how === 'module' ? await WebAssembly.compile(await (await fetch(url)).arrayBuffer())
              : how === 'response' ? fetch(url)
                : '/nowhere/onstage_bg.wasm';
      try {
        const os = await onstage.init({ config, userId: 'w', storage: 'memory', wasm });
        return { experience: os.decide('home').experience };
      } catch (err) {
        return { code: err.code, message: err.message };
      }
    }, how);
    return { result, errors };
  };
  for (const how of ['url', 'bytes', 'module', 'response']) {
    const { result, errors } = await load(how);
    assert.deepEqual(result, { experience: 'setup_checklist' }, how);
    assert.deepEqual(errors, [], how);
  }
  const missing = await load('missing');
  assert.equal(missing.result.code, 'wasm_load_failed');
  assert.match(missing.result.message, /\/nowhere\/onstage_bg\.wasm/);
});

test("a page whose CSP lacks 'wasm-unsafe-eval' gets wasm_load_failed saying so; with it, onstage runs", async () => {
  const run = async (csp) => {
    const server = await startServer({ port: 0, headers: { 'Content-Security-Policy': csp } });
    const browser = await chromium.launch({ executablePath: findChrome(), args: CHROME_ARGS, headless: true });
    try {
      const page = await browser.newPage();
      await page.goto(new URL(PAGE, server.url).href);
      return await page.evaluate(async () => {
        const onstage = await import('/pkg/index.js');
        const config = await (await fetch('/saas.json')).json();
        try {
          const os = await onstage.init({ config, userId: 'c', storage: 'memory' });
          return { experience: os.decide('home').experience };
        } catch (err) {
          return { code: err.code, message: err.message };
        }
      });
    } finally {
      await browser.close();
      await server.close();
    }
  };
  const refused = await run("default-src 'self'; script-src 'self'");
  assert.equal(refused.code, 'wasm_load_failed');
  assert.match(refused.message, /wasm-unsafe-eval/);
  const allowed = await run("default-src 'self'; script-src 'self' 'wasm-unsafe-eval'");
  assert.deepEqual(allowed, { experience: 'setup_checklist' });
});

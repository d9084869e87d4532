// The example React app (examples/react-vite), built by Vite from the
// packed tarball, driven in Chromium: slots render on the first paint
// (stale ones for a returning user, with no flicker), state survives a
// reload, two tabs count events once, a preview records nothing, time
// alone flips a slot, <Slot> reports shown and hands dismiss/convert,
// components re-render only when their slot's decision changes, and the
// inspector mounts. The same app built against React 18 runs the binding's
// core checks again. (npm test's package layer builds it first.)
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startHarness } from '../e2e/harness.mjs';
import { until } from '../e2e/inpage.mjs';

const APP = fileURLToPath(new URL('../../examples/react-vite/', import.meta.url));

/** What the page shows, read in one round trip. */
function read(page) {
  return page.evaluate(() => {
    const q = (s) => document.querySelector(s);
    const aside = q('[data-testid="banner"] aside');
    const home = q('[data-testid="home"]');
    return {
      loading: q('[data-testid="loading"]') !== null,
      banner: aside
        ? { experience: aside.dataset.experience, variation: aside.dataset.variation, stale: aside.dataset.stale === 'true', preview: aside.dataset.preview === 'true', title: aside.querySelector('strong').textContent }
        : q('[data-testid="banner-empty"]') ? null : undefined,
      home: home ? { experience: home.dataset.experience ?? null, stale: home.dataset.stale === 'true', done: [...home.querySelectorAll('li')].filter((li) => li.dataset.done === 'true').map((li) => li.dataset.item) } : undefined,
      invites: q('[data-testid="invites"]')?.textContent,
      stage: q('[data-testid="stats"]')?.dataset.stage,
      renders: { ...(window.__renders ?? {}) },
      analytics: [...(window.__analytics ?? [])],
    };
  });
}

const stored = (page, user) => page.evaluate((u) => JSON.parse(localStorage.getItem(`onstage:v1:${u}:state`) ?? 'null'), user);

function suite(name, dist, { full }) {
  describe(name, { skip: !existsSync(`${APP}${dist}/index.html`) && `${dist}/ is not built: run bash scripts/examples.sh` }, () => {
    let h;
    before(async () => {
      h = await startHarness({ root: `${APP}${dist}`, pkg: null });
    });
    after(() => h?.close());

    test('a new user: the fallback, then live slots; a returning user sees the last decisions before the wasm loads, then live ones, without flicker', async () => {
      const { page, context, errors } = await h.openPage('/?user=ann');
      await until(async () => (await read(page)).home?.experience === 'setup_checklist', 'the live checklist');
      let s = await read(page);
      assert.equal(s.home.stale, false);
      assert.equal(s.banner, null, 'onboarding: no banner');
      await page.click('[data-event="workspace_created"]');
      await until(async () => (await read(page)).home.done.includes('workspace'), 'the workspace item done');
      await page.evaluate(() => new Promise((r) => setTimeout(r, 400))); // the state is written 250 ms after a change

      // Reload with the wasm held back: the first paint comes from storage.
      let release;
      const held = new Promise((r) => (release = r));
      await context.route('**/*.wasm', async (route) => {
        await held;
        await route.continue();
      });
      await page.evaluate(() => {
        // Every value the home slot's experience takes from the first paint on.
        sessionStorage.setItem('watch', '1');
      });
      await page.addInitScript(() => {
        if (!sessionStorage.getItem('watch')) return;
        window.__homeSeen = [];
        new MutationObserver(() => {
          const home = document.querySelector('[data-testid="home"]');
          const seen = `${home?.dataset.experience ?? 'none'}:${home?.dataset.stale ?? ''}`;
          if (window.__homeSeen.at(-1) !== seen) window.__homeSeen.push(seen);
        }).observe(document, { subtree: true, childList: true, attributes: true });
      });
      await page.reload({ waitUntil: 'domcontentloaded' });
      await until(async () => (await read(page)).home?.experience === 'setup_checklist', 'the stale checklist');
      s = await read(page);
      assert.equal(s.loading, false, 'no fallback for a returning user');
      assert.equal(s.home.stale, true, 'marked stale');
      assert.deepEqual(s.home.done, ['workspace'], 'as it was last shown');
      assert.equal(await page.evaluate(() => performance.getEntriesByType('resource').some((e) => e.name.endsWith('.wasm') && e.responseEnd > 0)), false);
      release();
      await until(async () => (await read(page)).home?.stale === false, 'the live checklist after the wasm loads');
      const seen = await page.evaluate(() => window.__homeSeen);
      const first = seen.findIndex((x) => x.startsWith('setup_checklist'));
      assert.deepEqual(seen.slice(first), ['setup_checklist:true', 'setup_checklist:false'], `stale, then live, never empty in between: ${seen}`);
      await context.unroute('**/*.wasm');
      assert.deepEqual(errors, []);
    });

    test('<Slot> reports shown once its content is rendered, and hands dismiss and convert', async () => {
      const { page, errors } = await h.openPage('/?user=bea&seats=9');
      await until(async () => (await read(page)).banner?.experience === 'upgrade_seats', 'the upgrade prompt');
      const s = await read(page);
      assert.equal(s.banner.variation, 'control');
      assert.equal(s.stage, 'expansion');
      await until(async () => (await read(page)).analytics.length === 1, 'the exposure');
      assert.deepEqual((await read(page)).analytics, [{ experiment: 'upgrade-copy-2026q4', variation: 'control' }]);
      await page.evaluate(() => new Promise((r) => setTimeout(r, 400)));
      const state = await stored(page, 'bea');
      assert.ok(state.engine.interactions.upgrade_seats, 'the impression is recorded');
      await page.click('[data-testid="banner"] aside button:nth-of-type(2)'); // Not now
      await until(async () => (await read(page)).banner === null, 'dismissed');
      await page.evaluate(() => new Promise((r) => setTimeout(r, 400)));
      const after = await stored(page, 'bea');
      assert.ok(JSON.stringify(after.engine.interactions.upgrade_seats) !== JSON.stringify(state.engine.interactions.upgrade_seats), 'the dismissal is recorded');
      assert.deepEqual(errors, []);
    });

    test('a component re-renders only when its own slot decision changes', async () => {
      const { page, errors } = await h.openPage('/?user=cal');
      await until(async () => (await read(page)).invites === '0', 'ready');
      const base = (await read(page)).renders;
      // An event no slot decision depends on: only the stats re-render.
      await page.click('[data-event="teammate_invited"]');
      await until(async () => (await read(page)).invites === '1', 'the invite counted');
      let s = await read(page);
      assert.equal(s.renders.banner, base.banner, 'the banner did not re-render');
      // The invite ticked a checklist item: the home slot re-rendered once; the banner still not.
      assert.deepEqual(s.home.done, ['invite']);
      assert.equal(s.renders.home, base.home + 1);
      await page.click('[data-event="premium_feature_blocked"]');
      await page.evaluate(() => new Promise((r) => setTimeout(r, 100)));
      s = await read(page);
      assert.equal(s.renders.home, base.home + 1, 'one premium attempt changes no decision');
      assert.equal(s.renders.banner, base.banner);
      assert.deepEqual(errors, []);
    });

    if (!full) return;

    test('state survives a reload, and two tabs count events once', async () => {
      const { page: a, context, errors } = await h.openPage('/?user=dan');
      const b = await context.newPage();
      await b.goto(new URL('/?user=dan', h.baseUrl).href);
      for (const p of [a, b]) await until(async () => (await read(p)).invites === '0', 'ready');
      await a.click('[data-event="teammate_invited"]');
      await a.click('[data-event="teammate_invited"]');
      await b.click('[data-event="teammate_invited"]');
      for (const p of [a, b]) await until(async () => (await read(p)).invites === '3', 'three invites in each tab');
      await a.evaluate(() => new Promise((r) => setTimeout(r, 400)));
      await a.reload();
      await b.reload();
      for (const p of [a, b]) await until(async () => (await read(p)).invites === '3', 'three after a reload');
      assert.deepEqual(errors, []);
    });

    test('a preview from the URL is shown as preview and records nothing', async () => {
      const { page, errors } = await h.openPage('/?user=eve&onstage-preview=upgrade_seats:roi');
      await until(async () => (await read(page)).banner?.experience === 'upgrade_seats', 'the previewed prompt');
      const s = await read(page);
      assert.equal(s.banner.variation, 'roi');
      assert.equal(s.banner.preview, true);
      assert.equal(s.banner.title, 'Teams like yours save 6 hours a week');
      assert.equal(s.stage, 'onboarding', 'the user is not in expansion: only the preview shows it');
      await page.evaluate(() => new Promise((r) => setTimeout(r, 500)));
      assert.deepEqual((await read(page)).analytics, [], 'no exposure');
      const state = await stored(page, 'eve');
      assert.equal(state?.engine.interactions?.upgrade_seats, undefined, 'no impression stored');
      // Without the parameter, the real decision.
      await page.goto(new URL('/?user=eve', h.baseUrl).href);
      await until(async () => (await read(page)).banner === null && (await read(page)).home?.stale === false, 'no banner');
      assert.deepEqual(errors, []);
    });

    test('time alone flips a slot: the display times out, the daily cap hides the prompt, a day later it is back', async () => {
      const { page, errors } = await h.openPage('/?user=sam&seats=9', {
        beforeLoad: ({ page: p }) => p.clock.install({ time: Date.parse('2026-03-02T09:00:00Z') }),
      });
      await until(async () => (await read(page)).banner?.experience === 'upgrade_seats', 'the upgrade prompt');
      const renders = (await read(page)).renders.banner;
      await page.clock.fastForward('31:00'); // 31 minutes: no click, no event
      await until(async () => (await read(page)).banner === null, 'the prompt gone by itself');
      await page.clock.fastForward('24:00:00');
      await until(async () => (await read(page)).banner?.experience === 'upgrade_seats', 'the prompt back a day later');
      assert.equal((await read(page)).renders.banner, renders + 2, 'told twice: nothing more');
      assert.deepEqual(errors, []);
    });

    test('the inspector mounts into the app', async () => {
      const { page, errors, screenshot } = await h.openPage('/?user=ivy&seats=9&inspect');
      await page.waitForSelector('.onstage-inspector [data-testid="stage"]');
      const inspector = await page.evaluate(() => {
        const root = document.querySelector('[data-testid="inspector-host"] .onstage-inspector');
        return {
          stage: root.querySelector('[data-testid="stage"]').dataset.stage,
          slots: [...root.querySelectorAll('[data-testid^="reasons-"]')].map((s) => s.dataset.testid),
          user: root.querySelector('[data-testid="inspector-user"]').textContent,
          signals: root.querySelectorAll('[data-testid^="signal-"]').length,
        };
      });
      assert.deepEqual(inspector, { stage: 'expansion', slots: ['reasons-home', 'reasons-sidebar', 'reasons-banner'], user: 'ivy', signals: 16 });
      await until(async () => (await page.$$('.onstage-inspector [data-testid="exposure"]')).length === 1, 'the exposure listed');
      await screenshot('react-vite-inspector');
      assert.deepEqual(errors, []);
    });
  });
}

suite('React 19 (examples/react-vite/dist)', 'dist', { full: true });
suite('React 18 (examples/react-vite/dist-react18)', 'dist-react18', { full: false });

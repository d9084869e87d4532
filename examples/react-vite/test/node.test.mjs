// Node 20 with the packed package installed (npm test's package layer runs
// it): importing every entry works, real decisions are made with memory
// storage and the wasm read from the package, the test helper's clock moves
// decisions, and server-side rendering never touches a browser API.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { createElement } from 'react';
import { renderToString } from 'react-dom/server';

const config = JSON.parse(readFileSync(new URL('../../../www/saas.json', import.meta.url), 'utf8'));

test('the package is the installed tarball, not a path into the repository', async () => {
  const { fileURLToPath } = await import('node:url');
  const resolved = fileURLToPath(import.meta.resolve('onstage'));
  assert.match(resolved, /examples\/react-vite\/node_modules\/onstage\/dist\/index\.js$/);
});

test('every entry imports in Node, with no browser', async () => {
  assert.equal(typeof window, 'undefined');
  const entries = await Promise.all(['onstage', 'onstage/react', 'onstage/openfeature', 'onstage/inspector', 'onstage/testing', 'onstage/compiler'].map((e) => import(e)));
  assert.deepEqual(entries.map((m) => Object.keys(m).sort()), [
    ['Onstage', 'init', 'lastDecisions', 'load', 'loadCompiler', 'memoryBytes', 'validateConfig', 'version'],
    ['OnstageProvider', 'Slot', 'useEvaluation', 'useOnstage', 'useSlot', 'useStage'],
    ['HOLDOUT', 'OnstageWebProvider', 'identityFromContext'],
    ['formatValue', 'mountInspector'],
    ['TEST_EPOCH', 'createTestOnstage'],
    ['compileConfig', 'compilerLoaded', 'isPlan', 'loadCompiler', 'validateConfig'],
  ]);
});

test('a plan compiled by onstage/compiler (and by the installed onstage-compile bin) starts an instance that decides as the raw config', async () => {
  const { execFileSync } = await import('node:child_process');
  const { fileURLToPath } = await import('node:url');
  const { compileConfig, loadCompiler } = await import('onstage/compiler');
  const { init } = await import('onstage');
  await loadCompiler();
  const { plan, warnings } = compileConfig(config);
  assert.deepEqual(warnings, []);
  const bin = fileURLToPath(new URL('../node_modules/.bin/onstage-compile', import.meta.url));
  const configPath = fileURLToPath(new URL('../../../www/saas.json', import.meta.url));
  assert.equal(execFileSync(bin, [configPath], { encoding: 'utf8' }), `${compileConfig(readFileSync(configPath, 'utf8')).plan}\n`);
  const at = Date.UTC(2026, 0, 5);
  const open = (c) => init({ config: c, userId: 'p', storage: 'memory', now: () => at, attributes: { id: 'p', role: 'admin' } });
  const [fromPlan, fromObject, fromConfig] = await Promise.all([open(plan), open(JSON.parse(plan)), open(config)]);
  assert.deepEqual(fromPlan.decide('*', { reasons: true }), fromConfig.decide('*', { reasons: true }));
  assert.deepEqual(fromObject.decide('*', { reasons: true }), fromConfig.decide('*', { reasons: true }));
});

test('real decisions in Node: memory storage, the wasm read from the package', async () => {
  const { init, version } = await import('onstage');
  const onstage = await init({ config, userId: 'node-1', storage: 'memory', attributes: { id: 'node-1', role: 'admin' } });
  assert.equal(version(), JSON.parse(readFileSync(new URL('../node_modules/onstage/package.json', import.meta.url), 'utf8')).version);
  onstage.track('workspace_created');
  onstage.track('integration_connected', { provider: 'slack' });
  const home = onstage.decide('home');
  assert.equal(home.experience, 'setup_checklist');
  assert.deepEqual(home.items.map((i) => i.done), [true, true, false, false]);
  assert.equal(onstage.evaluate().stage, 'onboarding');
  assert.throws(() => onstage.track(''), { code: 'bad_event_name' });
  onstage.destroy();
});

test('the test helper: memory storage and a clock that moves only when told', async () => {
  const { createTestOnstage, TEST_EPOCH } = await import('onstage/testing');
  const { onstage, clock } = await createTestOnstage({ config, attributes: { id: 't', role: 'admin' } });
  assert.equal(clock.now(), TEST_EPOCH);
  assert.equal(onstage.state().storage, 'memory');
  onstage.track('workspace_created');
  onstage.dismissed('setup_checklist');
  assert.equal(onstage.decide('home').experience, null, 'dismissed for good (no cool-down)');
  // Time alone: upgrade_seats for an admin in expansion, capped at one impression a day.
  onstage.identify({ entitlements: { seats_licensed: 10, seats_active: 9 } });
  assert.equal(onstage.decide('banner').experience, 'upgrade_seats', 'user t is in the control group');
  let told = 0;
  onstage.subscribe(() => told++);
  onstage.shown('upgrade_seats');
  await Promise.resolve();
  const before = told;
  clock.advance('31m'); // the display timed out: the frequency cap (1 a day) holds it back
  await Promise.resolve();
  assert.equal(onstage.decide('banner').experience, null);
  assert.equal(told, before + 1, 'subscribers heard of it when the clock moved');
  clock.advance('1d');
  await Promise.resolve();
  assert.equal(onstage.decide('banner').experience, 'upgrade_seats');
  assert.equal(told, before + 2);
  assert.throws(() => clock.advance('soon'), { code: 'bad_time' });
  onstage.destroy();
});

test('server-side rendering: the fallback, no browser API touched', async () => {
  const { OnstageProvider, Slot, useSlot } = await import('onstage/react');
  const Banner = () => createElement(Slot, { id: 'banner', render: (d) => createElement('b', null, d.content.title), fallback: 'no banner' });
  const Home = () => {
    const d = useSlot('home');
    return createElement('i', null, d === null ? 'home unknown' : d.experience);
  };
  const options = { config, userId: 'ssr' };
  const withFallback = renderToString(createElement(OnstageProvider, { options, fallback: 'loading' }, createElement(Banner)));
  assert.equal(withFallback, 'loading');
  const without = renderToString(createElement(OnstageProvider, { options }, createElement(Banner), createElement(Home)));
  assert.equal(without, 'no banner<i>home unknown</i>');
});

test('server-side rendering with an instance given ready renders live decisions (component tests)', async () => {
  const { OnstageProvider, Slot } = await import('onstage/react');
  const { createTestOnstage } = await import('onstage/testing');
  const { onstage, clock } = await createTestOnstage({ config, attributes: { id: 'sam', role: 'admin' } });
  const page = () =>
    renderToString(
      createElement(OnstageProvider, { instance: onstage, fallback: 'loading' },
        createElement(Slot, { id: 'home', render: (d) => createElement('h2', null, d.content.title), fallback: 'nothing' })),
    );
  assert.equal(page(), '<h2>Get set up in three steps</h2>');
  onstage.converted('setup_checklist');
  clock.advance('1h');
  assert.equal(page(), 'nothing');
  onstage.destroy();
});

test("<Slot> hands a tour's render function its step and advance", async () => {
  const { OnstageProvider, Slot } = await import('onstage/react');
  const { createTestOnstage } = await import('onstage/testing');
  const tours = JSON.parse(readFileSync(new URL('../../../../shared/examples/timelines/tours.config.json', import.meta.url), 'utf8'));
  const { onstage } = await createTestOnstage({ config: tours, preview: 'reports_tour:classic' });
  let advance;
  const page = () =>
    renderToString(
      createElement(OnstageProvider, { instance: onstage },
        createElement(Slot, {
          id: 'main',
          render: (d) => {
            advance = d.advance;
            return createElement('p', null, `${d.experience}@${d.step}`);
          },
        })),
    );
  assert.equal(page(), '<p>reports_tour@open_reports</p>');
  advance();
  assert.equal(page(), '<p>reports_tour@build</p>');
  advance('schedule');
  assert.equal(page(), '<p>reports_tour@build</p>', 'a later step completed out of order: the current one stays');
  onstage.destroy();
});

test("useSlot hands a tour's decision its step and advance; other decisions stay as they are", async () => {
  const { OnstageProvider, useSlot } = await import('onstage/react');
  const { createTestOnstage } = await import('onstage/testing');
  const tours = JSON.parse(readFileSync(new URL('../../../../shared/examples/timelines/tours.config.json', import.meta.url), 'utf8'));
  const { onstage } = await createTestOnstage({ config: tours });
  const seen = {};
  function Probe({ slot }) {
    const d = useSlot(slot);
    seen[slot] = d;
    return createElement('p', null, `${d?.experience}@${d?.step}`);
  }
  const page = () =>
    renderToString(createElement(OnstageProvider, { instance: onstage },
      createElement(Probe, { slot: 'main' }), createElement(Probe, { slot: 'footer' })));
  assert.equal(page(), '<p>onboarding@create_project</p><p>setup@undefined</p>');
  assert.equal(typeof seen.main.advance, 'function');
  assert.ok(Object.isFrozen(seen.main));
  assert.equal(seen.footer.advance, undefined, 'a checklist has no advance');
  seen.main.advance();
  assert.equal(page(), '<p>onboarding@invite</p><p>setup@undefined</p>');
  seen.main.advance('dashboard');
  seen.main.advance();
  assert.equal(page(), '<p>onboarding@connect</p><p>setup@undefined</p>', 'out of order: the first step left is current');
  onstage.destroy();
});

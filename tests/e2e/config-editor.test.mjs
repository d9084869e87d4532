// The config editor: a refused config lists its problems with their JSON
// paths and leaves the running config (and the user's state) alone; a
// valid one is applied with the user's history carried over.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { WWW } from '../../scripts/serve.mjs';
import { CONFIG, openDemo } from './demo.mjs';
import { startHarness } from './harness.mjs';

let h;
before(async () => {
  h = await startHarness();
});
after(() => h?.close());

async function problems(demo) {
  return demo.page.$$eval('[data-testid="config-problem"]', (lis) =>
    lis.map((li) => ({ severity: li.dataset.severity, code: li.dataset.code, path: li.dataset.path })));
}

async function apply(demo, text) {
  await demo.el('config-text').fill(text);
  await demo.click('config-apply');
  return demo.el('config-status').getAttribute('data-state');
}

test('the config editor refuses bad configs with their paths and applies good ones', async () => {
  const demo = await openDemo(h, { user: 'config-1' });
  assert.equal(await demo.el('config-text').inputValue(), readFileSync(join(WWW, 'acme.json'), 'utf8'), 'the editor starts with acme.json');
  await demo.click('action-create-workspace');
  let s = await demo.state();
  assert.equal(s.signals.setup_steps, 1);

  // A duration that is not one: refused, with the code and the path.
  const bad = structuredClone(CONFIG);
  bad.signals.reports_7d.window = '7days';
  assert.equal(await apply(demo, JSON.stringify(bad, null, 2)), 'error');
  assert.deepEqual(await problems(demo), [{ severity: 'error', code: 'bad_duration', path: 'signals.reports_7d.window' }]);
  assert.match(await demo.el('config-problems').textContent(), /7days/);
  assert.match(await demo.el('config-status').textContent(), /stays in force/);
  s = await demo.state();
  assert.equal(s.signals.setup_steps, 1, 'the previous config and the user\'s history are still there');
  assert.deepEqual(s.slots.home.items.filter((i) => i.done).map((i) => i.id), ['workspace']);

  // Text that is not JSON.
  assert.equal(await apply(demo, '{"version": 1,'), 'error');
  assert.deepEqual((await problems(demo)).map((p) => p.code), ['invalid_json']);
  s = await demo.state();
  assert.equal(s.signals.setup_steps, 1);

  // A valid config with a warning: applied, the warning listed, the history kept.
  const good = structuredClone(CONFIG);
  good.experiences[0].content.title = 'Welcome aboard';
  good.segments.slowing = { when: { 'signals.activity_trend': { $lt: 0.5 } } };
  assert.equal(await apply(demo, JSON.stringify(good, null, 2)), 'applied');
  assert.deepEqual(await problems(demo), [
    { severity: 'warning', code: 'null_comparison', path: 'segments.slowing.when["signals.activity_trend"].$lt' },
  ]);
  assert.match(await demo.el('config-editor').textContent(), /history/);
  s = await demo.state();
  assert.equal(s.slots.home.title, 'Welcome aboard');
  assert.equal(s.signals.setup_steps, 1, 'an unchanged signal keeps its data across a config change');
  assert.ok(s.segments.includes('slowing'), 'a null trend compares as 0 < 0.5: what the warning is about');
  assert.deepEqual(s.timeline.map((x) => x.stage), ['onboarding']);

  // Back to the reference config.
  await demo.click('config-revert');
  assert.equal(await demo.el('config-status').getAttribute('data-state'), 'applied');
  assert.deepEqual(await problems(demo), []);
  s = await demo.state();
  assert.equal(s.slots.home.title, CONFIG.experiences[0].content.title);
  assert.ok(!s.segments.includes('slowing'));
  demo.assertNoErrors();
});

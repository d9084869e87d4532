// Tours through the browser package in Chromium, on the shared tours
// config (../shared/examples/timelines/tours.config.json): `advanced` and
// the decision's `step`, progress that survives a reload, follows the user
// to another tab through the same outbox as other steps, is carried over
// by setConfig for the step ids that still exist, and coded errors for an
// unknown tour or step that store nothing.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ROOT, startHarness } from './harness.mjs';
import { inPage, PAGE, secondTab, until } from './inpage.mjs';

const TOURS = JSON.parse(readFileSync(join(ROOT, '..', 'shared', 'examples', 'timelines', 'tours.config.json'), 'utf8'));

let h;
before(async () => {
  h = await startHarness();
});
after(() => h?.close());

/** Opens `window.os` on the tours config for user `arg.user`, with a settable clock. */
const OPEN = `
  if (window.__now === undefined) window.__now = 1772000000000;
  window.__notified ??= 0;
  window.os = await onstage.init({
    config: arg.config, userId: arg.user ?? 't1', tzOffsetMinutes: 0, now: () => window.__now,
    attributes: { id: arg.user ?? 't1', plan: 'free' },
    onWarning: (w) => window.__warnings.push(w.code),
  });
  os.subscribe(() => window.__notified++);
`;

const main = `return os.decide('main');`;

test('a tour resumes at the same step after a reload', async () => {
  const { page, errors } = await h.openPage(PAGE);
  const first = await inPage(page, `${OPEN}
    const start = os.decide('main');
    os.shown('onboarding');
    window.__now += 60000;
    os.track('project_created');            // completes create_project through its done condition
    window.__now += 60000;
    os.advanced('onboarding', 'connect');   // out of order
    const now = os.decide('main');
    os.flush();
    return { start, now };`, { config: TOURS });
  assert.equal(first.start.experience, 'onboarding');
  assert.equal(first.start.step, 'create_project');
  assert.equal(first.now.step, 'invite');
  assert.deepEqual(first.now.items.filter((s) => s.done).map((s) => s.id), ['create_project', 'connect']);
  assert.equal(first.now.content.body, 'Invite a teammate');
  await page.reload();
  const again = await inPage(page, `${OPEN} window.__now = 1772000000000 + 180000; ${main}`, { config: TOURS });
  assert.equal(again.step, 'invite');
  assert.deepEqual(again.items.filter((s) => s.done).map((s) => s.id), ['create_project', 'connect']);
  assert.equal(again.items[0].label, null, 'a step has no label');
  assert.deepEqual(errors, []);
});

test('a step advanced in one tab is seen in the other', async () => {
  const { page: a, context, errors } = await h.openPage(PAGE);
  const { page: b, errors: errorsB } = await secondTab(h, context);
  const arg = { config: TOURS, user: 't2' };
  await inPage(a, OPEN, arg);
  await inPage(b, OPEN, arg);
  assert.equal((await inPage(b, main, arg)).step, 'create_project');
  const notifiedBefore = await inPage(b, 'return window.__notified;');
  await inPage(a, `os.advanced('onboarding', 'create_project'); os.advanced('onboarding', 'invite');`, arg);
  await until(async () => (await inPage(b, main, arg)).step === 'connect', 'tab B to move to the step "connect"');
  assert.ok((await inPage(b, 'return window.__notified;')) > notifiedBefore, 'tab B told its subscribers');
  // And back: B completes a step by doing it; A sees it.
  await inPage(b, `os.track('integration_connected', { provider: 'jira' });`, arg);
  await until(async () => (await inPage(a, main, arg)).step === 'dashboard', 'tab A to move to the step "dashboard"');
  // Both agree after a reload: nothing was applied twice or lost.
  await new Promise((r) => setTimeout(r, 300));
  await inPage(a, 'os.flush();');
  await inPage(b, 'os.flush();');
  await a.reload();
  const reloaded = await inPage(a, `${OPEN} ${main}`, arg);
  assert.deepEqual(reloaded.items.filter((s) => s.done).map((s) => s.id), ['create_project', 'invite', 'connect']);
  assert.deepEqual([...errors, ...errorsB], []);
});

test('a second advanced of the same step changes nothing and tells no subscriber', async () => {
  const { page, errors } = await h.openPage(PAGE);
  const r = await inPage(page, `${OPEN}
    os.advanced('onboarding', 'invite');
    await new Promise((r) => setTimeout(r, 0));
    const before = window.__notified;
    const state = JSON.stringify(os.state().engine);
    os.advanced('onboarding', 'invite');
    await new Promise((r) => setTimeout(r, 0));
    return { notified: window.__notified - before, same: JSON.stringify(os.state().engine) === state };`, { config: TOURS, user: 't3' });
  assert.deepEqual(r, { notified: 0, same: true });
  assert.deepEqual(errors, []);
});

test('setConfig keeps progress for the step ids that still exist', async () => {
  const { page, errors } = await h.openPage(PAGE);
  const renamed = structuredClone(TOURS);
  const onboarding = renamed.experiences.find((e) => e.id === 'onboarding');
  onboarding.steps = [
    { id: 'welcome', content: { body: 'Hello' } },          // new, first
    onboarding.steps[0],                                     // create_project, kept
    { ...onboarding.steps[1], id: 'invite_team' },           // invite, renamed
    onboarding.steps[2],                                     // connect, kept
  ];
  const r = await inPage(page, `${OPEN}
    os.advanced('onboarding', 'create_project');
    os.advanced('onboarding', 'invite');
    os.advanced('onboarding', 'dashboard');
    window.__now += 60000;
    os.setConfig(arg.renamed);
    const after = os.decide('main');
    os.advanced('onboarding', 'welcome');
    const later = os.decide('main');
    let removed = null;
    try { os.advanced('onboarding', 'dashboard'); } catch (err) { removed = err.code; }
    return { after, later, removed, warnings: window.__warnings };`, { config: TOURS, user: 't4', renamed });
  assert.equal(r.after.step, 'welcome', 'a step added before the others is the current one');
  assert.deepEqual(r.after.items, [
    { id: 'welcome', label: null, done: false },
    { id: 'create_project', label: null, done: true },
    { id: 'invite_team', label: null, done: false },
    { id: 'connect', label: null, done: false },
  ]);
  assert.equal(r.later.step, 'invite_team', 'a renamed step starts over');
  assert.equal(r.removed, 'unknown_step', 'a removed step is gone');
  assert.deepEqual(r.warnings, []);
  assert.deepEqual(errors, []);
});

test('an unknown tour or step throws a coded Error and stores nothing', async () => {
  const { page, errors } = await h.openPage(PAGE);
  const r = await inPage(page, `${OPEN}
    os.track('project_created');
    os.flush();
    const stored = localStorage.getItem('onstage:v1:t5:state');
    const decided = JSON.stringify(os.decide('*'));
    const codes = [];
    for (const [tour, step] of [['nope', 'x'], ['main_tip', 'x'], ['setup', 'project'], [5, 'x'], [null, 'x'],
                                ['onboarding', 'nope'], ['onboarding', 3], ['onboarding', undefined], ['filters_tour', 'invite']]) {
      try { os.advanced(tour, step); codes.push('no error'); }
      catch (err) { codes.push([err instanceof Error, err.code]); }
    }
    await new Promise((r) => setTimeout(r, 0));
    os.flush();
    return { codes, same: localStorage.getItem('onstage:v1:t5:state') === stored && JSON.stringify(os.decide('*')) === decided };`,
  { config: TOURS, user: 't5' });
  assert.deepEqual(r.codes, [
    [true, 'unknown_tour'], [true, 'unknown_tour'], [true, 'unknown_tour'], [true, 'unknown_tour'], [true, 'unknown_tour'],
    [true, 'unknown_step'], [true, 'unknown_step'], [true, 'unknown_step'], [true, 'unknown_step'],
  ]);
  assert.ok(r.same, 'nothing stored, the decisions unchanged');
  assert.deepEqual(errors, []);
});

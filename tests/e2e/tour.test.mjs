// The demo's guided tour ("Build your first dashboard", www/acme.json)
// end to end in Chromium, driven only by the page's buttons: the user asks
// for it, a step completes by a Next button and one by doing what it asks
// (its `done` condition), progress survives a reload and follows the user
// to a second tab, a skip hides it for its cool-down and it comes back at
// the same step (time travel), and once completed it never shows again.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DAY, DEMO_CONFIG, HOUR, MINUTE, T0, openDemo } from './demo.mjs';
import { startHarness } from './harness.mjs';
import { until } from './inpage.mjs';

let h;
before(async () => {
  h = await startHarness();
});
after(() => h?.close());

const TOUR = DEMO_CONFIG.experiences.find((e) => e.id === 'first_dashboard');
const STEPS = TOUR.steps.map((s) => s.id);

/** Where the popover is, and whether it sits next to its anchor (just above or below it, overlapping it horizontally). */
async function popover(demo) {
  return demo.page.evaluate(() => {
    const pop = document.querySelector('[data-testid="tour-popover"]');
    if (!pop) return null;
    const anchor = document.querySelector(pop.dataset.anchor);
    const p = pop.getBoundingClientRect();
    const a = anchor?.getBoundingClientRect();
    const near = !!a && p.left < a.right && p.right > a.left && (Math.abs(p.top - a.bottom) <= 16 || Math.abs(a.top - p.bottom) <= 16);
    return {
      step: pop.dataset.step,
      anchor: pop.dataset.anchor,
      near,
      highlighted: [...document.querySelectorAll('.tour-target')].map((el) => `#${el.id}`),
      title: pop.querySelector('[data-testid="tour-title"]')?.textContent ?? null,
      body: pop.querySelector('[data-testid="tour-body"]')?.textContent ?? null,
      hint: pop.querySelector('[data-testid="tour-hint"]')?.textContent ?? null,
      next: pop.querySelector('[data-testid="tour-next"]')?.textContent ?? null,
      progress: pop.querySelector('[data-testid="tour-progress"]')?.textContent ?? null,
      done: [...pop.querySelectorAll('[data-testid^="tour-step-"]')].filter((li) => li.dataset.done === 'true').map((li) => li.title),
    };
  });
}

function stepContent(id) {
  return TOUR.steps.find((s) => s.id === id).content;
}

test('the demo tour: start it, do a step, reload, another tab, skip and come back, complete it for good', async (t) => {
  const user = 'tour-1';
  const demo = await openDemo(h, { user });
  let s;

  await t.test('no tour until the user asks for one', async () => {
    s = await demo.state();
    assert.equal(s.slots.tour.experience, null);
    assert.equal(s.reasons.tour.of.first_dashboard.result, 'when_failed');
    assert.match(s.reasons.tour.of.first_dashboard.text, /signals\.tour_requests is 0/);
    assert.equal(await popover(demo), null);
  });

  await t.test('"Take the tour" starts it at its first step, next to the Dashboards tile', async () => {
    await demo.click('start-tour'); // T0+1m: tour_requested
    s = await demo.state();
    assert.equal(s.slots.tour.experience, 'first_dashboard');
    assert.equal(s.slots.tour.step, STEPS[0]);
    const p = await popover(demo);
    assert.equal(p.step, 'meet_dashboards');
    assert.equal(p.anchor, '#tile-dashboards');
    assert.ok(p.near, 'the popover sits next to its element');
    assert.deepEqual(p.highlighted, ['#tile-dashboards']);
    assert.equal(p.title, TOUR.content.title);
    assert.equal(p.body, stepContent('meet_dashboards').body);
    assert.equal(p.progress, `Tour · step 1 of ${STEPS.length}`);
    assert.equal(p.next, TOUR.content.cta, 'a step without done has a Next button');
    // The page reported it shown: it is on screen now.
    assert.match(s.reasons.tour.of.first_dashboard.text, /new impression|on screen/);
    await demo.screenshot('tour-1-start');
  });

  await t.test('Next completes a step (advanced); the next one asks for an action', async () => {
    await demo.click('tour-next');
    s = await demo.state();
    assert.equal(s.slots.tour.step, 'connect_data');
    const p = await popover(demo);
    assert.equal(p.anchor, '#tile-integrations');
    assert.ok(p.near);
    assert.equal(p.hint, stepContent('connect_data').hint);
    assert.equal(p.next, null, 'a step with a done condition waits for the user to do it');
    assert.deepEqual(p.done, ['meet_dashboards']);
    assert.match(s.reasons.tour.of.first_dashboard.text, /meet_dashboards ✓ \(advanced\)/);
  });

  await t.test("doing the step's action completes it (its done condition)", async () => {
    await demo.select('provider-select', 'snowflake');
    await demo.click('action-connect-integration');
    s = await demo.state();
    assert.equal(s.signals.integrations, 1);
    assert.equal(s.slots.tour.step, 'build_report');
    assert.deepEqual((await popover(demo)).done, ['meet_dashboards', 'connect_data']);
    assert.match(s.reasons.tour.of.first_dashboard.text, /connect_data ✓ \(done held\)/);
    await demo.screenshot('tour-2-build-report');
  });

  await t.test('after a reload the tour resumes at the same step', async () => {
    await demo.page.reload();
    await demo.page.waitForSelector('body[data-app-state="ready"]');
    s = await demo.state();
    assert.equal(s.slots.tour.experience, 'first_dashboard');
    assert.equal(s.slots.tour.step, 'build_report');
    const p = await popover(demo);
    assert.ok(p.near);
    assert.deepEqual(p.highlighted, ['#tile-reports']);
  });

  let second;
  await t.test('a step advanced in a second tab moves the tour in the first', async () => {
    second = await demo.context.newPage();
    await second.goto(new URL(`/?user=${user}`, h.baseUrl).href);
    await second.waitForSelector('body[data-app-state="ready"]');
    await second.waitForSelector('[data-testid="tour-popover"][data-step="build_report"]');
    await second.locator('[data-testid="tour-skip-step"]').click();
    await second.waitForSelector('[data-testid="tour-popover"][data-step="share_dashboard"]');
    await until(async () => (await demo.state()).slots.tour.step === 'share_dashboard', 'the first tab to move to share_dashboard');
    const p = await popover(demo);
    assert.equal(p.step, 'share_dashboard');
    assert.equal(p.title, stepContent('share_dashboard').title, "the step's title replaces the tour's");
    assert.deepEqual(p.done, ['meet_dashboards', 'connect_data', 'build_report']);
    await second.close();
  });

  await t.test('a skipped tour stays away for its cool-down, then comes back at the same step', async () => {
    await demo.click('tour-skip'); // dismissed
    s = await demo.state();
    assert.equal(s.slots.tour.experience, null);
    assert.equal(s.reasons.tour.of.first_dashboard.result, 'cooling_down');
    assert.equal(await popover(demo), null);
    assert.deepEqual(await demo.page.$$eval('.tour-target', (els) => els.length), 0, 'no element stays highlighted');
    const dismissedAt = s.now;
    assert.equal(Date.parse(s.reasons.tour.of.first_dashboard.until), dismissedAt + DAY);
    // Asking again during the cool-down says why nothing shows.
    await demo.click('start-tour');
    assert.match(await demo.el('toasts').textContent(), /you skipped it; it comes back/);
    await demo.travel('hour');
    s = await demo.state();
    assert.equal(s.slots.tour.experience, null, 'still cooling down an hour later');
    await demo.travel('day');
    s = await demo.state();
    assert.ok(s.now >= dismissedAt + DAY);
    assert.equal(s.slots.tour.experience, 'first_dashboard');
    assert.equal(s.slots.tour.step, 'share_dashboard', 'back where the user left it');
    assert.ok((await popover(demo)).near);
    await demo.screenshot('tour-3-back-after-cooldown');
  });

  await t.test('completing the last step converts the tour: it never shows again', async () => {
    await demo.select('audience-select', 'team');
    await demo.click('action-share-dashboard');
    s = await demo.state();
    assert.equal(s.signals.shares_30d, 1);
    assert.equal(s.slots.tour.experience, null);
    assert.equal(s.reasons.tour.of.first_dashboard.result, 'completed');
    assert.equal(await popover(demo), null);
    await demo.click('start-tour');
    assert.match(await demo.el('toasts').textContent(), /completed it already/);
    await demo.travel('week', 5);
    s = await demo.state();
    assert.equal(s.slots.tour.experience, null);
    assert.equal(s.reasons.tour.of.first_dashboard.result, 'completed');
    await demo.page.reload();
    await demo.page.waitForSelector('body[data-app-state="ready"]');
    s = await demo.state();
    assert.equal(s.reasons.tour.of.first_dashboard.result, 'completed', 'and after a reload');
  });

  demo.assertNoErrors();
});

test('the tour is a prompt: the policy gap keeps it back right after another prompt, and says so', async () => {
  // A user reaches activation (try_automations, a prompt, shows in the
  // sidebar), then asks for the tour within the 10-minute gap.
  const demo = await openDemo(h, { user: 'tour-2' });
  await demo.click('action-create-workspace');
  await demo.click('action-connect-integration');
  await demo.click('action-build-report');
  let s = await demo.state();
  assert.equal(s.slots.sidebar.experience, 'try_automations');
  await demo.click('start-tour');
  s = await demo.state();
  assert.equal(s.slots.tour.experience, null);
  assert.equal(s.reasons.tour.of.first_dashboard.result, 'policy_gap');
  assert.equal(s.reasons.tour.of.first_dashboard.blockedBy, 'try_automations');
  assert.match(await demo.el('toasts').textContent(), /another prompt \(try_automations\)/);
  // While try_automations comes back as a new prompt (its display timed
  // out), it is chosen first ("sidebar" comes before "tour" in the config)
  // and two new prompts never appear together. The user dismisses it; once
  // the gap after its last shown is over, the tour starts.
  await demo.click('sidebar-dismiss');
  await demo.travel('hour');
  s = await demo.state();
  assert.equal(s.reasons.sidebar.of.try_automations.result, 'cooling_down');
  assert.equal(s.now, T0 + 4 * MINUTE + HOUR);
  assert.equal(s.slots.tour.experience, 'first_dashboard');
  assert.equal(s.slots.tour.step, 'meet_dashboards');
  const p = await popover(demo);
  assert.deepEqual(p.done, ['connect_data', 'build_report'], 'steps whose done held before the tour was ever shown');
  demo.assertNoErrors();
});

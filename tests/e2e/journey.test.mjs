// One user through every stage of saas.json, driven only by the demo's
// buttons. Every expectation comes from the config: the comments name the
// condition that makes it so. Times are exact: the browser clock is fixed
// at T0, each product action takes one simulated minute, and the
// time-travel buttons add whole hours, days and weeks.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CONFIG, DAY, DEMO_CONFIG, HOUR, MINUTE, T0, experience, ms, openDemo, pickUser } from './demo.mjs';
import { startHarness } from './harness.mjs';
import { assertOwnAssetsOnly, recordRequests } from './requests.mjs';

let h;
before(async () => {
  h = await startHarness();
});
after(() => h?.close());

const stageOrder = CONFIG.stages.map((s) => s.id);
const upgrade = experience('upgrade_seats');
const winBack = experience('win_back');
// A user the experiment shows a non-control copy to, so the banner's
// content visibly comes from the variation (the holdout has its own test).
const user = pickUser('journey', upgrade.experiment, (v) => !v.skip && v.content);

test('a user walks from onboarding to advocacy, exactly as saas.json says', async (t) => {
  const requests = [];
  const demo = await openDemo(h, { user: user.id, beforeLoad: ({ context }) => recordRequests(context, requests) });
  let s;

  await t.test('a new user is onboarding and sees the four-item checklist', async () => {
    s = await demo.state();
    assert.equal(s.userId, user.id);
    assert.equal(s.now, T0);
    // The last stage, {} , is the default.
    assert.equal(s.stage, 'onboarding');
    assert.equal(s.stageSince, T0);
    assert.equal(s.slots.home.experience, 'setup_checklist');
    assert.equal(s.slots.home.title, experience('setup_checklist').content.title);
    assert.deepEqual(s.slots.home.items, experience('setup_checklist').items.map((i) => ({ id: i.id, done: false })));
    assert.equal(s.slots.sidebar.experience, null);
    assert.equal(s.slots.banner.experience, null);
    // Every signal is listed; only days_since_*, trend and ratio can be null.
    // (The demo runs saas.json plus its tour: acme.json.)
    assert.deepEqual(Object.keys(s.signals), Object.keys(DEMO_CONFIG.signals));
    assert.equal(s.signals.days_since_active, null);
    assert.equal(s.signalText.days_since_active, '–');
    assert.equal(s.signals.activity_trend, null);
    assert.equal(s.signals.setup_steps, 0);
    // The default account: 2 of 10 seats, role owner.
    assert.equal(s.signals.seat_utilization, 0.2);
    assert.deepEqual(s.segments, ['admin']);
    assert.equal(s.reasons.home.of.win_back.result, 'when_failed');
    assert.match(s.reasons.home.of.win_back.text, /stage is "onboarding", needs to be "at_risk"/);
  });

  await t.test('setup steps on separate minutes tick the checklist, then activation', async () => {
    await demo.click('action-create-workspace'); // T0+1m
    s = await demo.state();
    assert.deepEqual(s.slots.home.items.filter((i) => i.done).map((i) => i.id), ['workspace']);
    await demo.click('action-invite-teammate'); // +2m
    await demo.select('provider-select', 'github');
    await demo.click('action-connect-integration'); // +3m
    s = await demo.state();
    assert.equal(s.now, T0 + 3 * MINUTE);
    assert.equal(s.stage, 'onboarding');
    assert.deepEqual(s.slots.home.items, [
      { id: 'workspace', done: true }, { id: 'integration', done: true }, { id: 'report', done: false }, { id: 'invite', done: true },
    ]);
    assert.equal(s.signals.setup_steps, 2);

    await demo.click('action-build-report'); // +4m: the funnel's third step
    s = await demo.state();
    assert.equal(s.signals.setup_steps, 3);
    assert.equal(s.signals.integrations, 1);
    assert.equal(s.signals.invites, 1);
    assert.equal(s.signals.reports_7d, 1);
    // activation: setup_steps = 3; the checklist is for onboarding only.
    assert.equal(s.stage, 'activation');
    assert.equal(s.stageSince, T0 + 4 * MINUTE);
    assert.equal(s.slots.home.experience, null);
    // try_automations: stage in [activation, habit] and features_30d < 3.
    assert.equal(s.slots.sidebar.experience, 'try_automations');
    assert.equal(s.slots.sidebar.title, experience('try_automations').content.title);
    assert.ok(s.segments.includes('average_user'), 'setup_steps = 3, neither power user nor at risk');
  });

  await t.test('three distinct weeks of reports with 8 of 10 seats active: habit', async () => {
    await demo.fill('identity-seats-active', 8);
    s = await demo.state();
    assert.equal(s.signals.seat_utilization, 0.8);
    assert.equal(s.stage, 'activation', 'one active week is not a habit');

    await demo.travel('week'); // +7d+4m
    await demo.click('action-build-report'); // +7d+5m
    await demo.select('audience-select', 'private');
    await demo.click('action-share-dashboard'); // +7d+6m
    s = await demo.state();
    assert.equal(s.signals.core_active_weeks, 2);
    assert.equal(s.stage, 'activation');
    // try_automations: its impression of a week ago left the 7d window.
    assert.equal(s.slots.sidebar.experience, 'try_automations');

    await demo.travel('week'); // +14d+6m
    await demo.click('action-build-report'); // +14d+7m
    s = await demo.state();
    // habit: core_active_weeks >= 3 and seat_utilization >= 0.7.
    assert.equal(s.signals.core_active_weeks, 3);
    assert.equal(s.stage, 'habit');
    assert.equal(s.stageSince, T0 + 14 * DAY + 7 * MINUTE);
    assert.equal(s.slots.sidebar.experience, 'try_automations');
    await demo.click('action-share-dashboard'); // +14d+8m (private)
    s = await demo.state();
    assert.equal(s.signals.shares_30d, 0, 'private shares do not count');
  });

  await t.test('two premium attempts: expansion; the upgrade prompt is for admins only', async () => {
    await demo.select('identity-role', 'member');
    await demo.click('action-premium', 2); // +14d+9m, +14d+10m
    s = await demo.state();
    // expansion: premium_attempts >= 2 (above habit, so at once).
    assert.equal(s.signals.premium_attempts, 2);
    assert.equal(s.stage, 'expansion');
    assert.ok(!s.segments.includes('admin'));
    assert.equal(s.slots.sidebar.experience, null, 'try_automations is for activation and habit');
    assert.equal(s.slots.banner.experience, null);
    assert.equal(s.reasons.banner.of.upgrade_seats.result, 'when_failed');
    assert.match(s.reasons.banner.of.upgrade_seats.text, /segments is \[[^\]]*\], needs one of \["admin"\]/);

    await demo.select('identity-role', 'admin');
    s = await demo.state();
    assert.ok(s.segments.includes('admin'));
    // try_automations was shown at +14d+6m: within min_gap_between_prompts.
    const gap = ms(CONFIG.policy.min_gap_between_prompts);
    assert.equal(s.slots.banner.experience, null);
    assert.equal(s.reasons.banner.of.upgrade_seats.result, 'policy_gap');
    assert.equal(s.reasons.banner.of.upgrade_seats.blockedBy, 'try_automations');
    assert.equal(Date.parse(s.reasons.banner.of.upgrade_seats.until), T0 + 14 * DAY + 6 * MINUTE + gap);
    assert.deepEqual(s.exposures, [], 'no exposure before the experience would win its slot');
  });

  await t.test('an hour later the banner shows the upgrade prompt with its variation content', async () => {
    await demo.travel('hour'); // +14d+1h10m
    s = await demo.stateWithExposures(1);
    assert.equal(s.stage, 'expansion');
    const expected = { ...upgrade.content, ...user.variation.content };
    assert.equal(s.slots.banner.experience, 'upgrade_seats');
    assert.equal(s.slots.banner.variation, user.variation.id);
    assert.equal(s.slots.banner.holdout, false);
    assert.equal(s.slots.banner.title, expected.title);
    assert.equal(s.slots.banner.cta, expected.cta);
    assert.equal(s.reasons.banner.of.upgrade_seats.result, 'shown');
    assert.equal(s.reasons.banner.of.upgrade_seats.variation, user.variation.id);
    assert.deepEqual(s.exposures, [{ experiment: upgrade.experiment.key, variation: user.variation.id }]);
    const path = await demo.screenshot('demo-expansion');
    assert.match(path, /test-artifacts\/demo-expansion\.png$/);
  });

  await t.test('14 days without any event: at_risk, and home shows win_back', async () => {
    const lastEvent = T0 + 14 * DAY + 10 * MINUTE;
    await demo.travel('week');
    await demo.travel('day', 6); // +27d+1h10m: 13 days and an hour since the last event
    s = await demo.state();
    assert.ok(s.signals.days_since_active < 14);
    // activity_trend: 2 events in the last 14d over 3 in the 14d before.
    assert.equal(s.signals.activity_trend, 2 / 3);
    assert.equal(s.stage, 'expansion', 'premium_attempts still counts both attempts');

    await demo.travel('day'); // +28d+1h10m
    s = await demo.state();
    assert.equal(s.now, T0 + 28 * DAY + HOUR + 10 * MINUTE);
    assert.equal(s.signals.days_since_active, (s.now - lastEvent) / DAY);
    assert.ok(s.signals.days_since_signup >= 21);
    // at_risk: days_since_active >= 14 and days_since_signup >= 21; the stage is first in the list.
    assert.ok(s.segments.includes('at_risk'));
    assert.equal(s.stage, 'at_risk');
    assert.equal(s.slots.home.experience, 'win_back');
    assert.equal(s.slots.home.title, winBack.content.title);
    assert.equal(s.slots.home.cta, winBack.content.cta);
    assert.equal(s.slots.banner.experience, null);
    assert.equal(s.slots.sidebar.experience, null);
  });

  await t.test('an NPS promoter with three team or public shares: advocacy, once no longer at risk', async () => {
    await demo.click('nps-9'); // +28d+1h11m
    await demo.select('audience-select', 'team');
    await demo.click('action-share-dashboard'); // +1h12m
    s = await demo.state();
    // activity_trend: 1 event in the last 14d over 4 before: still at risk.
    assert.equal(s.signals.activity_trend, 1 / 4);
    assert.equal(s.stage, 'at_risk');

    await demo.select('audience-select', 'public');
    await demo.click('action-share-dashboard'); // +1h13m
    s = await demo.state();
    // 2 / 4 is not < 0.5: no longer at risk; 3 active weeks in 28d with 80% of seats is habit.
    assert.equal(s.signals.activity_trend, 0.5);
    assert.equal(s.stage, 'habit');

    await demo.select('audience-select', 'team');
    await demo.click('action-share-dashboard'); // +1h14m
    s = await demo.state();
    assert.equal(s.signals.nps_promoter, 1);
    assert.equal(s.signals.shares_30d, 3);
    assert.equal(s.stage, 'advocacy');
    // win_back was shown 4 minutes ago: the referral waits for the gap.
    assert.equal(s.slots.banner.experience, null);
    assert.equal(s.reasons.banner.of.referral_ask.result, 'policy_gap');
    assert.equal(s.reasons.banner.of.referral_ask.blockedBy, 'win_back');

    await demo.travel('hour');
    s = await demo.state();
    assert.equal(s.stage, 'advocacy');
    assert.equal(s.slots.banner.experience, 'referral_ask');
    assert.equal(s.slots.banner.title, experience('referral_ask').content.title);
    assert.equal(s.slots.home.experience, null);
  });

  await t.test('the timeline plots every transition in order', async () => {
    s = await demo.state();
    assert.deepEqual(s.timeline.map((x) => x.stage), ['onboarding', 'activation', 'habit', 'expansion', 'at_risk', 'habit', 'advocacy']);
    for (const x of s.timeline) assert.ok(stageOrder.includes(x.stage));
    assert.deepEqual(s.timeline.slice(0, 4).map((x) => x.from - T0),
      [0, 4 * MINUTE, 14 * DAY + 7 * MINUTE, 14 * DAY + 10 * MINUTE]);
    await demo.screenshot('demo-advocacy');
  });

  await t.test('no request left the page\'s own assets', () => assertOwnAssetsOnly(requests, h.baseUrl));

  demo.assertNoErrors();
});

// The dismiss and call-to-action buttons of each experience change what the
// slots show, following the config's cool-downs, frequency caps,
// conversions and experiment holdouts.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CONFIG, DAY, MINUTE, T0, experience, ms, openDemo, pickUser } from './demo.mjs';
import { startHarness } from './harness.mjs';

let h;
before(async () => {
  h = await startHarness();
});
after(() => h?.close());

test('dismissing win_back hides it for its cool-down; the cap and a conversion hide it too', async () => {
  const winBack = experience('win_back');
  const cooldown = ms(winBack.cooldown_after_dismiss);
  const { max_impressions: maxImpressions, per } = winBack.frequency;
  assert.equal(cooldown, 7 * DAY, 'the steps below assume a 7-day cool-down');
  assert.equal(maxImpressions, 2);
  assert.equal(ms(per), 7 * DAY);

  const demo = await openDemo(h, { user: 'dismiss-1' });
  let s = await demo.state();
  assert.equal(s.slots.home.experience, 'setup_checklist');

  // A checklist without cool-down: dismissed for good.
  await demo.click('action-create-workspace'); // T0+1m
  await demo.click('home-dismiss');
  s = await demo.state();
  assert.equal(s.slots.home.experience, null);
  assert.equal(s.reasons.home.of.setup_checklist.result, 'dismissed');

  // 21 days later with no event since: at_risk (days_since_active >= 14, days_since_signup >= 21).
  await demo.travel('week', 2);
  s = await demo.state();
  assert.equal(s.stage, 'onboarding', 'days_since_signup is 14: not at risk yet');
  await demo.travel('week');
  s = await demo.state();
  assert.equal(s.stage, 'at_risk');
  assert.equal(s.slots.home.experience, 'win_back');

  const dismissedAt = s.now;
  assert.equal(dismissedAt, T0 + MINUTE + 21 * DAY);
  await demo.click('home-dismiss');
  s = await demo.state();
  assert.equal(s.slots.home.experience, null);
  assert.equal(s.reasons.home.of.win_back.result, 'cooling_down');
  assert.equal(Date.parse(s.reasons.home.of.win_back.until), dismissedAt + cooldown);

  await demo.travel('day', 6);
  s = await demo.state();
  assert.equal(s.stage, 'at_risk');
  assert.equal(s.slots.home.experience, null, 'still cooling down after 6 days');
  assert.equal(s.reasons.home.of.win_back.result, 'cooling_down');

  await demo.travel('day', 2); // shown again on day 7 (an impression) and day 8 (another one)
  s = await demo.state();
  assert.equal(s.slots.home.experience, 'win_back', 'back after the cool-down');

  // Impressions on day 7 and day 8: 2 per 7d is used up until day 7's leaves the window.
  await demo.travel('day');
  s = await demo.state();
  assert.equal(s.slots.home.experience, null);
  assert.equal(s.reasons.home.of.win_back.result, 'capped');
  assert.equal(Date.parse(s.reasons.home.of.win_back.until), dismissedAt + 7 * DAY + ms(per));

  await demo.travel('week');
  s = await demo.state();
  assert.equal(s.slots.home.experience, 'win_back');
  await demo.click('home-cta');
  s = await demo.state();
  assert.equal(s.slots.home.experience, null);
  assert.equal(s.reasons.home.of.win_back.result, 'converted');
  await demo.travel('week');
  s = await demo.state();
  assert.equal(s.stage, 'at_risk');
  assert.equal(s.slots.home.experience, null, 'a converted experience never comes back');
  assert.equal(s.reasons.home.of.win_back.result, 'converted');
  demo.assertNoErrors();
});

test('the automations nudge converts when the user opens automations from it', async () => {
  const nudge = experience('try_automations');
  const demo = await openDemo(h, { user: 'cta-1' });
  await demo.click('action-create-workspace');
  await demo.click('action-connect-integration');
  await demo.click('action-build-report');
  let s = await demo.state();
  assert.equal(s.stage, 'activation');
  assert.equal(s.slots.sidebar.experience, 'try_automations');
  assert.equal(s.signals.features_30d, 0);

  await demo.click('sidebar-cta');
  s = await demo.state();
  assert.equal(s.slots.sidebar.experience, null);
  assert.equal(s.reasons.sidebar.of.try_automations.result, 'converted');
  // The product opened the nudge's feature: one more distinct feature used.
  assert.equal(s.signals.features_30d, 1);
  assert.equal(s.activity[0], 'feature_used');
  assert.equal(nudge.content.feature, 'automations');
  demo.assertNoErrors();
});

test('a user in the holdout sees no upgrade prompt: the banner falls through', async () => {
  const upgrade = experience('upgrade_seats');
  const user = pickUser('holdout', upgrade.experiment, (v) => v.skip === true);
  const demo = await openDemo(h, { user: user.id });
  // expansion needs only premium_attempts >= 2; the default role, owner, is in the admin segment.
  await demo.click('action-premium', 2);
  const s = await demo.stateWithExposures(1);
  assert.equal(s.stage, 'expansion');
  assert.equal(s.slots.banner.experience, null);
  assert.equal(s.slots.banner.holdout, true);
  assert.equal(s.reasons.banner.holdout, true);
  assert.equal(s.reasons.banner.of.upgrade_seats.result, 'holdout');
  assert.equal(s.reasons.banner.of.upgrade_seats.variation, user.variation.id);
  // Falls through to the next experience of the slot, which is not for this stage.
  assert.equal(s.reasons.banner.of.referral_ask.result, 'when_failed');
  assert.deepEqual(s.exposures, [{ experiment: upgrade.experiment.key, variation: user.variation.id }]);
  assert.ok(CONFIG.experiences.filter((e) => e.slot === 'banner').length === 2);
  demo.assertNoErrors();
});

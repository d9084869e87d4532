// The page as a whole: it loads the wasm package (served as
// application/wasm), every control works, and neither the page nor the
// library makes any request except for the page's own files.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { DAY, HOUR, MINUTE, T0, WEEK, openDemo } from './demo.mjs';
import { ROOT, startHarness } from './harness.mjs';
import { assertOwnAssetsOnly, recordRequests } from './requests.mjs';

const cargoVersion = readFileSync(new URL('Cargo.toml', `file://${ROOT}`), 'utf8').match(/^version = "([^"]+)"/m)[1];

let h;
before(async () => {
  h = await startHarness();
});
after(() => h?.close());

test('the server sends the wasm module as application/wasm', async () => {
  const res = await fetch(new URL('pkg/onstage_bg.wasm', h.baseUrl));
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/wasm');
  const bytes = new Uint8Array(await res.arrayBuffer());
  assert.deepEqual([...bytes.subarray(0, 4)], [0x00, 0x61, 0x73, 0x6d]);
});

test('every control works, and no request leaves the page\'s own files', async () => {
  // Every request, seen twice: routed through the context, and as the page's request events.
  const routed = [];
  const seen = [];
  const demo = await openDemo(h, { user: 'page-1', beforeLoad: ({ context, page }) => {
    page.on('request', (req) => seen.push(req.url()));
    return recordRequests(context, routed);
  } });
  assert.equal((await demo.el('version').textContent()).trim(), cargoVersion);
  let s = await demo.state();
  assert.equal(s.now, T0);

  // Every product button tracks its event (newest first in the activity feed).
  const buttons = [
    ['action-create-workspace', 'workspace_created'],
    ['action-connect-integration', 'integration_connected'],
    ['action-build-report', 'report_created'],
    ['action-share-dashboard', 'dashboard_shared'],
    ['action-run-automation', 'automation_run'],
    ['action-use-feature', 'feature_used'],
    ['action-invite-teammate', 'teammate_invited'],
    ['action-call-api', 'api_call'],
    ['action-premium', 'premium_feature_blocked'],
    ['nps-10', 'nps_submitted'],
  ];
  for (const [button] of buttons) await demo.click(button);
  s = await demo.state();
  assert.deepEqual(s.activity, buttons.map(([, event]) => event).reverse().slice(0, s.activity.length));
  assert.equal(s.now, T0 + buttons.length * MINUTE, 'each action takes a simulated minute');
  assert.equal(s.signals.api_units_30d, 500);
  assert.equal(s.signals.api_usage_ratio, 500 / 10_000);

  // Pickers feed the props.
  await demo.select('provider-select', 'salesforce');
  await demo.click('action-connect-integration');
  await demo.select('feature-select', 'cohorts');
  await demo.click('action-use-feature');
  await demo.fill('api-units', 7_600);
  await demo.click('action-call-api');
  s = await demo.state();
  assert.equal(s.signals.integrations, 2);
  assert.equal(s.signals.features_30d, 2);
  // expansion: api_usage_ratio >= 0.8.
  assert.equal(s.signals.api_usage_ratio, 8_100 / 10_000);
  assert.equal(s.stage, 'expansion');

  // Identity: the API limit and the seats are entitlements.
  await demo.fill('identity-api-limit', 20_000);
  await demo.fill('identity-seats-licensed', 4);
  await demo.fill('identity-seats-active', 4);
  await demo.select('identity-plan', 'business');
  s = await demo.state();
  assert.equal(s.signals.api_usage_ratio, 8_100 / 20_000);
  assert.equal(s.signals.seat_utilization, 1);

  // Time travel.
  const start = s.now;
  await demo.travel('hour');
  await demo.travel('day');
  await demo.travel('week');
  s = await demo.state();
  assert.equal(s.now, start + HOUR + DAY + WEEK);
  const reportsBefore = s.signals.reports_7d;
  await demo.click('travel-typical-day');
  s = await demo.state();
  assert.equal(s.now, start + HOUR + DAY + WEEK + DAY, 'a typical day ends at the same time the next day');
  assert.equal(s.signals.reports_7d, reportsBefore + 2);
  assert.deepEqual(s.activity.slice(0, 5), ['report_created', 'feature_used', 'automation_run', 'dashboard_shared', 'report_created']);

  // The config editor round trip.
  await demo.click('config-apply');
  assert.equal(await demo.el('config-status').getAttribute('data-state'), 'applied');

  // Reset: a new user, from scratch, at the same simulated time.
  const oldUser = s.userId;
  await demo.click('reset');
  await demo.page.waitForFunction((old) => document.querySelector('[data-testid="user-id"]').textContent !== old, oldUser);
  s = await demo.state();
  assert.notEqual(s.userId, oldUser);
  assert.equal(s.stage, 'onboarding');
  assert.equal(s.signals.setup_steps, 0);
  assert.equal(s.signals.seat_utilization, 0.2, 'the account is a new sign-up again');
  assert.equal(await demo.el('identity-seats-licensed').inputValue(), '10');
  assert.deepEqual(s.timeline.map((x) => x.stage), ['onboarding']);
  assert.deepEqual(s.exposures, []);
  assert.deepEqual(s.activity, []);
  assert.equal(s.slots.home.experience, 'setup_checklist');
  assert.equal(s.stageSince, s.now);

  assertOwnAssetsOnly(routed, h.baseUrl);
  assertOwnAssetsOnly(seen, h.baseUrl);
  assert.equal(seen.length, routed.length);
  demo.assertNoErrors();
});

test('a reload resumes the same user where they were: history, stage timeline and simulated time', async () => {
  const demo = await openDemo(h, { user: 'reload-1' });
  await demo.click('action-create-workspace');
  await demo.click('action-connect-integration');
  await demo.click('action-build-report');
  await demo.travel('day');
  await demo.click('action-invite-teammate');
  const before = await demo.state();
  assert.equal(before.stage, 'activation');
  assert.equal(before.signals.invites, 1);
  // Give the package's debounced save a moment, as a user would before reloading.
  await demo.page.waitForTimeout(400);
  await demo.page.reload();
  await demo.page.waitForSelector('body[data-app-state="ready"]');
  const after = await demo.state();
  assert.equal(after.userId, 'reload-1');
  assert.equal(after.now, before.now, 'the simulated time resumes');
  assert.equal(after.stage, before.stage);
  assert.deepEqual(after.signals, before.signals);
  assert.deepEqual(after.timeline, before.timeline, 'the stage timeline comes back from the stored stage changes');
  assert.deepEqual(after.slots.home, before.slots.home);
  demo.assertNoErrors();
});

// Limits that hold in the browser: wasm memory stays flat over a
// simulated week of activity (and over many user switches), the stored
// state follows the config, and the cross-tab bookkeeping (one applied
// mark per tab, outboxes) stays bounded. Prints the memory series.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startHarness } from './harness.mjs';
import { inPage, OPEN, PAGE, secondTab, until } from './inpage.mjs';

let h;
before(async () => {
  h = await startHarness();
});
after(() => h?.close());

const DAY = 86_400_000;

test('200 events a day with decides: wasm memory grows only while the windows fill, then stays flat', async () => {
  const { page, errors } = await h.openPage(PAGE);
  const series = await inPage(page, `${OPEN}
    const names = ['report_created', 'dashboard_shared', 'feature_used', 'api_call', 'automation_run', 'teammate_invited',
                   'integration_connected', 'premium_feature_blocked', 'nps_submitted', 'workspace_created'];
    os.identify({ attributes: { id: 'p1', role: 'admin' }, entitlements: { seats_active: 8, seats_licensed: 10 } });
    const out = [];
    for (let day = 0; day < 120; day++) {
      for (let i = 0; i < 200; i++) {
        window.__now += ${DAY} / 200;
        os.track(names[(i * 7 + day) % names.length], { feature: 'f' + (i % 13), units: i % 5, provider: 'p' + (i % 3), audience: 'team', score: i % 11 });
        if (i % 10 === 0) {
          const d = os.decide('*', { reasons: true });
          for (const slot of Object.values(d)) if (slot.experience && i % 20 === 0) os.shown(slot.experience);
        }
      }
      os.flush();
      out.push({ day: day + 1, memory: onstage.memoryBytes(), state: os.state().bytes });
    }
    return out;
  `, { clock: true });
  console.log('wasm memory and stored state per simulated day (first week):', JSON.stringify(series.slice(0, 7)));
  console.log('days 8-120, every 7th:', JSON.stringify(series.filter((s) => s.day > 7 && s.day % 7 === 0)));
  // The first week: the windows (up to 30 days, nps_promoter 90) are filling; growth stays small.
  const week = series.slice(0, 7).map((s) => s.memory);
  assert.ok(week[6] - week[0] <= 512 * 1024, `the first week grew ${week[6] - week[0]} bytes: ${week}`);
  // Past the longest window (90 days) nothing grows any more: memory and stored state are flat.
  const settled = series.filter((s) => s.day >= 95);
  for (const { day, memory, state } of settled) {
    assert.ok(memory <= settled[0].memory, `day ${day}: ${memory} bytes of wasm memory, ${settled[0].memory} on day 95`);
    assert.ok(state <= settled[0].state * 1.05, `day ${day}: stored state ${state} bytes, ${settled[0].state} on day 95`);
  }
  assert.deepEqual(errors, []);
});

test('instances and users come and go without wasm memory growing', async () => {
  const { page, errors } = await h.openPage(PAGE);
  const series = await inPage(page, `${OPEN}
    const out = [];
    for (let round = 0; round < 10; round++) {
      for (let i = 0; i < 50; i++) {
        window.__now += 1000;
        os.switchUser('user-' + (i % 7));
        os.track('report_created');
        os.decide('*');
      }
      for (let i = 0; i < 20; i++) {
        const other = await onstage.init({ config, userId: 'tmp-' + i, storage: 'memory' });
        other.track('report_created');
        other.destroy();
      }
      out.push(onstage.memoryBytes());
    }
    return out;
  `, { clock: true });
  console.log('wasm memory after each round of 50 user switches and 20 instances:', JSON.stringify(series));
  assert.ok(series.every((m) => m <= series[0]), JSON.stringify(series));
  assert.deepEqual(errors, []);
});

test('cross-tab bookkeeping stays bounded: outbox and applied step ids', async () => {
  const { page: a, context, errors } = await h.openPage(PAGE);
  const { page: b, errors: bErrors } = await secondTab(h, context);
  await inPage(a, OPEN, { clock: true });
  await inPage(b, OPEN, { clock: true });
  // Tab A tracks 1,000 events over 10 simulated minutes, 10 per tick.
  for (let round = 0; round < 100; round++) {
    await inPage(a, `for (let i = 0; i < 10; i++) { window.__now += 600; os.track('teammate_invited'); }`);
    await inPage(b, `window.__now += 6000;`);
  }
  await until(async () => (await inPage(b, 'return os.evaluate().signals.invites;')) === 1000, 'tab B to see 1,000 invites', 10_000);
  const outbox = await inPage(a, `
    const keys = Object.keys(localStorage).filter((k) => k.includes(':tab:'));
    return keys.map((k) => JSON.parse(localStorage.getItem(k)).steps.length);
  `);
  assert.ok(outbox.every((n) => n <= 200), `outbox sizes ${outbox}`);
  // B remembers one mark per tab (the latest step of A it applied, and
  // its own), not one id per step: 1,000 steps of A are one entry.
  const applied = await inPage(b, `
    const before = JSON.parse(localStorage.getItem('onstage:v1:p1:state') ?? '{"applied":[]}').applied.length;
    os.flush();
    const now = JSON.parse(localStorage.getItem('onstage:v1:p1:state')).applied.length;
    window.__now += 5 * 60000;
    os.track('report_created');
    os.flush();
    const later = JSON.parse(localStorage.getItem('onstage:v1:p1:state')).applied.length;
    return { before, now, later };
  `);
  console.log('applied step ids stored by tab B:', JSON.stringify(applied));
  assert.equal(applied.now, 1, JSON.stringify(applied));
  assert.equal(applied.later, 2, JSON.stringify(applied));
  assert.deepEqual(errors, []);
  assert.deepEqual(bErrors, []);
});

// DESIGN: "Two tabs of the same app see each other's events without
// counting any twice". An outbox keeps the last 200 steps (OUTBOX_MAX): a
// burst of more than 200 steps in one tick is written every 200 steps, so
// the other tabs see every step.
test('a burst of 300 events in one tick reaches the other tab whole', async () => {
  const { page: a, context } = await h.openPage(PAGE);
  const { page: b } = await secondTab(h, context);
  await inPage(a, OPEN, { clock: true });
  await inPage(b, OPEN, { clock: true });
  await inPage(a, `for (let i = 0; i < 300; i++) os.track('teammate_invited');`);
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(await inPage(b, 'return os.evaluate().signals.invites;'), 300);
});

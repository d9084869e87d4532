// A trap in the engine (a bug: none should be reachable) does not leave a
// dead instance: the package instantiates the module afresh, rebuilds
// every live instance from its last saved state, reports an
// `engine_restarted` warning, and the call that trapped throws a coded
// `internal` Error. The trap is forced through the instance's test hook,
// inside a call, as a bug would hit it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startHarness } from './harness.mjs';
import { inPage, PAGE } from './inpage.mjs';

let h;
before(async () => {
  h = await startHarness();
});
after(() => h?.close());

test('a trap rebuilds every instance from its last saved state and reports it', async () => {
  const { page, errors } = await h.openPage(PAGE);
  const result = await inPage(
    page,
    `
    window.__now = 1772000000000;
    const warnings = { a: [], b: [] };
    const open = (user, list) => onstage.init({
      config, userId: user, tzOffsetMinutes: 0, now: () => window.__now,
      attributes: { id: user, role: 'admin' },
      onWarning: (w) => list.push(w),
    });
    const a = await open('trap-a', warnings.a);
    const b = await open('trap-b', warnings.b);
    const tick = () => { window.__now += 60000; };
    for (const e of ['workspace_created', 'integration_connected', 'report_created']) { tick(); a.track(e, { provider: 'slack' }); }
    tick(); b.track('teammate_invited');
    a.flush(); b.flush();
    const saved = { a: a.evaluate().signals, b: b.evaluate().signals };
    // Not saved yet when the trap comes: lost with it.
    tick(); a.track('teammate_invited');
    let thrown = null;
    try {
      a.__forceTrapForTests();
    } catch (err) {
      thrown = { code: err.code, isError: err instanceof Error, message: err.message };
    }
    // Both instances work again, from what was saved.
    tick();
    const after = { a: a.evaluate().signals, b: b.evaluate().signals };
    a.track('dashboard_shared', { audience: 'team' });
    b.track('teammate_invited');
    const decided = a.decide('*');
    const later = { a: a.evaluate().signals, b: b.evaluate().signals };
    a.destroy(); b.destroy();
    return {
      saved, thrown, after, later,
      decided: Object.keys(decided),
      warnings: { a: warnings.a.map((w) => [w.code, w.severity]), b: warnings.b.map((w) => [w.code, w.severity]) },
    };
  `,
  );
  assert.equal(result.thrown?.code, 'internal');
  assert.ok(result.thrown.isError);
  assert.match(result.thrown.message, /rebuilt from the last saved state/);
  assert.deepEqual(result.warnings.a, [['engine_restarted', 'error']]);
  assert.deepEqual(result.warnings.b, [['engine_restarted', 'error']]);
  // What was saved came back; the step after the save is gone.
  assert.equal(result.saved.a.invites, 0);
  assert.equal(result.after.a.setup_steps, result.saved.a.setup_steps);
  assert.equal(result.after.a.invites, 0, 'the unsaved invite was lost with the trap');
  assert.equal(result.after.b.invites, 1);
  // And steps go on being recorded.
  assert.equal(result.later.b.invites, 2);
  assert.equal(result.later.a.shares_30d, 1);
  assert.deepEqual(result.decided, ['home', 'sidebar', 'banner']);
  assert.deepEqual(errors, []);
});

test('a trap in a timer is recovered without an exception reaching the page', async () => {
  const { page, errors } = await h.openPage(PAGE);
  const result = await inPage(
    page,
    `
    const warnings = [];
    const os = await onstage.init({ config, userId: 'trap-timer', onWarning: (w) => warnings.push(w.code) });
    os.track('workspace_created');
    os.flush();
    // The next save runs from a timer: make that call trap once.
    const flush = Object.getPrototypeOf(os).flush;
    let once = true;
    os.track('report_created');
    os.flush = function () { if (once) { once = false; return this.__forceTrapForTests(); } return flush.call(this); };
    await new Promise((r) => setTimeout(r, 400));
    delete os.flush;
    const signals = os.evaluate().signals;
    os.destroy();
    return { warnings, setup: signals.setup_steps };
  `,
  );
  assert.deepEqual(result.warnings, ['engine_restarted']);
  assert.equal(result.setup, 1, 'rebuilt from the saved state');
  assert.deepEqual(errors, []);
});

// The OpenFeature provider with the real @openfeature/web-sdk and its React
// hooks (@openfeature/react-sdk), on the example app's openfeature.html
// page (built by Vite from the packed tarball), in Chromium: flag keys are
// slots, strings are experience ids, objects their content, variant the
// variation, reasons DEFAULT / TARGETING_MATCH / SPLIT / HOLDOUT, metadata
// the stage; a context change identifies, the SDK's track tracks, and a
// changed decision re-renders the hooks.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startHarness } from '../e2e/harness.mjs';
import { until } from '../e2e/inpage.mjs';

const DIST = fileURLToPath(new URL('../../examples/react-vite/dist/', import.meta.url));

const read = (page) =>
  page.evaluate(() => {
    const el = (id) => document.querySelector(`[data-testid="${id}"]`);
    const banner = el('of-banner');
    const home = el('of-home');
    return {
      banner: banner && { value: banner.dataset.value, variant: banner.dataset.variant, reason: banner.dataset.reason, stage: banner.dataset.stage, text: banner.textContent },
      home: home && { value: home.dataset.value, reason: home.dataset.reason },
      analytics: [...(window.__analytics ?? [])],
    };
  });

describe('OpenFeature', { skip: !existsSync(`${DIST}openfeature.html`) && 'not built: run bash scripts/examples.sh' }, () => {
  let h;
  before(async () => {
    h = await startHarness({ root: DIST, pkg: null });
  });
  after(() => h?.close());

  test('the React hooks read slots; track and a context change re-render them', async () => {
    const { page, errors } = await h.openPage('/openfeature.html?user=sam');
    await until(async () => (await read(page)).home?.value === 'setup_checklist', 'the provider ready');
    let s = await read(page);
    assert.deepEqual(s.home, { value: 'setup_checklist', reason: 'TARGETING_MATCH' });
    assert.deepEqual(s.banner, { value: 'none', variant: '', reason: 'DEFAULT', stage: 'onboarding', text: 'No message' });

    // A context change (nine seats of ten used) identifies: expansion, and sam's variation.
    await page.click('[data-testid="of-seats"]');
    await until(async () => (await read(page)).banner.value === 'upgrade_seats', 'the hooks re-rendered');
    s = await read(page);
    assert.deepEqual(s.banner, { value: 'upgrade_seats', variant: 'roi', reason: 'SPLIT', stage: 'expansion', text: 'Teams like yours save 6 hours a week' });
    await until(async () => (await read(page)).analytics.length === 1, 'the exposure');
    assert.deepEqual((await read(page)).analytics, [{ experiment: 'upgrade-copy-2026q4', variation: 'roi' }]);
    assert.deepEqual(errors, []);
  });

  test("the SDK's track reaches onstage; a held-out user gets HOLDOUT", async () => {
    const { page, errors } = await h.openPage('/openfeature.html?user=ada');
    await until(async () => (await read(page)).home?.value === 'setup_checklist', 'the provider ready');
    const content = await page.evaluate(() => window.__openfeature.OpenFeature.getClient().getObjectValue('home', {}));
    assert.deepEqual(content, { title: 'Get set up in three steps' }, 'an object evaluation is the content');
    // Two premium attempts put the admin in expansion; ada is in the experiment's holdout.
    await page.click('[data-testid="of-blocked"]');
    await page.click('[data-testid="of-blocked"]');
    await until(async () => (await read(page)).banner.reason === 'HOLDOUT', 'the banner re-rendered');
    const s = await read(page);
    assert.deepEqual(s.banner, { value: 'none', variant: '', reason: 'HOLDOUT', stage: 'expansion', text: 'No message' });
    const counted = await page.evaluate(() => window.__openfeature.provider.onstage.evaluate().signals.premium_attempts);
    assert.equal(counted, 2);
    // Unknown slots and other types are errors OpenFeature reports with the default value.
    const details = await page.evaluate(() => {
      const client = window.__openfeature.OpenFeature.getClient();
      const pick = ({ value, errorCode, reason }) => ({ value, errorCode, reason });
      return { missing: pick(client.getStringDetails('footer', 'x')), bool: pick(client.getBooleanDetails('home', false)), object: client.getObjectValue('home', { none: true }) };
    });
    assert.deepEqual(details.missing, { value: 'x', errorCode: 'FLAG_NOT_FOUND', reason: 'ERROR' });
    assert.deepEqual(details.bool, { value: false, errorCode: 'TYPE_MISMATCH', reason: 'ERROR' });
    assert.deepEqual(details.object, { none: true }, 'in expansion home shows nothing: the default');
    assert.deepEqual(errors, []);
  });
});

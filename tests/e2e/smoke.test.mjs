// The smoke page loads the wasm package and shows the library version.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { ROOT, startHarness } from './harness.mjs';

const cargoVersion = readFileSync(new URL('Cargo.toml', `file://${ROOT}`), 'utf8').match(/^version = "([^"]+)"/m)[1];

let h;
before(async () => {
  h = await startHarness();
});
after(() => h?.close());

test('the page loads the wasm package and shows the version', async () => {
  const { page, errors, screenshot } = await h.openPage('/');
  await page.waitForSelector('#status[data-state="ready"], #status[data-state="error"]', { timeout: 15_000 });
  assert.equal(await page.locator('#status').getAttribute('data-state'), 'ready', await page.locator('#status').textContent());
  assert.equal((await page.locator('#version').textContent()).trim(), cargoVersion);
  await screenshot('smoke');
  assert.deepEqual(errors, [], 'no console errors, uncaught exceptions or failed requests');
});

test('the server sends the wasm module as application/wasm', async () => {
  const res = await fetch(new URL('pkg/onstage_bg.wasm', h.baseUrl));
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/wasm');
  const bytes = new Uint8Array(await res.arrayBuffer());
  assert.deepEqual([...bytes.subarray(0, 4)], [0x00, 0x61, 0x73, 0x6d]);
});

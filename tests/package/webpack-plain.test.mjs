// The plain-JS page of examples/webpack-plain, from the packed tarball,
// in Chromium: bundled by webpack 5 (dist/), and unbundled with an import
// map (dist/plain/). Each loads the wasm the package locates, decides, and
// counts an event. (npm test's package layer builds both first.)
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startHarness } from '../e2e/harness.mjs';
import { until } from '../e2e/inpage.mjs';

const DIST = fileURLToPath(new URL('../../examples/webpack-plain/dist/', import.meta.url));

for (const [name, path] of [['webpack 5', ''], ['no bundler (import map)', 'plain/']]) {
  describe(name, { skip: !existsSync(`${DIST}${path}index.html`) && 'not built: run bash scripts/examples.sh' }, () => {
    let h;
    before(async () => {
      h = await startHarness({ root: `${DIST}${path}`, pkg: null });
    });
    after(() => h?.close());

    test('loads the wasm, decides and counts an event', async () => {
      const { page, errors } = await h.openPage('/?user=wes');
      const wasm = [];
      page.on('response', (r) => r.url().endsWith('.wasm') && wasm.push(r.headers()['content-type']));
      await page.waitForSelector('body[data-ready="true"]');
      const read = () =>
        page.evaluate(() => ({
          home: document.querySelector('#home').dataset.experience,
          items: document.querySelectorAll('#home li').length,
          banner: document.querySelector('#banner').textContent,
          invites: document.querySelector('#invites').textContent,
        }));
      assert.deepEqual(await read(), { home: 'setup_checklist', items: 4, banner: 'No message', invites: '0' });
      await page.click('#invite');
      await until(async () => (await read()).invites === '1', 'the invite counted');
      const resources = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname));
      assert.ok(resources.some((p) => p.endsWith('.wasm')), `the wasm was fetched: ${resources}`);
      assert.deepEqual(errors, []);
    });
  });
}

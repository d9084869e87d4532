// The example app under Vite's dev server (not only its build), with the
// one line README's Install section documents (optimizeDeps.exclude): the
// wasm is served from the package and the slots render (the app gives a
// raw config: the compiler's module is served too).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROME_ARGS, findChrome } from '../e2e/harness.mjs';
import { until } from '../e2e/inpage.mjs';

const APP = fileURLToPath(new URL('../../examples/react-vite/', import.meta.url));
const VITE = `${APP}node_modules/vite/dist/node/index.js`;

let server;
let browser;
before(async () => {
  if (!existsSync(VITE)) return;
  const { createServer } = await import(VITE);
  server = await createServer({ root: APP, configFile: `${APP}vite.config.js`, logLevel: 'error', server: { port: 0, host: '127.0.0.1' } });
  await server.listen();
  browser = await chromium.launch({ executablePath: findChrome(), args: CHROME_ARGS, headless: true });
});
after(async () => {
  await browser?.close();
  await server?.close();
});

test('vite dev serves the app and its wasm', { skip: !existsSync(VITE) && 'examples/react-vite is not installed' }, async () => {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.goto(`${server.resolvedUrls.local[0]}?user=vdev`);
  await until(async () => (await page.getAttribute('[data-testid="home"]', 'data-experience').catch(() => null)) === 'setup_checklist', 'the checklist in dev', 20_000);
  const wasm = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name).filter((n) => n.endsWith('.wasm')));
  // The app gives a raw config: the page's module and the compiler's, each
  // served from the package (the compiler through its dynamic import).
  assert.equal(wasm.length, 2, wasm.join(', '));
  assert.ok(wasm.some((n) => /node_modules\/onstage\/dist\/onstage_bg\.wasm/.test(n)), wasm.join(', '));
  assert.ok(wasm.some((n) => /node_modules\/onstage\/dist\/onstage_compiler_bg\.wasm/.test(n)), wasm.join(', '));
  assert.deepEqual(errors, []);
});

// End-to-end harness: the static server (scripts/serve.mjs) on a free port
// and headless Chromium driven by playwright-core. Uses the Chromium found
// at $CHROME_PATH, else `chromium` (or Chrome) on PATH; never downloads one.
//
//   import { before, after, test } from 'node:test';
//   import { startHarness } from './harness.mjs';
//   let h;
//   before(async () => { h = await startHarness(); });
//   after(() => h?.close());
//   test('...', async () => {
//     const { page, errors, screenshot } = await h.openPage('/');
//     ...
//     await screenshot('name');   // test-artifacts/name.png
//   });
//
// The wasm package must be built first (npm run build; npm test does it).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { DIST, startServer } from '../../scripts/serve.mjs';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const ARTIFACTS = join(ROOT, 'test-artifacts');

// --disable-background-networking and friends: Chromium must not try to
// reach the internet (this machine's closed network refuses it, and a test
// should not depend on it anyway).
export const CHROME_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The Chromium executable: $CHROME_PATH, else the first one on PATH. */
export function findChrome() {
  if (process.env.CHROME_PATH) return process.env.CHROME_PATH;
  for (const name of ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable']) {
    try {
      return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
    } catch {
      // not on PATH: try the next name
    }
  }
  throw new Error('Chromium not found: install it (Debian: apt-get install chromium) or set CHROME_PATH.');
}

/** Writes a PNG of the page to test-artifacts/<name>.png; returns its path. */
export async function screenshot(page, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name.replace(/[^\w.-]+/g, '_')}.png`);
  await page.screenshot({ path, fullPage: true, animations: 'disabled' });
  return path;
}

/**
 * Starts the server and the browser. Resolves to
 * { baseUrl, browser, openPage(path), close() }. `serverOptions` go to
 * startServer (default: www/ with dist/ as /pkg/; the package tests serve
 * an example app's build instead).
 */
export async function startHarness(serverOptions = {}) {
  if (!serverOptions.root && !existsSync(join(DIST, 'onstage_bg.wasm'))) {
    throw new Error('dist/ is not built: run `npm run build` first (npm test does).');
  }
  const server = await startServer({ port: 0, ...serverOptions });
  let browser;
  try {
    browser = await chromium.launch({ executablePath: findChrome(), args: CHROME_ARGS, headless: true, timeout: 60_000 });
  } catch (err) {
    await server.close();
    throw err;
  }
  const contexts = new Set();

  /**
   * Opens `path` in a fresh browser context (its own storage) and resolves
   * to { page, context, errors, screenshot(name) } once the page has loaded.
   * `errors` collects console errors, uncaught exceptions, failed requests
   * and HTTP error responses, as strings, from the moment the page opens.
   * Options: `contextOptions` for browser.newContext (viewport, timezoneId,
   * ...), and `beforeLoad({page, context})`, run before the page is
   * navigated (to install a fake clock or route requests).
   */
  async function openPage(path = '/', { contextOptions, beforeLoad } = {}) {
    const context = await browser.newContext(contextOptions);
    contexts.add(context);
    const page = await context.newPage();
    const errors = [];
    page.on('console', (msg) => {
      if (msg.type() === 'error') errors.push(`console.error: ${msg.text()}`);
    });
    page.on('pageerror', (err) => errors.push(`uncaught: ${err.message}`));
    page.on('requestfailed', (req) => errors.push(`request failed: ${req.url()} (${req.failure()?.errorText})`));
    page.on('response', (res) => {
      if (res.status() >= 400) errors.push(`HTTP ${res.status()}: ${res.url()}`);
    });
    await beforeLoad?.({ page, context });
    await page.goto(new URL(path, server.url).href, { waitUntil: 'load' });
    return { page, context, errors, screenshot: (name) => screenshot(page, name) };
  }

  async function close() {
    for (const context of contexts) await context.close().catch(() => {});
    await browser.close().catch(() => {});
    await server.close();
  }

  return { baseUrl: server.url, browser, openPage, close };
}

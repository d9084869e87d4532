// Helpers for the package's e2e tests: run code in the bare page with the
// package loaded.
import assert from 'node:assert/strict';

/** The bare page of the origin: the tests drive the package themselves. */
export const PAGE = '/bare.html';

/**
 * Runs `body` (the text of an async function body) in the page with
 * `onstage` (the package), `config` (saas.json) and `arg` in scope.
 * `window.__warnings` collects warnings of instances opened with OPEN.
 */
export function inPage(page, body, arg) {
  return page.evaluate(
    async ({ body, arg }) => {
      const onstage = await import('/pkg/index.js');
      const config = await (await fetch('/saas.json')).json();
      window.__warnings ??= [];
      const fn = new Function('onstage', 'config', 'arg', `return (async () => { ${body} })();`);
      return fn(onstage, config, arg);
    },
    { body, arg },
  );
}

/** Opens `window.os` for user `arg.user` (default p1), with a settable clock `window.__now` when `arg.clock`. */
export const OPEN = `
  if (arg?.clock && window.__now === undefined) window.__now = 1772000000000;
  window.os = await onstage.init({
    config, userId: arg?.user ?? 'p1', tzOffsetMinutes: 60,
    ...(arg?.clock ? { now: () => window.__now } : {}),
    onWarning: (w) => window.__warnings.push(w.code),
  });
`;

export async function until(fn, what, timeout = 3000) {
  const start = Date.now();
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() - start > timeout) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Opens a second page of the same context (a second tab of the origin). */
export async function secondTab(h, context) {
  const b = await context.newPage();
  const errors = [];
  b.on('pageerror', (err) => errors.push(`uncaught: ${err.message}`));
  b.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console.error: ${msg.text()}`);
  });
  await b.goto(new URL(PAGE, h.baseUrl).href);
  return { page: b, errors };
}

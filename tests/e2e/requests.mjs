// Records every request a page makes and checks that each one is for one
// of the demo's own files on the test server (the library and the page
// must make no other request).
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { DIST, WWW } from '../../scripts/serve.mjs';

/** Routes every request of `context` through a recorder that lets it continue. */
export async function recordRequests(context, list) {
  await context.route('**', (route) => {
    list.push(route.request().url());
    return route.continue();
  });
}

/** URL paths of the files under www/ and, as /pkg/, dist/ (the page's own assets), plus "/". */
export function ownAssets() {
  const paths = new Set(['/']);
  const walk = (dir, root, prefix) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full, root, prefix);
      else paths.add(`${prefix}/${relative(root, full).split(sep).join('/')}`);
    }
  };
  walk(WWW, WWW, '');
  walk(DIST, DIST, '/pkg');
  return paths;
}

export function assertOwnAssetsOnly(requests, baseUrl) {
  const origin = new URL(baseUrl).origin;
  const assets = ownAssets();
  assert.ok(requests.length > 0, 'requests were recorded');
  for (const url of requests) {
    const u = new URL(url);
    assert.equal(u.origin, origin, `request to another origin: ${url}`);
    assert.ok(assets.has(u.pathname), `request for something that is not one of the page's files: ${url}`);
  }
  const paths = new Set(requests.map((url) => new URL(url).pathname));
  for (const needed of ['/app.js', '/style.css', '/acme.json', '/pkg/index.js', '/pkg/onstage_bg.wasm']) {
    assert.ok(paths.has(needed), `the page loads ${needed}`);
  }
}

// Cold start: navigation → first decision, onstage beside GrowthBook and an
// empty page, measured the same way (scripts/bench.mjs runs it).
//
// Every page is a small HTML file with one inline module script that marks
// `cold:start`, imports its library with a dynamic import (served by the
// same server, with the same cache headers), does its work and marks
// `cold:decided`:
//   empty          imports an empty module: the floor of any page
//   growthbook     import + `new GrowthBook` + the 20 conditions on the
//                  precomputed document (signals, segments, stage inline)
//   onstage_plain  import + `init` (the config's compiled plan inline, as
//                  text, a 1,000-event user in localStorage) +
//                  `decide('*')`, no hints in the HTML
//   onstage        the same, as docs/browser.md recommends: a
//                  `<link rel=modulepreload>` for the package and a
//                  `<link rel=preload as=fetch>` for its wasm
// GrowthBook's and the empty page get the same modulepreload hint as
// `onstage`, so that hints favour nobody.
//
// Each repetition opens a fresh browser profile (its own HTTP cache and
// code cache on disk) per page and visits it three times in new tabs:
//   visit 1  first visit: nothing cached                      → `first`
//   visit 2  a returning user's earlier visit (stays 2.5 s so that the
//            browser may keep its compiled code), not measured
//   visit 3  returning user: HTTP cache fresh (max-age), code caches
//            as the browser kept them                          → `returning`
// The stored state is written into localStorage before every visit (an
// init script), so both visits restore the same 1,000-event user.
//
// The breakdown comes from inside the page: Resource Timing (when each
// file was requested and its last byte arrived), the page's marks, and
// the package's own User Timing measures (`onstage:wasm`,
// `onstage:config`, `onstage:restore`, `onstage:init`). All times are ms
// from the navigation's start (performance.timeOrigin).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';

export const COLD_KINDS = ['empty', 'growthbook', 'onstage_plain', 'onstage'];

/** How long the unmeasured second visit stays open (ms). */
const DWELL_MS = 2500;

function page(title, head, body) {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${title}</title>
<link rel="icon" href="data:,">
${head}</head>
<body>
<script type="module">
performance.mark('cold:start');
try {
${body}
} catch (err) {
  window.__error = String(err?.stack ?? err);
}
</script>
</body>
</html>
`;
}

/**
 * Writes the cold-start pages into `site` (beside pkg/ and vendor/).
 * `planText`: the config's compiled plan (what a page ships: the page's
 * module reads it, the compiler module is never loaded); `user`: {userId, now, attributes,
 * entitlements}; `conditions`: GrowthBook's list; `doc`: its document.
 */
export function writeColdPages(site, { planText, user, conditions, doc }) {
  writeFileSync(join(site, 'cold-empty.js'), 'export const empty = true;\n');
  writeFileSync(
    join(site, 'cold-empty.html'),
    page(
      'cold start: empty page',
      '<link rel="modulepreload" href="./cold-empty.js">\n',
      `const { empty } = await import('./cold-empty.js');
performance.mark('cold:imported');
performance.mark('cold:decided');
window.__cold = { empty };`,
    ),
  );
  writeFileSync(
    join(site, 'cold-growthbook.html'),
    page(
      'cold start: GrowthBook',
      '<link rel="modulepreload" href="./vendor/growthbook.esm.min.js">\n',
      `const DOC = ${JSON.stringify(doc)};
const CONDITIONS = ${JSON.stringify(conditions)};
const { GrowthBook, evalCondition } = await import('./vendor/growthbook.esm.min.js');
performance.mark('cold:imported');
const gb = new GrowthBook({ attributes: DOC });
const attributes = gb.getAttributes();
let held = 0;
for (const c of CONDITIONS) if (evalCondition(attributes, c, {})) held++;
performance.mark('cold:decided');
window.__cold = { held };`,
    ),
  );
  const onstageBody = `const CONFIG = ${JSON.stringify(planText)};
const { init } = await import('./pkg/index.js');
performance.mark('cold:imported');
const warnings = [];
const onstage = await init({
  config: CONFIG,
  userId: ${JSON.stringify(user.userId)},
  now: () => ${user.now},
  tzOffsetMinutes: 0,
  attributes: ${JSON.stringify(user.attributes)},
  entitlements: ${JSON.stringify(user.entitlements)},
  onWarning: (w) => warnings.push(w),
});
performance.mark('cold:inited');
const decision = onstage.decide('*');
performance.mark('cold:decided');
window.__cold = {
  decision: Object.fromEntries(Object.entries(decision).map(([slot, d]) => [slot, d.experience])),
  warnings,
};`;
  writeFileSync(join(site, 'cold-onstage_plain.html'), page('cold start: onstage, no hints', '', onstageBody));
  writeFileSync(
    join(site, 'cold-onstage.html'),
    page(
      'cold start: onstage',
      '<link rel="modulepreload" href="./pkg/index.js">\n<link rel="preload" href="./pkg/onstage_bg.wasm" as="fetch" type="application/wasm" crossorigin>\n',
      onstageBody,
    ),
  );
}

/** What the page knows about its own start, read once `__cold` is set. */
function readTimeline() {
  const nav = performance.getEntriesByType('navigation')[0];
  return {
    cross_origin_isolated: globalThis.crossOriginIsolated === true,
    nav: { responseEnd: nav?.responseEnd ?? null, domInteractive: nav?.domInteractive ?? null },
    marks: Object.fromEntries(performance.getEntriesByType('mark').map((m) => [m.name, m.startTime])),
    measures: Object.fromEntries(performance.getEntriesByType('measure').map((m) => [m.name, { start: m.startTime, duration: m.duration }])),
    resources: performance.getEntriesByType('resource').map((r) => ({
      path: new URL(r.name).pathname,
      initiator: r.initiatorType,
      start: r.startTime,
      responseEnd: r.responseEnd,
      transferSize: r.transferSize,
      bodySize: r.encodedBodySize,
    })),
  };
}

/** One run's phases (ms) from its timeline; null where a phase does not apply. */
export function phasesOf(kind, t) {
  const m = t.marks;
  const res = (suffix) => t.resources.find((r) => r.path.endsWith(suffix)) ?? null;
  const js = res(kind === 'empty' ? '/cold-empty.js' : kind === 'growthbook' ? '/growthbook.esm.min.js' : '/pkg/index.js');
  const out = {
    total: m['cold:decided'],
    after_html: m['cold:decided'] - t.nav.responseEnd,
    html: m['cold:start'],
    from_script: m['cold:decided'] - m['cold:start'],
    js_fetch: js ? js.responseEnd - js.start : null,
    js_bytes_transferred: js ? js.transferSize : null,
    import: m['cold:imported'] - m['cold:start'],
  };
  if (kind === 'growthbook') out.evaluate = m['cold:decided'] - m['cold:imported'];
  if (kind.startsWith('onstage')) {
    const wasm = res('/onstage_bg.wasm');
    const load = t.measures['onstage:wasm'];
    const init = t.measures['onstage:init'];
    const config = t.measures['onstage:config'];
    const restore = t.measures['onstage:restore'];
    out.wasm_requested = wasm ? wasm.start - m['cold:start'] : null;
    out.wasm_fetch = wasm ? wasm.responseEnd - wasm.start : null;
    out.wasm_bytes_transferred = wasm ? wasm.transferSize : null;
    // load() = the wait for the wasm's last byte, then compile + instantiate.
    out.wasm_load = load ? load.duration : null;
    out.wasm_compile = load && wasm ? load.start + load.duration - Math.max(wasm.responseEnd, load.start) : null;
    out.config = config ? config.duration : null;
    out.restore = restore ? restore.duration : null;
    out.init = init ? init.duration : null;
    out.init_other = init && config && restore ? init.duration - config.duration - restore.duration : null;
    out.decide = m['cold:decided'] - m['cold:inited'];
  }
  return out;
}

/**
 * Runs the cold starts: `runs` repetitions of every kind (order rotated),
 * each in a fresh profile. `launch(userDataDir)` opens a persistent browser
 * context; `url(path)` makes a page's address; `storage` {key, value} is
 * written into localStorage before every visit. `check(kind, cold)` throws
 * when a page's result is wrong. Returns {runs: {kind: {first: [...],
 * returning: [...]}}} with each run's phases and timeline.
 */
export async function runColdStarts({ launch, url, storage, runs, check, say = () => {} }) {
  const out = Object.fromEntries(COLD_KINDS.map((k) => [k, { first: [], returning: [] }]));
  // Repetition 0 warms the machine (disk, Chromium's own start-up): not counted.
  for (let i = 0; i <= runs; i++) {
    const order = COLD_KINDS.map((_, j) => COLD_KINDS[(i + j) % COLD_KINDS.length]);
    for (const kind of order) {
      const dir = mkdtempSync(join(os.tmpdir(), 'onstage-cold-'));
      const context = await launch(dir);
      try {
        await context.addInitScript(({ key, value }) => {
          try {
            localStorage.setItem(key, value);
          } catch {
            // not an origin with storage (about:blank)
          }
        }, storage);
        // The profile's own start-up settles before the first visit.
        const blank = context.pages()[0] ?? (await context.newPage());
        await blank.goto('about:blank');
        await new Promise((r) => setTimeout(r, 200));
        const visits = [];
        for (let visit = 1; visit <= 3; visit++) {
          const tab = await context.newPage();
          const errors = [];
          tab.on('pageerror', (err) => errors.push(`uncaught: ${err.message}`));
          tab.on('console', (msg) => msg.type() === 'error' && errors.push(msg.text()));
          tab.on('response', (res) => res.status() >= 400 && errors.push(`HTTP ${res.status()}: ${res.url()}`));
          await tab.goto(url(`/cold-${kind}.html`), { waitUntil: 'load' });
          const handle = await tab.waitForFunction(() => window.__cold ?? window.__error, null, { timeout: 60_000, polling: 20 });
          const cold = await handle.jsonValue();
          if (typeof cold === 'string') throw new Error(`cold-${kind}.html: ${cold}`);
          if (errors.length) throw new Error(`cold-${kind}.html: ${errors.join('\n')}`);
          check(kind, cold);
          const timeline = await tab.evaluate(readTimeline);
          if (visit === 2) await new Promise((r) => setTimeout(r, DWELL_MS));
          await tab.close();
          visits.push({ ...phasesOf(kind, timeline), timeline });
        }
        if (i > 0) {
          out[kind].first.push(visits[0]);
          out[kind].returning.push(visits[2]);
        }
      } finally {
        await context.close().catch(() => {});
        rmSync(dir, { recursive: true, force: true });
      }
    }
    if (i > 0 && (i % 5 === 0 || i === runs)) say(`cold starts: ${i}/${runs}`);
  }
  return out;
}

function quantiles(values) {
  const s = values.filter((v) => typeof v === 'number' && Number.isFinite(v)).sort((a, b) => a - b);
  if (s.length === 0) return null;
  const q = (p) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))];
  return { median_ms: q(0.5), p95_ms: q(0.95), min_ms: s[0], max_ms: s[s.length - 1] };
}

/** Median / p95 of every phase, per kind and visit. */
export function summarizeColdStarts(runs) {
  const out = {};
  for (const [kind, visits] of Object.entries(runs)) {
    out[kind] = {};
    for (const [visit, list] of Object.entries(visits)) {
      const phases = {};
      for (const key of Object.keys(list[0] ?? {})) {
        if (key === 'timeline') continue;
        const q = quantiles(list.map((r) => r[key]));
        if (q) phases[key] = q;
      }
      out[kind][visit] = { runs: list.length, ...phases };
    }
  }
  return out;
}

// Drives the demo page (www/) for the end-to-end tests: opens it with a
// fixed clock, clicks by data-testid, and reads what the page shows (stage,
// signals, slots, reasons, timeline) in one round trip.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './harness.mjs';

/** The reference config (www/saas.json is a byte-identical copy). */
export const CONFIG = JSON.parse(readFileSync(join(ROOT, '..', 'shared', 'examples', 'saas.json'), 'utf8'));

/** The config the demo runs: the reference config plus its tour (tests/demo_config_copy.rs checks that). */
export const DEMO_CONFIG = JSON.parse(readFileSync(join(ROOT, 'www', 'acme.json'), 'utf8'));

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
export const WEEK = 7 * DAY;

/**
 * The simulated start: a Wednesday at noon UTC, so that every day the
 * tests jump to by whole days and weeks stays mid-week in the same local
 * week, whatever the time zone.
 */
export const T0 = Date.parse('2026-01-07T12:00:00Z');

/** A config duration ("7d") in milliseconds. */
export function ms(duration) {
  const m = /^(\d+)([mhdw])$/.exec(duration);
  assert.ok(m, `bad duration ${duration}`);
  return Number(m[1]) * { m: MINUTE, h: HOUR, d: DAY, w: WEEK }[m[2]];
}

export function experience(id) {
  const e = CONFIG.experiences.find((x) => x.id === id);
  assert.ok(e, `no experience ${id} in saas.json`);
  return e;
}

// GrowthBook's hashing (FNV-1a 32-bit, hash versions 1 and 2) and bucket
// ranges, to know from the config alone which variation a user gets.
function fnv1a32(str) {
  let h = 0x811c9dc5;
  for (let i = 0; i < str.length; i++) {
    h ^= str.charCodeAt(i);
    h += (h << 1) + (h << 4) + (h << 7) + (h << 8) + (h << 24);
  }
  return h >>> 0;
}

function gbHash(seed, value, version) {
  return version === 2 ? (fnv1a32(String(fnv1a32(seed + value))) % 10000) / 10000 : (fnv1a32(value + seed) % 1000) / 1000;
}

/** The variation (from the config) a user with attribute `hashValue` is assigned, or null. */
export function assignVariation(experiment, hashValue) {
  const n = gbHash(experiment.key, hashValue, experiment.hash_version ?? 1);
  const coverage = experiment.coverage ?? 1;
  let start = 0;
  for (const v of experiment.variations) {
    const w = v.weight ?? 1 / experiment.variations.length;
    if (n >= start && n < start + coverage * w) return v;
    start += w;
  }
  return null;
}

/** The first user id `${prefix}-N` whose variation of `experiment` satisfies `want`. */
export function pickUser(prefix, experiment, want) {
  for (let i = 0; i < 1000; i++) {
    const id = `${prefix}-${i}`;
    const v = assignVariation(experiment, id);
    if (v && want(v)) return { id, variation: v };
  }
  throw new Error('no such user');
}

/**
 * Opens the demo for `user` at simulated time `t0` (the browser's clock is
 * fixed there; the page's own time-travel offset does the rest).
 */
export async function openDemo(h, { user, t0 = T0, beforeLoad } = {}) {
  const opened = await h.openPage(`/?user=${encodeURIComponent(user)}`, {
    contextOptions: { viewport: { width: 1440, height: 900 }, timezoneId: 'UTC' },
    beforeLoad: async (ctx) => {
      await ctx.page.clock.setFixedTime(t0);
      await beforeLoad?.(ctx);
    },
  });
  const { page } = opened;
  await page.waitForSelector('body[data-app-state="ready"], body[data-app-state="error"]', { timeout: 15_000 });
  const appState = await page.getAttribute('body', 'data-app-state');
  assert.equal(appState, 'ready', await page.locator('[data-testid="app-error"]').textContent());
  return new Demo(opened);
}

export class Demo {
  #screenshot;

  constructor({ page, context, errors, screenshot }) {
    Object.assign(this, { page, context, errors });
    this.#screenshot = screenshot;
  }

  /** A full-page PNG in test-artifacts/ (passing notices cleared first); resolves to its path. */
  async screenshot(name) {
    await this.page.evaluate(() => document.querySelector('[data-testid="toasts"]')?.replaceChildren());
    return this.#screenshot(name);
  }

  el(testid) {
    return this.page.locator(`[data-testid="${testid}"]`);
  }

  async click(testid, times = 1) {
    for (let i = 0; i < times; i++) await this.el(testid).click();
  }

  async select(testid, value) {
    await this.el(testid).selectOption(value);
  }

  /** Types into a field and commits it (a change event), as leaving the field does. */
  async fill(testid, value) {
    await this.el(testid).fill(String(value));
    await this.el(testid).dispatchEvent('change', { bubbles: true });
  }

  /** Jumps ahead: unit 'hour', 'day' or 'week', `times` times. */
  travel(unit, times = 1) {
    return this.click(`travel-${unit}`, times);
  }

  /** Everything the page shows about onstage's state, read at once. */
  /**
   * The page's state once it shows `count` exposures: the package reports
   * an exposure just after the decision that made it (under a Web Lock, so
   * that it is once across tabs), so the log may fill a moment later.
   */
  async stateWithExposures(count, timeout = 3000) {
    const start = Date.now();
    for (;;) {
      const s = await this.state();
      if (s.exposures.length >= count || Date.now() - start > timeout) return s;
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  state() {
    return this.page.evaluate(async () => {
      // Let queued renders (subscribers run in a microtask) finish first.
      await new Promise((r) => setTimeout(r, 0));
      const q = (sel, root = document) => root.querySelector(sel);
      const qa = (sel, root = document) => [...root.querySelectorAll(sel)];
      const tid = (id) => `[data-testid="${id}"]`;
      const slots = {};
      for (const el of qa('[data-slot]')) {
        slots[el.dataset.slot] = {
          experience: el.dataset.experience || null,
          step: el.dataset.step || null,
          variation: el.dataset.variation || null,
          holdout: el.dataset.holdout === 'true',
          title: q('[data-testid$="-title"]', el)?.textContent ?? null,
          cta: q('[data-testid$="-cta"]', el)?.textContent ?? null,
          items: qa('[data-testid^="checklist-item-"]', el).map((li) => ({
            id: li.dataset.testid.slice('checklist-item-'.length), done: li.dataset.done === 'true',
          })),
        };
      }
      const reasons = {};
      for (const section of qa('[data-testid^="reasons-"]')) {
        const slot = section.dataset.testid.slice('reasons-'.length);
        reasons[slot] = { experience: section.dataset.experience || null, holdout: section.dataset.holdout === 'true', of: {} };
        for (const li of qa('[data-testid^="reason-"]', section)) {
          reasons[slot].of[li.dataset.testid.slice(`reason-${slot}-`.length)] = {
            result: li.dataset.result,
            blockedBy: li.dataset.blockedBy ?? null,
            beatenBy: li.dataset.beatenBy ?? null,
            until: q('[data-until]', li)?.dataset.until ?? null,
            variation: q('.experiment', li)?.dataset.variation ?? null,
            text: li.textContent,
          };
        }
      }
      const signals = {};
      for (const td of qa('[data-testid^="signal-"]')) signals[td.dataset.testid.slice('signal-'.length)] = JSON.parse(td.dataset.value);
      return {
        now: Date.parse(q(tid('sim-time')).dateTime),
        userId: q(tid('user-id')).textContent,
        stage: q(tid('stage'))?.dataset.stage ?? null,
        stageSince: q(tid('stage-since')) ? Date.parse(q(tid('stage-since')).dataset.since) : null,
        segments: (q(tid('segments'))?.dataset.held ?? '').split(' ').filter(Boolean),
        signals,
        signalText: Object.fromEntries(qa('[data-testid^="signal-"]').map((td) => [td.dataset.testid.slice(7), td.textContent])),
        slots,
        reasons,
        timeline: qa(`${tid('timeline')} ${tid('timeline-segment')}`).map((r) => ({ stage: r.dataset.stage, from: Date.parse(r.dataset.from) })),
        exposures: qa(tid('exposure')).map((li) => ({ experiment: li.dataset.experiment, variation: li.dataset.variation })),
        activity: qa(`${tid('activity')} li[data-event]`).map((li) => li.dataset.event),
      };
    });
  }

  /** Asserts no console error, uncaught exception or failed request happened. */
  assertNoErrors() {
    assert.deepEqual(this.errors, [], 'no console errors, uncaught exceptions or failed requests');
  }
}

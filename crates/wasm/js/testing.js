// onstage/testing: an instance for your own tests (component tests, Node
// unit tests): memory storage (nothing saved, no cross-tab sync, no URL
// preview) and a clock that stands still until the test moves it, so every
// decision is reproducible. Moving the clock checks at once whether time
// alone changed a decision, and tells subscribers (as the real clock's
// timer would within a minute).
import { init } from './index.js';

/** 2026-01-05T09:00:00Z, a Monday: where test clocks start by default. */
export const TEST_EPOCH = Date.UTC(2026, 0, 5, 9, 0, 0);

const UNITS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

function durationMs(d) {
  if (typeof d === 'number' && Number.isFinite(d)) return d;
  const m = typeof d === 'string' ? /^(\d+)([mhdw])$/.exec(d) : null;
  if (!m) {
    const err = new Error(`onstage/testing: a duration is milliseconds or "<n>m|h|d|w" ("90m", "7d"), found ${JSON.stringify(d)}`);
    err.code = 'bad_time';
    throw err;
  }
  return Number(m[1]) * UNITS[m[2]];
}

/**
 * Creates an instance with memory storage and a fixed clock:
 * `{onstage, clock}`, where `clock.now()` is the time, `clock.set(ms | Date)`
 * and `clock.advance(ms | "90m")` move it. Other `init` options pass
 * through (config, userId default "test-user", attributes, callbacks...).
 */
export async function createTestOnstage({ now = TEST_EPOCH, userId = 'test-user', ...options } = {}) {
  let t = now instanceof Date ? now.getTime() : now;
  let onstage = null;
  const moved = () => {
    onstage?.refresh();
    return t;
  };
  const clock = {
    now: () => t,
    set(at) {
      t = at instanceof Date ? at.getTime() : at;
      return moved();
    },
    advance(d) {
      t += durationMs(d);
      return moved();
    },
  };
  onstage = await init({ tzOffsetMinutes: 0, ...options, userId, storage: 'memory', previewParam: null, now: clock.now });
  return { onstage, clock };
}

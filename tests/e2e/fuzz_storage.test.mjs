// Fuzzing the package's set-aside bookkeeping (crates/wasm/js/storage.js),
// in Node (no browser needed): random stored values set aside, again and
// again, into a Storage with a quota, pre-filled with other users' keys,
// older copies and keys of odd forms, that may throw on any write. Must
// hold: nothing throws; at most MAX_ASIDE copies of the user stay; the
// state key never keeps the value (so later saves make progress); a copy
// returned holds the value whole; other users' keys are untouched; a full
// storage does not turn the instance to memory; and once the value is
// gone, a state no larger than it can be saved again.
//
// `npm test` runs a few hundred cases with a fixed seed;
// `scripts/fuzz.sh` runs ONSTAGE_FUZZ_CASES x 2 with its seed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { keys, MAX_ASIDE, SafeStorage } from '../../crates/wasm/js/storage.js';

const BASE = Number(process.env.ONSTAGE_FUZZ_CASES ?? 150);
const CASES = Math.max(1, Math.round(BASE * 2));
const SEED = process.env.ONSTAGE_FUZZ_SEED ?? 'onstage-reliability';

/** mulberry32, seeded by an FNV-1a hash of the seed text. */
function rng(seedText) {
  let h = 0x811c9dc5;
  for (const c of seedText) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
  let a = h;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n) => Math.floor(next() * n), pick: (list) => list[Math.floor(next() * list.length)] };
}

/** A Storage with a quota (characters of keys and values), and faults on demand. */
class FakeStorage {
  #m = new Map();
  quota;
  /** 'none' | 'quota' (every write over the quota throws) | 'broken' (writes throw SecurityError). */
  fault = 'none';
  constructor(quota) {
    this.quota = quota;
  }
  get length() {
    return this.#m.size;
  }
  key(i) {
    return [...this.#m.keys()][i] ?? null;
  }
  getItem(k) {
    return this.#m.has(k) ? this.#m.get(k) : null;
  }
  used(except) {
    let n = 0;
    for (const [k, v] of this.#m) if (k !== except) n += k.length + v.length;
    return n;
  }
  setItem(k, v) {
    if (this.fault === 'broken') throw Object.assign(new Error('denied'), { name: 'SecurityError' });
    const value = String(v);
    if (this.used(k) + k.length + value.length > this.quota) {
      throw Object.assign(new Error('full'), { name: 'QuotaExceededError' });
    }
    this.#m.set(k, value);
  }
  removeItem(k) {
    this.#m.delete(k);
  }
  entries() {
    return [...this.#m];
  }
}

const USERS = ['p1', 'a:b@example.com', 'é', 'p1:aside:x'];

function oneCase(r) {
  const storage = new FakeStorage(r.pick([200, 2_000, 20_000, 200_000]));
  const user = r.pick(USERS);
  const k = keys(user);
  // Other users' keys, this user's older copies (some of odd forms), a stored value.
  const filler = (n) => 'x'.repeat(n);
  for (let i = r.int(4); i > 0; i--) {
    const other = keys(r.pick(USERS.filter((u) => u !== user)));
    try {
      storage.setItem(other.asideFor('state_corrupt', r.int(1e6)), filler(r.int(500)));
    } catch {
      // full already
    }
  }
  for (let i = r.int(7); i > 0; i--) {
    const key = r.next() < 0.8 ? k.asideFor(r.pick(['state_corrupt', 'state_unknown_version']), r.int(1e6)) : `${k.asidePrefix}odd`;
    try {
      storage.setItem(key, filler(r.int(300)));
    } catch {
      // full already
    }
  }
  const others = storage.entries().filter(([key]) => !key.startsWith(k.asidePrefix));
  const warnings = [];
  const safe = new SafeStorage(storage, (w) => warnings.push(w.code));
  for (let round = r.int(4) + 1; round > 0; round--) {
    const value = filler(r.int(3_000) + 1) + round;
    try {
      storage.setItem(k.state, value);
    } catch {
      continue;
    }
    storage.fault = r.next() < 0.1 ? 'broken' : 'none';
    const at = r.int(2e6);
    let kept;
    assert.doesNotThrow(() => {
      kept = safe.setAside(k, value, r.pick(['state_corrupt', 'state_not_recognized']), at);
    });
    const broken = storage.fault === 'broken';
    storage.fault = 'none';
    const mine = storage.entries().filter(([key]) => key.startsWith(k.asidePrefix));
    assert.ok(mine.length <= MAX_ASIDE, `${mine.length} copies kept`);
    assert.equal(storage.getItem(k.state), null, 'the state key never keeps the value');
    if (kept !== null) assert.equal(storage.getItem(kept), value, 'a copy holds the value whole');
    if (broken) assert.equal(kept, null);
    if (!broken) assert.equal(safe.mode, 'storage', 'a full storage does not turn to memory');
    for (const [key, v] of others) assert.equal(storage.getItem(key), v, `another user's ${key} untouched`);
    // Progress: a state no larger than the value set aside fits again
    // (when the value was not kept, its room is free).
    if (kept === null && !broken) {
      assert.equal(safe.set(k.state, value), true, 'saving goes on');
      safe.remove(k.state);
    }
    if (safe.mode !== 'storage') break;
  }
}

test('fuzz storage: set-aside bookkeeping', () => {
  const r = rng(SEED);
  const started = performance.now();
  let slowest = 0;
  for (let i = 0; i < CASES; i++) {
    const t = performance.now();
    try {
      oneCase(r);
    } catch (err) {
      console.log(`fuzz storage: FAILED at case ${i + 1}, seed ${SEED}`);
      throw err;
    }
    slowest = Math.max(slowest, performance.now() - t);
  }
  const secs = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`fuzz storage: ${CASES} cases passed in ${secs} s (slowest case ${slowest.toFixed(1)} ms), seed ${SEED}`);
});

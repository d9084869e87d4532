// Safe storage: a Web Storage area (localStorage by default) that never
// throws into the host page. Unavailable storage (access throws) and full
// storage (QuotaExceededError) degrade to memory, reported once through
// `warn`. Keys are namespaced by user id and format version.

const PREFIX = 'onstage:v1:';

/** Most set-aside values kept per user: setting one more aside drops the oldest. */
export const MAX_ASIDE = 3;

/**
 * The keys of one user. `userId` must be a well-formed string (a lone
 * surrogate makes `encodeURIComponent` throw: the package refuses such an
 * id with `bad_user_id` before it gets here).
 */
export function keys(userId) {
  const base = `${PREFIX}${encodeURIComponent(userId)}`;
  return {
    state: `${base}:state`,
    /** The slots' last decisions, for a flicker-free first paint (last.js). */
    last: `${base}:last`,
    /** Web Lock names of this user's exposures (once.js). */
    exposureLock: (experiment, variation) => `${base}:exposure:${encodeURIComponent(experiment)}:${encodeURIComponent(variation)}`,
    /** Each tab's recent outgoing events, for the other tabs. */
    tabPrefix: `${base}:tab:`,
    /** Where states that could not be used are set aside (the latest MAX_ASIDE). */
    asidePrefix: `${base}:aside:`,
    asideFor: (reason, at) => `${base}:aside:${reason}:${at}`,
  };
}

/** The time a set-aside key ends with (-Infinity for a key of another form: it goes first). */
function asideTime(key) {
  const t = Number(key.slice(key.lastIndexOf(':') + 1));
  return Number.isFinite(t) ? t : -Infinity;
}

function isQuota(err) {
  return err?.name === 'QuotaExceededError' || err?.name === 'NS_ERROR_DOM_QUOTA_REACHED' || err?.code === 22;
}

export class SafeStorage {
  #area;
  #memory = new Map();
  #warn;
  #reported = new Set();
  /** 'storage' while the area works; 'memory' once it failed. */
  mode = 'storage';

  /**
   * @param area a Storage (default: localStorage), or 'memory'
   * @param warn (warning) => void
   */
  constructor(area, warn) {
    this.#warn = warn;
    if (area === 'memory') {
      this.mode = 'memory';
      return;
    }
    try {
      this.#area = area ?? globalThis.localStorage;
      if (!this.#area) throw new Error('no localStorage in this environment');
      // Touch it: some browsers throw only on access (blocked cookies, sandboxed frames).
      this.#area.getItem(`${PREFIX}probe`);
    } catch (err) {
      this.#fail('storage_unavailable', err);
    }
  }

  #fail(code, err) {
    if (this.mode === 'storage') {
      // Keep what is already stored readable from memory from now on? The
      // area failed, so nothing more can be read from it reliably.
      this.mode = 'memory';
    }
    if (!this.#reported.has(code)) {
      this.#reported.add(code);
      const message =
        code === 'storage_full'
          ? `storage is full (${err?.name ?? err}): onstage keeps working in memory; this tab's changes are not saved`
          : `storage is unavailable (${err?.name ?? err}): onstage keeps working in memory; nothing is saved`;
      // DESIGN: degrading to memory is reported as an error (the page keeps working).
      this.#warn({ code, message, severity: 'error' });
    }
  }

  get(key) {
    if (this.mode === 'memory') return this.#memory.get(key) ?? null;
    try {
      const value = this.#area.getItem(key);
      if (value !== null) this.#memory.set(key, value);
      return value;
    } catch (err) {
      this.#fail('storage_unavailable', err);
      return this.#memory.get(key) ?? null;
    }
  }

  /**
   * Writes; returns false when the value stayed in memory only. Values
   * this instance read or wrote are also kept in memory, so that if the
   * area fails later they can still be read (a user switched back to).
   */
  set(key, value) {
    this.#memory.set(key, value);
    if (this.mode === 'memory') return false;
    try {
      this.#area.setItem(key, value);
      return true;
    } catch (err) {
      this.#fail(isQuota(err) ? 'storage_full' : 'storage_unavailable', err);
      return false;
    }
  }

  /**
   * Sets the value of `userKeys.state`, `text`, aside under
   * `userKeys.asideFor(code, at)`, and removes it from the state key.
   * At most MAX_ASIDE set-aside values of the user are kept: the oldest
   * go first. When storage is too full for the copy even then, the value
   * is not kept: left in place it would fill the space every later save
   * needs, so nothing would ever be saved again. A failed copy does not
   * turn this instance to memory: saving may still work.
   * Returns the key it is kept under, or null when it could not be kept.
   */
  setAside(userKeys, text, code, at) {
    const key = userKeys.asideFor(code, at);
    // The oldest first; the new key is never among those dropped.
    const older = this.keysWith(userKeys.asidePrefix)
      .filter((k) => k !== key)
      .sort((a, b) => asideTime(a) - asideTime(b));
    const drop = () => {
      const k = older.shift();
      if (k !== undefined) this.remove(k);
      return k !== undefined;
    };
    while (older.length >= MAX_ASIDE) drop();
    let kept = null;
    for (;;) {
      const result = this.#write(key, text);
      if (result === 'ok') {
        kept = key;
        break;
      }
      // Full: make room from the oldest copies, then give up on this one.
      if (result !== 'full' || !drop()) break;
    }
    this.remove(userKeys.state);
    return kept;
  }

  /** Writes without turning to memory: 'ok', 'full' or 'failed'. */
  #write(key, value) {
    if (this.mode === 'memory') {
      this.#memory.set(key, value);
      return 'ok';
    }
    try {
      this.#area.setItem(key, value);
      this.#memory.set(key, value);
      return 'ok';
    } catch (err) {
      return isQuota(err) ? 'full' : 'failed';
    }
  }

  remove(key) {
    this.#memory.delete(key);
    if (this.mode === 'memory') return;
    try {
      this.#area.removeItem(key);
    } catch (err) {
      this.#fail('storage_unavailable', err);
    }
  }

  /** The keys starting with `prefix` (linear in the keys of the area). */
  keysWith(prefix) {
    const found = new Set();
    for (const k of this.#memory.keys()) if (k.startsWith(prefix)) found.add(k);
    if (this.mode === 'storage') {
      try {
        // A browser's Storage lists its keys at once (its key(i) may walk
        // the keys from the start each time: quadratic for many keys).
        const area = this.#area;
        const all =
          typeof Storage !== 'undefined' && area instanceof Storage
            ? Object.keys(area)
            : Array.from({ length: area.length }, (_, i) => area.key(i));
        for (const k of all) if (typeof k === 'string' && k.startsWith(prefix)) found.add(k);
      } catch (err) {
        this.#fail('storage_unavailable', err);
      }
    }
    return [...found];
  }

  /** Whether `event` (a StorageEvent) concerns this area. */
  owns(event) {
    return this.mode === 'storage' && event.storageArea === this.#area;
  }
}

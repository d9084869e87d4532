// Safe storage: a Web Storage area (localStorage by default) that never
// throws into the host page. Unavailable storage (access throws) and full
// storage (QuotaExceededError) degrade to memory, reported once through
// `warn`. Keys are namespaced by user id and format version.

const PREFIX = 'onstage:v1:';

/** The keys of one user. */
export function keys(userId) {
  const base = `${PREFIX}${encodeURIComponent(userId)}`;
  return {
    state: `${base}:state`,
    /** Each tab's recent outgoing events, for the other tabs. */
    tabPrefix: `${base}:tab:`,
    /** Where a state that could not be used is set aside (never deleted). */
    asideFor: (reason, at) => `${base}:aside:${reason}:${at}`,
  };
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
      const full = err?.name === 'QuotaExceededError' || err?.code === 22;
      this.#fail(full ? 'storage_full' : 'storage_unavailable', err);
      return false;
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

  /** The keys starting with `prefix`. */
  keysWith(prefix) {
    const found = [...this.#memory.keys()].filter((k) => k.startsWith(prefix));
    if (this.mode === 'memory') return found;
    try {
      for (let i = 0; i < this.#area.length; i++) {
        const k = this.#area.key(i);
        if (k?.startsWith(prefix) && !found.includes(k)) found.push(k);
      }
    } catch (err) {
      this.#fail('storage_unavailable', err);
    }
    return found;
  }

  /** Whether `event` (a StorageEvent) concerns this area. */
  owns(event) {
    return this.mode === 'storage' && event.storageArea === this.#area;
  }
}

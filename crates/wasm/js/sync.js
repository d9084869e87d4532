// Cross-tab sync. Each tab writes its own recent steps (track, identify,
// shown, dismissed, converted, advanced, imports, exposures) to its own
// storage key, its "outbox"; the other tabs of the same origin get a
// `storage` event for it within milliseconds and apply the steps they have
// not applied yet. Only one tab ever writes a key, so two tabs writing at
// the same moment cannot overwrite each other's steps.
//
// A tab numbers its steps `<tabId>.1`, `<tabId>.2`, …, and its outbox lists
// them in order: which steps a state holds is one mark per tab, its latest
// step applied, kept by the engine in wasm and stored with the state
// (`applied`), so the stored value stays bounded whatever the number of
// steps, and nothing is applied twice, even across a reload. Whether a step
// is new is decided by its tab's mark only, never by comparing clocks: a
// tab whose clock runs minutes ahead or behind still counts every step.

/** How long an outbox keeps a step, in ms of the writing tab's clock. */
export const OUTBOX_TTL = 2 * 60 * 1000;
/** Most steps an outbox holds. */
export const OUTBOX_MAX = 200;
/**
 * How long a tab's mark is kept after its steps were last seen
 * (`MARK_TTL` in src/persist/envelope.rs). An outbox step older than that
 * by this tab's clock may have lost its mark: catching up skips it (it is
 * a closed tab's leftover, its effects saved long ago).
 */
export const MARK_TTL = 24 * 60 * 60 * 1000;

function parseOutbox(text) {
  try {
    const value = JSON.parse(text);
    return Array.isArray(value?.steps) ? value.steps : [];
  } catch {
    return [];
  }
}

export class TabSync {
  #storage;
  #prefix;
  #tabId;
  #apply;
  #accept;
  #now;
  #outbox = [];
  /** Steps published since the last write of the outbox. */
  #unwritten = 0;
  #flushQueued = false;
  #seq = 0;

  /**
   * @param storage SafeStorage
   * @param prefix the user's tab key prefix
   * @param apply (step) => void, applies a step of another tab
   * @param accept (stepId) => boolean, whether a step is new (it is then
   *   marked as applied; own steps are marked too, for the next page load)
   * @param now () => ms
   */
  constructor({ storage, prefix, apply, accept, now }) {
    this.#storage = storage;
    this.#prefix = prefix;
    this.#apply = apply;
    this.#accept = accept;
    this.#now = now;
    this.#tabId = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
  }

  get key() {
    return `${this.#prefix}${this.#tabId}`;
  }

  /**
   * Shares one of this tab's steps with the other tabs. The step is
   * written as text now: the host may change or break the objects it
   * passed (props) after the call. Returns false when it cannot be shared.
   */
  publish(step) {
    const id = `${this.#tabId}.${++this.#seq}`;
    const at = this.#now();
    let text;
    try {
      text = JSON.stringify({ ...step, id, at });
    } catch {
      return false;
    }
    this.#accept(id);
    this.#outbox.push({ at, text });
    this.#unwritten++;
    // Steps of one tick are written together; a burst that would push
    // unseen steps out of the outbox is written before it does.
    if (this.#unwritten >= OUTBOX_MAX) this.flush();
    else if (!this.#flushQueued) {
      this.#flushQueued = true;
      queueMicrotask(() => this.flush());
    }
    return true;
  }

  flush() {
    this.#flushQueued = false;
    this.#unwritten = 0;
    const now = this.#now();
    this.#outbox = this.#outbox.filter((s) => s.at > now - OUTBOX_TTL).slice(-OUTBOX_MAX);
    if (this.#outbox.length === 0) this.#storage.remove(this.key);
    else this.#storage.set(this.key, `{"steps":[${this.#outbox.map((s) => s.text).join(',')}]}`);
  }

  /** Applies the new steps among `steps`. Returns how many. */
  #receive(steps) {
    let n = 0;
    for (const step of steps) {
      if (typeof step?.id !== 'string' || !this.#accept(step.id)) continue;
      this.#apply(step);
      n++;
    }
    return n;
  }

  /**
   * Applies what other tabs wrote before this one started listening, and
   * removes the outboxes of closed tabs (every step older than an outbox
   * keeps, by this tab's clock) once their new steps are applied.
   */
  catchUp() {
    let n = 0;
    const now = this.#now();
    for (const key of this.#storage.keysWith(this.#prefix)) {
      if (key === this.key) continue;
      const text = this.#storage.get(key);
      if (text === null) continue;
      const steps = parseOutbox(text);
      n += this.#receive(steps.filter((s) => s?.at > now - MARK_TTL));
      if (steps.every((s) => !(s?.at > now - OUTBOX_TTL))) this.#storage.remove(key);
    }
    return n;
  }

  /** Handles a `storage` event; returns how many steps it applied. */
  onStorage(event) {
    if (!event.key?.startsWith(this.#prefix) || event.key === this.key || event.newValue === null) return 0;
    return this.#receive(parseOutbox(event.newValue));
  }

  close() {
    this.#outbox = [];
    this.#storage.remove(this.key);
  }
}

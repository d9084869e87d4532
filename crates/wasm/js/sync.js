// Cross-tab sync. Each tab writes its own recent steps (track, identify,
// shown, dismissed, converted, advanced, imports, exposures) to its own storage key, its "outbox"; the
// other tabs of the same origin get a `storage` event for it within
// milliseconds and apply the steps they have not applied yet. Every step
// has an id; the ids applied are remembered (and stored with the state)
// for twice as long as an outbox keeps a step, so nothing is applied twice
// and what remembers ids stays bounded. Only one tab ever writes a key, so
// two tabs writing at the same moment cannot overwrite each other's steps.

/** How long an outbox keeps a step, in ms of the tab's clock. */
export const OUTBOX_TTL = 2 * 60 * 1000;
/** Most steps an outbox holds. */
export const OUTBOX_MAX = 200;

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
  #now;
  #outbox = [];
  /** Steps published since the last write of the outbox. */
  #unwritten = 0;
  #flushQueued = false;
  #seq = 0;
  /** step id -> the step's time. */
  applied = new Map();

  /**
   * @param storage SafeStorage
   * @param prefix the user's tab key prefix
   * @param apply (step) => void, applies a step of another tab
   * @param now () => ms
   * @param applied [[id, at]] remembered from the stored state
   */
  constructor({ storage, prefix, apply, now, applied = [] }) {
    this.#storage = storage;
    this.#prefix = prefix;
    this.#apply = apply;
    this.#now = now;
    this.#tabId = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
    for (const [id, at] of applied) if (typeof id === 'string' && Number.isFinite(at)) this.applied.set(id, at);
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
    this.applied.set(id, at);
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

  /** Applies the unseen steps of an outbox's text. Returns how many. */
  #receive(text) {
    const now = this.#now();
    let n = 0;
    for (const step of parseOutbox(text)) {
      if (typeof step?.id !== 'string' || this.applied.has(step.id)) continue;
      // A step older than an outbox keeps has already been forgotten by
      // `applied` too: it must have been applied (or is from a dead tab's
      // stale key), so it is skipped.
      if (!(step.at > now - OUTBOX_TTL)) continue;
      this.applied.set(step.id, step.at);
      this.#apply(step);
      n++;
    }
    return n;
  }

  /** Applies what other tabs wrote before this one started listening. */
  catchUp() {
    let n = 0;
    const now = this.#now();
    for (const key of this.#storage.keysWith(this.#prefix)) {
      if (key === this.key) continue;
      const text = this.#storage.get(key);
      if (text === null) continue;
      const steps = parseOutbox(text);
      // A closed tab's outbox whose steps all expired: tidy it away.
      if (steps.every((s) => !(s.at > now - OUTBOX_TTL))) {
        this.#storage.remove(key);
        continue;
      }
      n += this.#receive(text);
    }
    return n;
  }

  /** Handles a `storage` event; returns how many steps it applied. */
  onStorage(event) {
    if (!event.key?.startsWith(this.#prefix) || event.key === this.key || event.newValue === null) return 0;
    return this.#receive(event.newValue);
  }

  /** The ids to store with the state (bounded: twice an outbox's life). */
  remembered() {
    const horizon = this.#now() - 2 * OUTBOX_TTL;
    for (const [id, at] of this.applied) if (!(at > horizon)) this.applied.delete(id);
    return [...this.applied];
  }

  close() {
    this.#outbox = [];
    this.#storage.remove(this.key);
  }
}

// The last decisions: what each slot showed when this user was last here,
// kept under `onstage:v1:<userId>:last` so that a returning user's page can
// render them synchronously, before the WebAssembly module has loaded (no
// flicker), then let the live decisions replace them. Read without wasm:
// `lastDecisions(userId)`. A preview is never kept, nor reasons.
import { deepFreeze } from './frozen.js';
import { keys } from './storage.js';

const VERSION = 1;

/** A stale copy of a decision: what the page may render until the live one comes. */
function stale(d) {
  return Object.freeze({
    experience: d.experience,
    variation: d.variation,
    holdout: d.holdout,
    content: d.content,
    items: d.items,
    ...(d.step === undefined ? {} : { step: d.step }),
    reasons: null,
    stale: true,
  });
}

/** Parses a stored record; anything unexpected gives null (never throws). */
function parse(text) {
  try {
    const record = JSON.parse(text);
    if (record?.v !== VERSION || record.decisions === null || typeof record.decisions !== 'object') return null;
    const decisions = {};
    for (const [slot, d] of Object.entries(record.decisions)) {
      if (d === null || typeof d !== 'object' || (d.experience !== null && typeof d.experience !== 'string')) continue;
      if (!Array.isArray(d.items)) continue;
      decisions[slot] = stale(deepFreeze(d));
    }
    return { stage: typeof record.stage === 'string' ? record.stage : null, decisions };
  } catch {
    return null;
  }
}

const NONE = Object.freeze({ stage: null, decisions: Object.freeze({}) });

/**
 * The decisions a user's page last showed, per slot, as stored by an
 * earlier visit: `{stage, decisions: {slot: decision}}`, each decision
 * frozen and marked `stale: true` (reasons are not kept). Needs no
 * WebAssembly, so a page can render them before `init` resolves. Empty for
 * a new user, in Node, or when storage is unavailable; never throws.
 * `storage`: as `init`'s (default `localStorage`; "memory" keeps nothing).
 */
export function lastDecisions(userId, { storage } = {}) {
  if (typeof userId !== 'string' || userId === '' || storage === 'memory') return NONE;
  try {
    const area = storage ?? globalThis.localStorage;
    const text = area?.getItem(keys(userId).last);
    return (typeof text === 'string' && parse(text)) || NONE;
  } catch {
    return NONE;
  }
}

/** An instance's record of its live decisions, written with its state. */
export class LastDecisions {
  #storage;
  #key;
  /** slot -> the decision as given by `decide` (shown fields only). */
  #decisions = new Map();
  stage = null;
  dirty = false;

  constructor(storage, userId) {
    this.#storage = storage;
    this.#key = keys(userId).last;
    const text = storage.get(this.#key);
    const stored = text === null ? null : parse(text);
    for (const [slot, d] of Object.entries(stored?.decisions ?? {})) this.#decisions.set(slot, d);
    this.stage = stored?.stage ?? null;
  }

  /** Notes what `decide` returned for `slot`; marks the record dirty when it differs. */
  note(slot, d) {
    const prev = this.#decisions.get(slot);
    if (prev === d || d.preview === true) return;
    if (prev !== undefined && same(prev, d)) return;
    this.#decisions.set(slot, d);
    this.dirty = true;
  }

  /** The user dismissed or converted `experience`: a stale copy must not bring it back. */
  forget(experience) {
    for (const [slot, d] of this.#decisions) {
      if (d.experience === experience) {
        this.#decisions.delete(slot);
        this.dirty = true;
      }
    }
  }

  setStage(stage) {
    if (stage !== this.stage) {
      this.stage = stage;
      this.dirty = true;
    }
  }

  /** Writes the record if it changed. */
  write() {
    if (!this.dirty) return;
    this.dirty = false;
    const decisions = {};
    for (const [slot, d] of this.#decisions) {
      decisions[slot] = { experience: d.experience, variation: d.variation, holdout: d.holdout, content: d.content, items: d.items };
      if (d.step !== undefined) decisions[slot].step = d.step;
    }
    this.#storage.set(this.#key, JSON.stringify({ v: VERSION, stage: this.stage, decisions }));
  }
}

function same(a, b) {
  return (
    a.experience === b.experience &&
    a.variation === b.variation &&
    a.holdout === b.holdout &&
    a.step === b.step &&
    JSON.stringify(a.content) === JSON.stringify(b.content) &&
    JSON.stringify(a.items) === JSON.stringify(b.items)
  );
}

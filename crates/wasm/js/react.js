// onstage/react: the React binding (React 18 and 19). A provider owns (or
// borrows) one onstage instance; hooks read decisions through
// useSyncExternalStore, so a component re-renders only when its own slot's
// decision changes (decisions are frozen and reused by reference while
// unchanged). Before the engine is ready, a returning user's last
// decisions are read synchronously from storage and rendered marked
// `stale`; the live ones replace them. On the server (and while hydrating)
// hooks return null and the provider renders its fallback, touching no
// browser API.
//
// Written with createElement (no JSX) so that it ships as it is.
import { createContext, createElement, useContext, useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { init, lastDecisions } from './index.js';

const OnstageContext = createContext(null);

/** Actions asked for before the engine is ready wait, at most this many. */
const MAX_PENDING = 200;


/** One provider's instance, its readiness, and the snapshots hooks read. */
class Store {
  instance = null;
  /** 'loading' | 'ready' | 'error' */
  status = 'loading';
  error = null;
  #options;
  #given;
  #owned = false;
  #stale;
  #listeners = new Set();
  #version = 0;
  #entries = new Map();
  #pending = [];
  #unsubscribe = null;
  #refs = 0;
  #started = false;
  #onError;

  constructor({ options, instance, onError }) {
    this.#options = options;
    this.#given = instance;
    this.#onError = onError;
    // A returning user's last decisions, for the first paint (no-op on the server).
    this.#stale = options && typeof window !== 'undefined' ? lastDecisions(options.userId, { storage: options.storage }) : null;
    // An instance given ready is usable on the first render; it is listened
    // to once the provider mounts (a render may be thrown away).
    if (instance && typeof instance.decide === 'function') {
      this.instance = instance;
      this.status = 'ready';
    }
    this.actions = this.#actions();
  }

  get hasStale() {
    return this.#stale !== null && Object.keys(this.#stale.decisions).length > 0;
  }

  subscribe = (listener) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  getStatus = () => this.status;

  /**
   * On the server (and while hydrating) nothing is loaded: 'server', unless
   * an instance was given ready (a test or a server that has the user's
   * state), whose decisions can be rendered.
   */
  getServerStatus = () => (this.#given && this.status === 'ready' ? 'ready' : 'server');

  /** A server snapshot: the live value with an instance given ready, else null. */
  #server(get) {
    return () => (this.getServerStatus() === 'ready' ? get() : null);
  }

  /** The provider mounted: start the instance (once), and keep it while mounted. */
  retain() {
    this.#refs++;
    if (!this.#started) {
      this.#started = true;
      if (this.status === 'ready') this.#ready(this.instance, false);
      else {
        const pending = this.#given ? Promise.resolve(this.#given) : init(this.#options);
        pending.then(
          (instance) => this.#ready(instance, !this.#given),
          (err) => this.#fail(err),
        );
      }
    }
    return () => {
      this.#refs--;
      // StrictMode unmounts and mounts again at once: wait a tick before destroying.
      setTimeout(() => {
        if (this.#refs === 0) this.#close();
      }, 0);
    };
  }

  #ready(instance, owned) {
    if (this.status === 'closed') {
      if (owned) instance.destroy();
      return;
    }
    this.instance = instance;
    this.#owned = owned;
    this.status = 'ready';
    this.#unsubscribe = instance.subscribe(() => this.#bump());
    for (const run of this.#pending.splice(0)) {
      try {
        run(instance);
      } catch (err) {
        console.error('onstage: an action asked for before onstage was ready failed', err);
      }
    }
    this.#bump();
  }

  #fail(err) {
    if (this.status === 'closed') return;
    this.status = 'error';
    this.error = err;
    this.#pending.length = 0;
    if (this.#onError) this.#onError(err);
    else console.error('onstage: could not start; slots render their fallbacks', err);
    this.#bump();
  }

  #close() {
    this.#unsubscribe?.();
    if (this.#owned) this.instance?.destroy();
    this.instance = null;
    this.status = 'closed';
  }

  #bump() {
    this.#version++;
    for (const listener of [...this.#listeners]) listener();
  }

  /** Runs `fn(instance)` now, or once ready (in order; bounded). */
  act(fn) {
    if (this.status === 'ready') return fn(this.instance);
    if (this.status === 'loading' && this.#pending.length < MAX_PENDING) this.#pending.push(fn);
    return undefined;
  }

  /** A cached getSnapshot (and its server twin): recomputed once per notification, stable in between. */
  #entry(key, compute, staleValue) {
    let entry = this.#entries.get(key);
    if (!entry) {
      entry = { version: -1, value: null };
      entry.get = () => {
        if (this.status !== 'ready') return this.status === 'loading' ? staleValue() : null;
        if (entry.version !== this.#version) {
          entry.value = compute(this.instance);
          entry.version = this.#version;
        }
        return entry.value;
      };
      entry.server = this.#server(entry.get);
      this.#entries.set(key, entry);
    }
    return entry;
  }

  slot(id, reasons) {
    return this.#entry(
      `slot:${reasons ? 'r' : 'n'}:${id}`,
      (os) => os.decide(id, { reasons }),
      () => this.#stale?.decisions[id] ?? null,
    );
  }

  stage() {
    return this.#entry('stage', (os) => os.evaluate().stage, () => this.#stale?.stage ?? null);
  }

  evaluation() {
    return this.#entry('evaluation', (os) => os.evaluate(), () => null);
  }

  #actions() {
    const now = () => (typeof this.#options?.now === 'function' ? this.#options.now() : Date.now());
    return Object.freeze({
      // An event asked for before ready counts at the time it happened.
      track: (name, props, timestamp) => {
        const at = timestamp ?? (this.status === 'ready' ? undefined : now());
        return this.act((os) => os.track(name, props, at));
      },
      identify: (identity) => this.act((os) => os.identify(identity)),
      shown: (id) => this.act((os) => os.shown(id)),
      dismissed: (id) => this.act((os) => os.dismissed(id)),
      converted: (id) => this.act((os) => os.converted(id)),
      advanced: (tour, step) => this.act((os) => os.advanced(tour, step)),
      preview: (spec) => this.act((os) => os.preview(spec)),
      switchUser: (userId, identity) => this.act((os) => os.switchUser(userId, identity)),
    });
  }
}

function useStore() {
  const store = useContext(OnstageContext);
  if (!store) throw new Error('onstage/react: use this inside <OnstageProvider>');
  return store;
}

/**
 * Provides one onstage instance to the components inside it.
 *
 * - `options`: `init` options; the provider creates the instance after it
 *   mounts (in the browser only) and destroys it when it unmounts.
 *   Later renders with a new `userId` switch user; new `attributes`,
 *   `entitlements` or `tzOffsetMinutes` identify.
 * - `instance`: an instance (or a promise of one) you made; it is not
 *   destroyed on unmount.
 * - `fallback`: rendered instead of the children on the server and, in the
 *   browser, until onstage is ready (a returning user's stale decisions
 *   count as ready enough). Without it the children render at once and
 *   slots are empty (or stale) until then.
 * - `onError(err)`: onstage could not start (the children render, slots empty).
 */
export function OnstageProvider({ options, instance, fallback, onError, children }) {
  const [store] = useState(() => new Store({ options, instance, onError }));
  useEffect(() => store.retain(), [store]);
  useIdentityUpdates(store, options);
  const status = useSyncExternalStore(store.subscribe, store.getStatus, store.getServerStatus);
  const waiting = status === 'server' || (status === 'loading' && !store.hasStale);
  const content = fallback !== undefined && waiting ? fallback : children;
  return createElement(OnstageContext.Provider, { value: store }, content);
}

/** Applies later changes of the provider's `options` identity to the instance. */
function useIdentityUpdates(store, options) {
  const userId = options?.userId;
  const identity = options
    ? JSON.stringify([options.attributes ?? null, options.entitlements ?? null, options.tzOffsetMinutes ?? null])
    : null;
  const applied = useRef({ userId, identity });
  useEffect(() => {
    if (!options) return;
    if (userId !== applied.current.userId) {
      applied.current = { userId, identity };
      store.act((os) => os.switchUser(userId, identityOf(options)));
    } else if (identity !== applied.current.identity) {
      applied.current = { userId, identity };
      store.act((os) => os.identify(identityOf(options)));
    }
    // `options` is read through userId and identity, which say when it changed.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [store, userId, identity]);
}

function identityOf({ attributes, entitlements, tzOffsetMinutes }) {
  return { attributes, entitlements, tzOffsetMinutes };
}

/**
 * The decision for `slot`: re-renders only when it changes. Null on the
 * server and while nothing is known; a returning user's last decision
 * (marked `stale: true`) until the live one is there. A tour's decision
 * has its current `step` and `advance(stepId?)` (default: that step).
 */
export function useSlot(slot, options) {
  const store = useStore();
  const entry = store.slot(slot, options?.reasons === true);
  const decision = useSyncExternalStore(store.subscribe, entry.get, entry.server);
  // A tour's decision also carries `advance(stepId?)`; the others are
  // handed back as they are (the same object while unchanged).
  return useMemo(() => withAdvance(store, decision), [store, decision]);
}

/** For a tour's decision, a frozen copy with `advance(stepId?)` (default: the current step). */
function withAdvance(store, decision) {
  if (decision?.step === undefined) return decision;
  const { experience, step } = decision;
  return Object.freeze({ ...decision, advance: (stepId = step) => store.act((os) => os.advanced(experience, stepId)) });
}

/** The user's stage (null while unknown). */
export function useStage() {
  const store = useStore();
  const entry = store.stage();
  return useSyncExternalStore(store.subscribe, entry.get, entry.server);
}

/** `{stage, stageSince, segments, signals, capped}`, or null until ready; refreshed when a decision may have changed. */
export function useEvaluation() {
  const store = useStore();
  const entry = store.evaluation();
  return useSyncExternalStore(store.subscribe, entry.get, entry.server);
}

/**
 * `{onstage, status, error, track, identify, shown, dismissed, converted,
 * advanced, preview, switchUser}`. The actions are stable; called before
 * onstage is ready they wait for it (a `track` counts at the time of the
 * call). `onstage` is the instance once ready (else null).
 */
export function useOnstage() {
  const store = useStore();
  const status = useSyncExternalStore(store.subscribe, store.getStatus, store.getServerStatus);
  return useMemo(
    () => ({ ...store.actions, onstage: store.instance, status, error: store.error }),
    [store, status],
  );
}

/**
 * Renders slot `id`: `render({...decision, dismiss, convert, advance})`
 * when the slot shows something, else `fallback`. Reports `shown` once its
 * content is really on the page (after React commits it), for live
 * decisions only; `advance(stepId?)` exists for tours (default: the
 * current step). `reasons` asks for reasons.
 */
export function Slot({ id, render, fallback = null, reasons = false }) {
  const store = useStore();
  const decision = useSlot(id, { reasons }); // a tour's carries advance
  const experience = decision?.experience ?? null;
  const content = experience === null ? null : render(renderProps(store, decision));
  const rendered = content !== null && content !== undefined && content !== false;
  const report = rendered && !decision.stale ? experience : null;
  useEffect(() => {
    if (report !== null) store.act((os) => os.shown(report));
  }, [store, report, decision]);
  return rendered ? content : fallback;
}

function renderProps(store, decision) {
  const id = decision.experience;
  const props = {
    ...decision,
    dismiss: () => store.act((os) => os.dismissed(id)),
    convert: () => store.act((os) => os.converted(id)),
  };
  return props;
}

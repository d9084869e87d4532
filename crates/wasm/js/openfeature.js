// onstage/openfeature: a provider for the OpenFeature web SDK
// (@openfeature/web-sdk), so that code written against the vendor-neutral
// flag API reads onstage's decisions.
//
//   flag key                 a slot id
//   string evaluation        the experience id shown (the default when none)
//   object evaluation        the experience's content (the default when none)
//   variant                  the experiment variation (absent without one)
//   reason                   SPLIT (an experiment variation), TARGETING_MATCH
//                            (an experience without experiment), DEFAULT (the
//                            slot shows nothing), HOLDOUT (held out of an
//                            experiment: what is shown falls through)
//   flagMetadata             {stage, experience} (and preview: true)
//   boolean/number           TYPE_MISMATCH: a slot is not a boolean or a number
//   unknown slot             FLAG_NOT_FOUND
//
// The evaluation context's `targetingKey` is the user id; `entitlements`
// and `tzOffsetMinutes` go to identify as they are, every other field is
// an attribute (with `id` = targetingKey unless given). A context change
// calls identify (switchUser for another targetingKey); the SDK's `track`
// calls onstage's `track`. A change of any evaluated slot's decision
// (events, interactions, time, other tabs) emits
// PROVIDER_CONFIGURATION_CHANGED with those slots as `flagsChanged`, so
// OpenFeature's React hooks re-render.
import {
  FlagNotFoundError,
  OpenFeatureEventEmitter,
  ProviderEvents,
  ProviderNotReadyError,
  StandardResolutionReasons,
  TypeMismatchError,
} from '@openfeature/web-sdk';
import { init } from './index.js';

/** The reason of a decision held out of its experiment (a custom reason). */
export const HOLDOUT = 'HOLDOUT';

/** `{userId, identity}` from an OpenFeature evaluation context. */
export function identityFromContext(context = {}) {
  const { targetingKey, entitlements, tzOffsetMinutes, ...rest } = context;
  const attributes = targetingKey === undefined || 'id' in rest ? rest : { ...rest, id: targetingKey };
  const identity = { attributes };
  if (entitlements !== undefined) identity.entitlements = entitlements;
  if (tzOffsetMinutes !== undefined) identity.tzOffsetMinutes = tzOffsetMinutes;
  return { userId: targetingKey, identity };
}

export class OnstageWebProvider {
  metadata = Object.freeze({ name: 'onstage' });
  runsOn = 'client';
  events = new OpenFeatureEventEmitter();
  #options;
  #given;
  #instance = null;
  #owned = false;
  #userId;
  #unsubscribe = null;
  /** slot -> the decision last handed to OpenFeature. */
  #seen = new Map();

  /**
   * `new OnstageWebProvider({ config, ...initOptions })` creates its own
   * instance at `initialize` (the context's targetingKey, else
   * `options.userId`, is the user id); `new OnstageWebProvider({ instance })`
   * uses yours (and does not destroy it on close).
   */
  constructor({ instance, ...options } = {}) {
    this.#given = instance;
    this.#options = options;
  }

  /** The onstage instance, once initialized (for `shown`, `dismissed`, ...). */
  get onstage() {
    return this.#instance;
  }

  async initialize(context = {}) {
    const { userId, identity } = identityFromContext(context);
    if (this.#given) {
      this.#instance = await this.#given;
      if (userId !== undefined && userId !== this.#instance.state().userId) this.#instance.switchUser(userId, identity);
      else if (Object.keys(context).length > 0) this.#instance.identify(identity);
    } else {
      const base = this.#options;
      this.#instance = await init({
        ...base,
        userId: userId ?? base.userId,
        attributes: { ...base.attributes, ...identity.attributes },
        entitlements: identity.entitlements ?? base.entitlements,
        tzOffsetMinutes: identity.tzOffsetMinutes ?? base.tzOffsetMinutes,
      });
      this.#owned = true;
    }
    this.#userId = this.#instance.state().userId;
    this.#unsubscribe = this.#instance.subscribe(() => this.#changed());
  }

  onContextChange(_old, next) {
    const os = this.#ready();
    const { userId, identity } = identityFromContext(next);
    if (userId !== undefined && userId !== this.#userId) {
      os.switchUser(userId, identity);
      this.#userId = userId;
    } else {
      os.identify(identity);
    }
  }

  async onClose() {
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    if (this.#owned) this.#instance?.destroy();
    this.#instance = null;
    this.#seen.clear();
  }

  track(name, _context, details) {
    this.#ready().track(name, details && Object.keys(details).length > 0 ? details : undefined);
  }

  resolveStringEvaluation(flagKey, defaultValue) {
    return this.#resolve(flagKey, defaultValue, (d) => d.experience);
  }

  resolveObjectEvaluation(flagKey, defaultValue) {
    return this.#resolve(flagKey, defaultValue, (d) => d.content);
  }

  resolveBooleanEvaluation(flagKey) {
    throw new TypeMismatchError(`onstage: slot "${flagKey}" is read as a string (the experience id) or an object (its content), not a boolean`);
  }

  resolveNumberEvaluation(flagKey) {
    throw new TypeMismatchError(`onstage: slot "${flagKey}" is read as a string (the experience id) or an object (its content), not a number`);
  }

  #ready() {
    if (!this.#instance) throw new ProviderNotReadyError('onstage: the provider is not initialized yet');
    return this.#instance;
  }

  #resolve(slot, defaultValue, pick) {
    const os = this.#ready();
    let d;
    try {
      d = os.decide(slot);
    } catch (err) {
      if (err?.code === 'unknown_slot') throw new FlagNotFoundError(err.message);
      throw err;
    }
    this.#seen.set(slot, d);
    const stage = os.evaluate().stage;
    const flagMetadata = {};
    if (stage !== null) flagMetadata.stage = stage;
    if (d.experience !== null) flagMetadata.experience = d.experience;
    if (d.preview) flagMetadata.preview = true;
    const value = d.experience === null ? defaultValue : pick(d);
    const details = { value, flagMetadata, reason: reasonOf(d) };
    if (d.variation !== null) details.variant = d.variation;
    return details;
  }

  /** Something changed: tell OpenFeature which evaluated slots now decide otherwise. */
  #changed() {
    const os = this.#instance;
    if (!os) return;
    const flagsChanged = [];
    for (const [slot, before] of this.#seen) {
      let now;
      try {
        now = os.decide(slot);
      } catch {
        continue;
      }
      if (now !== before) {
        this.#seen.set(slot, now);
        flagsChanged.push(slot);
      }
    }
    if (flagsChanged.length > 0) this.events.emit(ProviderEvents.ConfigurationChanged, { flagsChanged });
  }
}

function reasonOf(d) {
  if (d.holdout) return HOLDOUT;
  if (d.experience === null) return StandardResolutionReasons.DEFAULT;
  return d.variation === null ? StandardResolutionReasons.TARGETING_MATCH : StandardResolutionReasons.SPLIT;
}

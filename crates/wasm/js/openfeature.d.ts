// Types of onstage/openfeature.
import type { EvaluationContext, JsonValue, OpenFeatureEventEmitter, Provider, ResolutionDetails } from '@openfeature/web-sdk';
import type { InitOptions, Onstage } from './index.js';

/** The custom reason of a decision held out of its experiment. */
export const HOLDOUT: 'HOLDOUT';

export type OnstageWebProviderOptions =
  | { instance: Onstage | Promise<Onstage> }
  | (Omit<InitOptions, 'userId'> & { userId?: string; instance?: undefined });

/** An OpenFeature web provider: flag keys are slot ids (see docs/openfeature.md). */
export class OnstageWebProvider implements Provider {
  constructor(options: OnstageWebProviderOptions);
  readonly metadata: { readonly name: 'onstage' };
  readonly runsOn: 'client';
  readonly events: OpenFeatureEventEmitter;
  /** The onstage instance once initialized (for `shown`, `dismissed`, `converted`, ...). */
  readonly onstage: Onstage | null;
  initialize(context?: EvaluationContext): Promise<void>;
  onContextChange(oldContext: EvaluationContext, newContext: EvaluationContext): void;
  onClose(): Promise<void>;
  track(trackingEventName: string, context: EvaluationContext, details: Record<string, unknown>): void;
  resolveStringEvaluation(flagKey: string, defaultValue: string): ResolutionDetails<string>;
  resolveObjectEvaluation<T extends JsonValue>(flagKey: string, defaultValue: T): ResolutionDetails<T>;
  resolveBooleanEvaluation(flagKey: string, defaultValue: boolean): ResolutionDetails<boolean>;
  resolveNumberEvaluation(flagKey: string, defaultValue: number): ResolutionDetails<number>;
}

/** How an evaluation context becomes onstage's user id and identity. */
export function identityFromContext(context?: EvaluationContext): {
  userId: string | undefined;
  identity: { attributes: Record<string, unknown>; entitlements?: unknown; tzOffsetMinutes?: unknown };
};

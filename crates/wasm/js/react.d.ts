// Types of onstage/react (hand-written; checked by tsc over the example
// app's usage files in npm test).
import type { ReactNode } from 'react';
import type { Evaluation, InitOptions, Onstage, PreviewSpec, Props, SlotDecision } from './index.js';

export interface OnstageProviderProps {
  /** `init` options: the provider creates the instance once mounted in the browser, and destroys it on unmount. */
  options?: InitOptions;
  /** An instance (or a promise of one) you created; not destroyed on unmount. */
  instance?: Onstage | Promise<Onstage>;
  /**
   * Rendered instead of the children on the server and, in the browser,
   * until onstage is ready (a returning user's stale decisions count).
   * Without it the children render at once.
   */
  fallback?: ReactNode;
  /** onstage could not start (bad config, wasm not loaded): the children render with empty slots. */
  onError?: (error: Error & { code?: string }) => void;
  children?: ReactNode;
}

export function OnstageProvider(props: OnstageProviderProps): ReactNode;

/** A slot's decision in React: a tour's (with `step`) also has `advance`. */
export type SlotState = SlotDecision & {
  /** For a tour: the user finished a step (default: the current one, `step`). */
  advance?: (stepId?: string) => void;
};

/**
 * The slot's decision; the component re-renders only when it changes.
 * Null on the server and while unknown; a returning user's last decision
 * (`stale: true`) until the live one. A tour's decision has `step` and
 * `advance`.
 */
export function useSlot(slot: string, options?: { reasons?: boolean }): SlotState | null;

/** The user's stage, or null while unknown. */
export function useStage(): string | null;

/** Stage, segments and signals, or null until onstage is ready. */
export function useEvaluation(): Evaluation | null;

export interface OnstageActions {
  /** Before onstage is ready the event waits, and counts at the time of this call. */
  track(name: string, props?: Props, timestamp?: number): void;
  identify(identity: Parameters<Onstage['identify']>[0]): void;
  shown(experienceId: string): void;
  dismissed(experienceId: string): void;
  converted(experienceId: string): void;
  advanced(tourId: string, stepId: string): void;
  preview(spec: PreviewSpec): void;
  switchUser(userId: string, identity?: Parameters<Onstage['switchUser']>[1]): void;
}

export interface UseOnstage extends OnstageActions {
  /** The instance once ready, else null. */
  onstage: Onstage | null;
  status: 'server' | 'loading' | 'ready' | 'error' | 'closed';
  error: (Error & { code?: string }) | null;
}

export function useOnstage(): UseOnstage;

/** What `<Slot render>` is given: the decision and what the user can do with it. */
export type SlotRenderProps = SlotState & {
  experience: string;
  dismiss(): void;
  convert(): void;
};

export interface SlotProps {
  id: string;
  /** Renders what the slot shows; return null to render nothing (no `shown` is reported then). */
  render: (props: SlotRenderProps) => ReactNode;
  /** Rendered when the slot shows nothing (or while it is unknown). */
  fallback?: ReactNode;
  reasons?: boolean;
}

/** Renders a slot and reports `shown` once its content is on the page. */
export function Slot(props: SlotProps): ReactNode;

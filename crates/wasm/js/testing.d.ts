// Types of onstage/testing.
import type { InitOptions, Onstage } from './index.js';

/** 2026-01-05T09:00:00Z, a Monday: where test clocks start by default. */
export const TEST_EPOCH: number;

/** A duration: milliseconds, or "<n>m|h|d|w" ("90m", "7d"). */
export type Duration = number | `${number}${'m' | 'h' | 'd' | 'w'}`;

export interface TestClock {
  /** The time the instance sees (ms). */
  now(): number;
  /** Moves the clock to `at` and checks time-driven changes at once; returns the time. */
  set(at: number | Date): number;
  /** Moves the clock forward and checks time-driven changes at once; returns the time. */
  advance(by: Duration): number;
}

export type TestOptions = Omit<InitOptions, 'storage' | 'now' | 'userId'> & {
  userId?: string;
  /** Where the clock starts (default TEST_EPOCH). */
  now?: number | Date;
};

/** An instance with memory storage and a clock that moves only when told. */
export function createTestOnstage(options: TestOptions): Promise<{ onstage: Onstage; clock: TestClock }>;

// Types of onstage/inspector.
import type { Onstage } from './index.js';

export interface InspectorOptions {
  /** The clock relative times use (default Date.now; pass your instance's `now` if you gave it one). */
  now?: () => number;
  title?: string;
  /** Panels open at first (default all): "stage", "timeline", "decisions", "signals", "exposures". */
  open?: Array<'stage' | 'timeline' | 'decisions' | 'signals' | 'exposures'>;
}

export interface Inspector {
  /** Renders again now (after moving a clock of your own). */
  update(): void;
  /** Unmounts and stops listening. */
  destroy(): void;
}

/** Mounts the inspector into `element`; it follows the instance until destroyed. */
export function mountInspector(element: Element, onstage: Onstage, options?: InspectorOptions): Inspector;

/** A signal value for people: null as "–", fractions rounded. */
export function formatValue(value: number | null | undefined): string;

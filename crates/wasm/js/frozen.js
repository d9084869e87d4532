// Decisions are handed out frozen, so that a UI can compare them by
// reference and no host can change what another part of the page reads.

/** Freezes `value` and everything in it; returns it. */
export function deepFreeze(value) {
  if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

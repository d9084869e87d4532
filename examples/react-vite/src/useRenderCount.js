import { useRef } from 'react';

/** How many times the calling component rendered (the tests read it). */
export function useRenderCount(name) {
  const count = useRef(0);
  count.current += 1;
  window.__renders ??= {};
  window.__renders[name] = count.current;
  return count.current;
}

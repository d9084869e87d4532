// onstage/inspector in a development build.
import type { Onstage } from 'onstage';
import { mountInspector } from 'onstage/inspector';

export function devtools(onstage: Onstage, clock: () => number): () => void {
  const inspector = mountInspector(document.body, onstage, { now: clock, open: ['stage', 'decisions'] });
  inspector.update();
  // @ts-expect-error no such panel
  mountInspector(document.body, onstage, { open: ['everything'] });
  return () => inspector.destroy();
}

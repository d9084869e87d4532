import { Slot, useSlot } from 'onstage/react';
import { useRenderCount } from './useRenderCount.js';

export function Banner() {
  // Subscribed to the banner's decision: renders again only when it changes.
  useSlot('banner');
  const renders = useRenderCount('banner');
  return (
    <section data-testid="banner" data-renders={renders}>
      <Slot
        id="banner"
        render={({ experience, variation, content, stale, preview, dismiss, convert }) => (
          <aside data-experience={experience} data-variation={variation ?? ''} data-stale={stale === true} data-preview={preview === true}>
            <strong>{content.title}</strong>
            <button onClick={convert}>{content.cta}</button>
            <button onClick={dismiss}>Not now</button>
          </aside>
        )}
        fallback={<p data-testid="banner-empty">No message</p>}
      />
    </section>
  );
}

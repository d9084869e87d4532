import { useSlot } from 'onstage/react';
import { useRenderCount } from './useRenderCount.js';

/** The home slot through the hook: the component re-renders only when its decision changes. */
export function Checklist() {
  const decision = useSlot('home');
  const renders = useRenderCount('home');
  if (!decision?.experience) return <section data-testid="home" data-renders={renders} />;
  return (
    <section data-testid="home" data-renders={renders} data-experience={decision.experience} data-stale={decision.stale === true}>
      <h2>{decision.content.title}</h2>
      <ul>
        {decision.items.map((item) => (
          <li key={item.id} data-item={item.id} data-done={item.done}>
            {item.done ? '✓ ' : '○ '}
            {item.label}
          </li>
        ))}
      </ul>
    </section>
  );
}

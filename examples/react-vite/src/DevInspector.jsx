import { useOnstage } from 'onstage/react';
import { useEffect, useRef } from 'react';

/** The inspector, loaded only when asked for (?inspect): a development tool. */
export function DevInspector() {
  const { onstage } = useOnstage();
  const host = useRef(null);
  useEffect(() => {
    if (!onstage) return undefined;
    let inspector;
    let cancelled = false;
    import('onstage/inspector').then(({ mountInspector }) => {
      if (!cancelled) inspector = mountInspector(host.current, onstage);
    });
    return () => {
      cancelled = true;
      inspector?.destroy();
    };
  }, [onstage]);
  return <div ref={host} data-testid="inspector-host" />;
}

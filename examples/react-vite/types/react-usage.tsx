// onstage/react: provider, hooks, <Slot> with a tour's advance.
import { OnstageProvider, Slot, useEvaluation, useOnstage, useSlot, useStage, type SlotRenderProps } from 'onstage/react';
import type { Onstage } from 'onstage';

function Banner() {
  return (
    <Slot
      id="banner"
      fallback={null}
      render={({ content, dismiss, convert, stale }: SlotRenderProps) => (
        <aside className={stale ? 'stale' : ''}>
          {String(content?.title)}
          <button onClick={convert}>OK</button>
          <button onClick={dismiss}>Not now</button>
        </aside>
      )}
    />
  );
}

function Tour() {
  return <Slot id="main" render={({ step, advance }) => <button onClick={() => advance?.()}>{step}</button>} />;
}

function Panel() {
  const home = useSlot('home', { reasons: true });
  const stage: string | null = useStage();
  const evaluation = useEvaluation();
  const { track, dismissed, status, onstage } = useOnstage();
  const ready: boolean = status === 'ready' && onstage !== null;
  track('report_created', { kind: 'chart' });
  // @ts-expect-error props are flat
  track('x', { nested: {} });
  return (
    <div onClick={() => home?.experience && dismissed(home.experience)}>
      {stage} {evaluation?.signals.invites} {String(ready)} {home?.items.map((i) => i.label)}
    </div>
  );
}

export function App({ config, instance }: { config: { version: 1 }; instance: Onstage }) {
  return (
    <>
      <OnstageProvider options={{ config, userId: 'ada' }} fallback={<p>Loading</p>} onError={(e) => console.error(e.code)}>
        <Banner />
        <Tour />
        <Panel />
      </OnstageProvider>
      <OnstageProvider instance={instance}>
        <Panel />
      </OnstageProvider>
      {/* @ts-expect-error a Slot needs a render function */}
      <Slot id="banner" />
    </>
  );
}

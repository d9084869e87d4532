import { useEvaluation, useStage } from 'onstage/react';

export function Stats() {
  const stage = useStage();
  const evaluation = useEvaluation();
  return (
    <dl data-testid="stats" data-stage={stage ?? ''}>
      <dt>Stage</dt>
      <dd>{stage ?? '…'}</dd>
      <dt>Invites</dt>
      <dd data-testid="invites">{evaluation?.signals.invites ?? '…'}</dd>
    </dl>
  );
}

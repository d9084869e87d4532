import { useOnstage } from 'onstage/react';

const EVENTS = [
  ['workspace_created', 'Create workspace'],
  ['integration_connected', 'Connect Slack', { provider: 'slack' }],
  ['report_created', 'Build report'],
  ['teammate_invited', 'Invite teammate'],
  ['premium_feature_blocked', 'Try warehouse sync'],
];

export function Actions() {
  const { track, status } = useOnstage();
  return (
    <nav data-testid="actions" data-status={status}>
      {EVENTS.map(([name, label, props]) => (
        <button key={name} data-event={name} onClick={() => track(name, props)}>
          {label}
        </button>
      ))}
    </nav>
  );
}

// The fake product, Acme Analytics: its buttons do what a user of the app
// would do and track the events saas.json reads; the Team & billing form
// sends the user's role, plan, seats and API limit with identify.
import { formatRelative, formatShort } from './clock.js';
import { byTestId, h, mount, s } from './dom.js';

const ACTIVITY_SHOWN = 8;

const TILE_ICONS = {
  workspace: 'M3 8.5 10 3l7 5.5V17H3zM8 17v-5h4v5',
  integration: 'M7 3v4m6-4v4M5 7h10v3a5 5 0 0 1-10 0zm5 8v3',
  report: 'M4 16V10m4 6V5m4 11v-4m4 4V7',
  share: 'M10 3v10M6 7l4-4 4 4M4 12v4h12v-4',
  automation: 'M11 2 4 11h5l-1 7 7-9h-5z',
  feature: 'M9 15a6 6 0 1 0 0-12 6 6 0 0 0 0 12zm4.5-1.5L17 17',
  invite: 'M8 9a3 3 0 1 0 0-6 3 3 0 0 0 0 6zm-5.5 8a5.5 5.5 0 0 1 11 0M15 7v5m-2.5-2.5h5',
  api: 'M7 6l-4 4 4 4m6-8 4 4-4 4',
  premium: 'M5 9h10v8H5zm2 0V6a3 3 0 0 1 6 0v3',
};

const DESCRIBE = {
  workspace_created: () => 'Created a workspace',
  integration_connected: (p) => `Connected ${p.provider}`,
  report_created: () => 'Built a report',
  dashboard_shared: (p) => `Shared a dashboard (${p.audience})`,
  automation_run: () => 'Ran an automation',
  feature_used: (p) => `Opened ${p.feature}`,
  teammate_invited: () => 'Invited a teammate',
  api_call: (p) => `Called the API (${p.units} units)`,
  premium_feature_blocked: () => 'Hit a Business plan feature',
  nps_submitted: (p) => `Rated Acme ${p.score}/10`,
  tour_requested: () => 'Asked for the product tour',
};

function selectedText(select) {
  return select.options[select.selectedIndex]?.text ?? select.value;
}

function drawIcons() {
  for (const el of document.querySelectorAll('.tile-icon[data-icon]')) {
    const path = TILE_ICONS[el.dataset.icon];
    if (!path) continue;
    el.append(s('svg', { viewBox: '0 0 20 20', 'aria-hidden': 'true' },
      s('path', { d: path, fill: 'none', stroke: 'currentColor', 'stroke-width': '1.8', 'stroke-linecap': 'round', 'stroke-linejoin': 'round' })));
  }
}

export function createProduct({ act, setIdentity, toast }) {
  drawIcons();
  const on = (id, handler) => byTestId(id).addEventListener('click', handler);
  const provider = byTestId('provider-select');
  const audience = byTestId('audience-select');
  const feature = byTestId('feature-select');
  const apiUnits = byTestId('api-units');

  on('action-create-workspace', () => act('workspace_created') && toast('Workspace created.'));
  on('action-connect-integration', () =>
    act('integration_connected', { provider: provider.value }) && toast(`${selectedText(provider)} is connected.`));
  on('action-build-report', () => act('report_created') && toast('Report saved.'));
  on('action-share-dashboard', () =>
    act('dashboard_shared', { audience: audience.value }) && toast(`Dashboard shared (${audience.value}).`));
  on('action-run-automation', () => act('automation_run') && toast('Automation ran: 3 reports refreshed.'));
  on('action-use-feature', () => act('feature_used', { feature: feature.value }) && toast(`${selectedText(feature)} opened.`));
  on('action-invite-teammate', () => act('teammate_invited') && toast('Invitation sent.'));
  on('action-call-api', () => {
    const units = Number(apiUnits.value);
    if (!Number.isInteger(units) || units < 1) {
      toast('Enter a whole number of API units.', 'error');
      return;
    }
    if (act('api_call', { units })) toast(`API call done: ${units} units.`);
  });
  on('action-premium', () =>
    act('premium_feature_blocked', { feature: 'warehouse_sync' }) &&
    toast('Warehouse sync is on the Business plan. Ask an owner or admin to upgrade.', 'warn'));

  const scale = byTestId('nps-scale');
  for (let score = 0; score <= 10; score++) {
    scale.append(h('button', {
      type: 'button', testid: `nps-${score}`, class: score >= 9 ? 'promoter' : score >= 7 ? 'passive' : 'detractor',
      onclick: () => act('nps_submitted', { score }) && toast(`Thanks! You rated us ${score}/10.`),
    }, String(score)));
  }

  const form = byTestId('identity');
  const field = (name) => form.elements.namedItem(name);
  function readIdentity() {
    const out = { role: field('role').value, plan: field('plan').value };
    for (const name of ['seats_licensed', 'seats_active', 'api_units']) {
      const n = Number(field(name).value);
      if (field(name).value === '' || !Number.isInteger(n) || n < 0) return null;
      out[name] = n;
    }
    return out;
  }
  form.addEventListener('change', () => {
    const identity = readIdentity();
    if (identity) setIdentity(identity);
    else toast('Seats and API units are whole numbers.', 'error');
  });
  form.addEventListener('submit', (e) => e.preventDefault());

  function syncIdentity(identity) {
    for (const [name, value] of Object.entries(identity)) {
      const el = field(name);
      if (el) el.value = String(value);
    }
  }

  function render({ app, evaluation, now }) {
    byTestId('user-id').textContent = app.userId;
    byTestId('user-role').textContent = app.identity.role;
    const sig = evaluation.signals;
    const stat = (label, value) => h('div', { class: 'stat' }, h('span', {}, label), h('strong', {}, value));
    mount(byTestId('head-stats'),
      stat('Reports this week', sig.reports_7d ?? '–'),
      stat('Integrations', sig.integrations ?? '–'),
      stat('Seats in use', `${app.identity.seats_active} / ${app.identity.seats_licensed}`));
    const list = app.activity.slice(0, ACTIVITY_SHOWN);
    mount(byTestId('activity'),
      list.length === 0
        ? h('li', { class: 'empty' }, 'Nothing yet. Start by creating a workspace.')
        : list.map((e) => h('li', { dataset: { event: e.name } },
          h('span', { class: 'dot', dataset: { event: e.name } }),
          h('span', { class: 'what' }, (DESCRIBE[e.name] ?? (() => e.name))(e.props)),
          h('time', { title: formatShort(e.at) }, formatRelative(e.at, now)))));
  }

  return {
    render,
    syncIdentity,
    featureValues: () => [...feature.options].map((o) => o.value),
  };
}

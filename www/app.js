// The demo's wiring: loads the onstage package and its config (acme.json:
// the reference saas.json plus a guided tour),
// keeps one onstage instance for the current (simulated) user, and renders
// the slots and the product from onstage's decisions each time onstage says
// something changed (subscribe) or the clock jumps. The inspector beside
// them is the package's own (onstage/inspector), mounted for each instance.
import { DAY, HOUR, MINUTE, WEEK, SimClock, formatDateTime, formatUtcOffset, parseDuration, tzOffsetMinutes } from './clock.js';
import { createConfigEditor } from './config-editor.js';
import { byTestId } from './dom.js';
import { createProduct } from './product.js';
import { createSlots } from './slots.js';
import { toast } from './toast.js';

/** A new user's account, as the product would know it after sign-up. */
const DEFAULT_IDENTITY = Object.freeze({ role: 'owner', plan: 'team', seats_licensed: 10, seats_active: 2, api_units: 10_000 });
const DEFAULT_DISPLAY_TIMEOUT = 30 * MINUTE;

const app = {
  pkg: null,
  /** The package's inspector entry, and the inspector mounted for the current instance. */
  inspectorPkg: null,
  inspector: null,
  clock: new SimClock(),
  onstage: null,
  config: null,
  userId: null,
  identity: { ...DEFAULT_IDENTITY },
  warnings: [],
  /** Events this user tracked, newest first (the product's activity feed). */
  activity: [],
  /** Experience id -> when the page last reported it shown. */
  reported: new Map(),
  /** Slot -> experience id rendered by the previous render. */
  displayed: {},
  displayTimeout: DEFAULT_DISPLAY_TIMEOUT,
};

/** The demo's own session (user, simulated time, account form), kept across reloads like onstage's state. */
const SESSION_KEY = 'acme-demo:session';

/** Whether `id` can be an onstage user id (a string of 1 to 256 characters, no lone surrogate). */
function isUserId(id) {
  if (typeof id !== 'string' || id.length === 0 || [...id].length > 256) return false;
  try {
    encodeURIComponent(id);
    return true;
  } catch {
    return false;
  }
}

/**
 * The saved session, checked: every script of the origin shares
 * localStorage, so it may hold anything. An unusable user id drops the
 * session (a new user starts); a bad offset or identity field falls back
 * to its default.
 */
function loadSession() {
  let saved;
  try {
    saved = JSON.parse(localStorage.getItem(SESSION_KEY));
  } catch {
    return null;
  }
  if (saved === null || typeof saved !== 'object' || !isUserId(saved.userId)) return null;
  const offset = Number.isFinite(saved.offset) && saved.offset >= 0 && saved.offset <= 100 * 365 * DAY ? saved.offset : 0;
  const identity = { ...DEFAULT_IDENTITY };
  for (const [name, fallback] of Object.entries(DEFAULT_IDENTITY)) {
    const value = saved.identity?.[name];
    const ok = typeof fallback === 'number' ? Number.isInteger(value) && value >= 0 : typeof value === 'string' && value !== '';
    if (ok) identity[name] = value;
  }
  return { userId: saved.userId, offset, identity };
}

function saveSession() {
  try {
    localStorage.setItem(SESSION_KEY, JSON.stringify({ userId: app.userId, offset: app.clock.offset, identity: app.identity }));
  } catch {
    // Storage unavailable: the demo still works, it just will not resume.
  }
}

function randomUserId() {
  const bytes = crypto.getRandomValues(new Uint8Array(4));
  return `user-${[...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** The identity form's values as onstage's attributes and entitlements. */
function identityPayload() {
  const { role, plan, seats_licensed, seats_active, api_units } = app.identity;
  return {
    attributes: { id: app.userId, role, plan },
    entitlements: { seats_licensed, seats_active, limits: { api_units } },
  };
}

function showError(err) {
  const el = byTestId('app-error');
  el.hidden = false;
  el.textContent = `Something went wrong: ${err.message}`;
  console.error(err);
}

/**
 * Starts onstage for `userId` with `config`, resuming the user's stored
 * state if there is one. The new instance is created before the old one is
 * destroyed, so a refused config leaves the current one running.
 */
async function start(config, userId) {
  const session = { warnings: [] };
  const previousUser = app.userId;
  app.userId = userId;
  let onstage;
  try {
    onstage = await app.pkg.init({
      config,
      userId,
      ...identityPayload(),
      now: app.clock.now,
      onWarning: (warning) => session.warnings.push(warning),
    });
  } catch (err) {
    app.userId = previousUser;
    throw err;
  }
  app.onstage?.destroy();
  app.inspector?.destroy();
  app.inspector = app.inspectorPkg.mountInspector(byTestId('inspector-mount'), onstage, { now: app.clock.now });
  Object.assign(app, session, {
    onstage,
    config,
    activity: [],
    reported: new Map(),
    displayed: {},
    displayTimeout: parseDuration(config.policy?.display_timeout) ?? DEFAULT_DISPLAY_TIMEOUT,
  });
  onstage.subscribe(render);
  saveSession();
  render();
}

/** Applies a new config to the running user: their history carries over. */
function applyConfig(config) {
  app.warnings.length = 0;
  app.onstage.setConfig(config);
  Object.assign(app, {
    config,
    displayTimeout: parseDuration(config.policy?.display_timeout) ?? DEFAULT_DISPLAY_TIMEOUT,
  });
  render();
}

let slots;
let product;

function renderClock(now) {
  const el = byTestId('sim-time');
  el.textContent = formatDateTime(now);
  el.dateTime = new Date(now).toISOString();
  byTestId('tz').textContent = formatUtcOffset(tzOffsetMinutes(now));
}

/** Decides every slot and redraws the page from the decision. */
function render() {
  const onstage = app.onstage;
  if (!onstage) return;
  let decisions;
  let evaluation;
  try {
    decisions = onstage.decide('*', { reasons: true });
    evaluation = onstage.evaluate();
  } catch (err) {
    showError(err);
    return;
  }
  const now = app.clock.now();
  renderClock(now);
  const displayed = slots.render(decisions);
  product.render({ app, evaluation, now });
  // The simulated clock may have jumped: the inspector renders at once too.
  app.inspector.update();
  reportImpressions(onstage, displayed, now);
}

/**
 * Reports `shown` for what is on the page: an experience that has just
 * appeared in its slot, or one still there after the display timeout (the
 * visitor came back later: a new impression). Reporting every render would
 * also be correct (continuations), but each report notifies subscribers,
 * so the page reports only what is new to avoid rendering in a loop.
 */
function reportImpressions(onstage, displayed, now) {
  const before = app.displayed;
  app.displayed = displayed;
  for (const [slot, id] of Object.entries(displayed)) {
    if (!id) continue;
    const last = app.reported.get(id);
    if (before[slot] === id && last !== undefined && now - last < app.displayTimeout) continue;
    app.reported.set(id, now);
    try {
      onstage.shown(id);
    } catch (err) {
      showError(err);
    }
  }
}

/** The user does something in the product: it takes a minute, and onstage sees the event. */
function act(name, props) {
  app.clock.advance(MINUTE);
  saveSession();
  try {
    app.onstage.track(name, props);
  } catch (err) {
    toast(`Not tracked: ${err.message}`, 'error');
    return false;
  }
  app.activity.unshift({ name, props: props ?? {}, at: app.clock.now() });
  app.activity.length = Math.min(app.activity.length, 50);
  return true;
}

function interact(kind, experienceId) {
  try {
    app.onstage[kind](experienceId);
  } catch (err) {
    toast(`${kind} failed: ${err.message}`, 'error');
  }
}

/** The user finished a step of the tour (its Next button, or "Skip this step"). */
function advance(tourId, stepId) {
  try {
    app.onstage.advanced(tourId, stepId);
  } catch (err) {
    toast(`advanced failed: ${err.message}`, 'error');
  }
}

/**
 * "Take the tour": the page tracks the request; onstage decides whether a
 * tour shows, and which (the config targets it). When none does, the
 * reason says why.
 */
function requestTour() {
  if (!act('tour_requested')) return;
  let d;
  try {
    d = app.onstage.decide('tour', { reasons: true });
  } catch (err) {
    toast(`No tour in this config (${err.code})`, 'warn');
    return;
  }
  if (d.experience) return;
  const r = d.reasons?.[0];
  const why = {
    completed: 'you have completed it already',
    cooling_down: `you skipped it; it comes back ${r?.until ? `at ${formatDateTime(Date.parse(r.until))}` : 'later'}`,
    when_failed: `its conditions do not hold (${r?.failed?.join('; ')})`,
    policy_gap: `another prompt (${r?.blockedBy}) was shown moments ago`,
    policy_daily_limit: 'enough prompts were shown today',
  }[r?.result] ?? r?.result ?? 'no tour applies';
  toast(`No tour now: ${why}.`, 'warn');
}

function setIdentity(changes) {
  Object.assign(app.identity, changes);
  saveSession();
  try {
    app.onstage.identify(identityPayload());
  } catch (err) {
    toast(`identify failed: ${err.message}`, 'error');
  }
}

function travel(ms) {
  app.clock.advance(ms);
  saveSession();
  render();
}

/** One working day: a few core actions spread over the day, then on to the same time tomorrow. */
function typicalDay() {
  const features = product.featureValues();
  const feature = features[app.activity.filter((e) => e.name === 'feature_used').length % features.length];
  const day = [
    [1 * HOUR, 'report_created'],
    [1 * HOUR, 'dashboard_shared', { audience: 'team' }],
    [2 * HOUR, 'automation_run'],
    [2 * HOUR, 'feature_used', { feature }],
    [1 * HOUR, 'report_created'],
  ];
  let spent = 0;
  for (const [wait, name, props] of day) {
    app.clock.advance(wait);
    act(name, props);
    spent += wait + MINUTE;
  }
  travel(DAY - spent);
  toast('A typical day went by: 2 reports, a team share, an automation run and a new feature.');
}

async function reset() {
  app.identity = { ...DEFAULT_IDENTITY };
  app.clock.offset = 0;
  product.syncIdentity(app.identity);
  await start(app.config, randomUserId());
  toast(`New user ${app.userId}: a fresh sign-up.`);
}

async function main() {
  try {
    app.pkg = await import('./pkg/index.js');
    app.inspectorPkg = await import('./pkg/inspector.js');
    // The config editor compiles and validates configs in the page: the
    // compiler module too (a product page would ship a compiled plan, and
    // load only the page's module: docs/browser.md, "Plans").
    await Promise.all([app.pkg.load(), app.pkg.loadCompiler()]);
  } catch (err) {
    document.body.dataset.appState = 'error';
    showError(new Error(`the onstage package did not load (${err.message}). Build it with \`npm run build\`, or run \`npm start\`.`));
    return;
  }
  // The reference config (saas.json) plus the demo's tour (acme.json).
  const configText = await (await fetch('./acme.json')).text();
  const config = JSON.parse(configText);

  slots = createSlots({ interact, advance, act, config: () => app.config, toast });
  product = createProduct({ act, setIdentity, toast });
  product.syncIdentity(app.identity);
  createConfigEditor(byTestId('config-editor'), {
    initialText: configText,
    validate: (c) => app.pkg.validateConfig(c),
    apply: applyConfig,
    warnings: () => app.warnings,
  });

  byTestId('start-tour').addEventListener('click', requestTour);
  byTestId('travel-hour').addEventListener('click', () => travel(HOUR));
  byTestId('travel-day').addEventListener('click', () => travel(DAY));
  byTestId('travel-week').addEventListener('click', () => travel(WEEK));
  byTestId('travel-typical-day').addEventListener('click', typicalDay);
  byTestId('reset').addEventListener('click', () => reset().catch(showError));
  setInterval(() => renderClock(app.clock.now()), 15_000);

  // ?user=… picks a user (the tests do); otherwise the last session resumes.
  const asked = new URLSearchParams(location.search).get('user');
  const session = loadSession();
  const resumed = session && (!asked || session.userId === asked) ? session : null;
  if (resumed) {
    app.clock.offset = resumed.offset;
    Object.assign(app.identity, resumed.identity);
    product.syncIdentity(app.identity);
  }
  await start(config, asked || resumed?.userId || randomUserId());
  document.body.dataset.appState = 'ready';
}

main().catch((err) => {
  document.body.dataset.appState = 'error';
  showError(err);
});

// The baseline a team would write by hand instead of onstage: keep the raw
// event array, compute the 16 signals of saas.json with one pass over it
// when a decision is needed, then evaluate the config's conditions with
// GrowthBook's evalCondition. Written to be fast (one pass, no per-event
// allocation, integer day/week keys), and exact to the contract (DESIGN,
// "Time, exactly"), so that its values equal onstage's (the bench page
// asserts that once per history size).
//
// `events` is [{t, name, props}] in time order (t in ms; floored to the
// minute here, as onstage records them).

const MINUTE = 60_000;
const DAY = 86_400_000;
const WITHIN_14D = 14 * DAY;

function ratio(a, b) {
  return typeof a === 'number' && typeof b === 'number' && b !== 0 ? a / b : null;
}

/** The 16 signals of saas.json at `now` (ms), for a user at `tzOffsetMinutes`. */
export function computeSignals(events, now, tzOffsetMinutes, entitlements) {
  const w7 = now - 7 * DAY;
  const w14 = now - 14 * DAY;
  const w28 = now - 28 * DAY;
  const w30 = now - 30 * DAY;
  const w90 = now - 90 * DAY;
  const tz = tzOffsetMinutes * MINUTE;

  let invites = 0;
  let reports7 = 0;
  let shares30 = 0;
  let premium14 = 0;
  let api30 = 0;
  let promoters = 0;
  let recent = 0;
  let earlier = 0;
  let first = null;
  let last = null;
  const providers = new Set();
  const features = new Set();
  // Local days and Monday weeks only grow along a sorted array: count changes.
  let lastWeek = NaN;
  let weeks = 0;
  let lastDay = NaN;
  let days = 0;
  // Funnel workspace_created -> integration_connected -> report_created
  // within 14 d of the first step: the latest start of a run that reached
  // step k at a time before the current minute (later starts leave more
  // room), with this minute's updates held back so steps are strictly after.
  let best = 0;
  let start1 = -Infinity;
  let start2 = -Infinity;
  let pending1 = -Infinity;
  let pending2 = -Infinity;
  let minuteOf = -Infinity;

  for (let i = 0, n = events.length; i < n; i++) {
    const e = events[i];
    const t = e.t - (e.t % MINUTE);
    if (t > now) break;
    if (first === null) first = t;
    last = t;
    if (t !== minuteOf) {
      minuteOf = t;
      if (pending1 > start1) start1 = pending1;
      if (pending2 > start2) start2 = pending2;
    }
    switch (e.name) {
      case 'workspace_created':
        pending1 = t;
        if (best < 1) best = 1;
        break;
      case 'integration_connected': {
        const p = e.props?.provider;
        if (p !== undefined && p !== null) providers.add(p);
        if (t - start1 < WITHIN_14D) {
          if (start1 > pending2) pending2 = start1;
          if (best < 2) best = 2;
        }
        break;
      }
      case 'teammate_invited':
        invites++;
        break;
      case 'premium_feature_blocked':
        if (t > w14) premium14++;
        break;
      case 'api_call':
        if (t > w30 && typeof e.props?.units === 'number') api30 += e.props.units;
        break;
      case 'nps_submitted':
        if (t > w90 && e.props?.score >= 9) promoters++;
        break;
      case 'feature_used':
        if (t > w30) {
          const f = e.props?.feature;
          if (f !== undefined && f !== null) features.add(f);
        }
        break;
      case 'report_created':
      case 'dashboard_shared':
      case 'automation_run':
        if (e.name === 'report_created') {
          if (t > w7) reports7++;
          if (t - start2 < WITHIN_14D) best = 3;
        } else if (e.name === 'dashboard_shared' && t > w30) {
          const a = e.props?.audience;
          if (a === 'team' || a === 'public') shares30++;
        }
        if (t > w14) recent++;
        else if (t > w28) earlier++;
        if (t > w14) {
          const day = Math.floor((t + tz) / DAY);
          if (day !== lastDay) {
            lastDay = day;
            days++;
          }
        }
        // Core weeks: reports and shares (not automations), Monday weeks.
        if (e.name !== 'automation_run' && t > w28) {
          const week = Math.floor((Math.floor((t + tz) / DAY) + 3) / 7);
          if (week !== lastWeek) {
            lastWeek = week;
            weeks++;
          }
        }
        break;
      default:
        break;
    }
  }

  const limits = entitlements?.limits;
  return {
    setup_steps: best,
    integrations: providers.size,
    invites,
    reports_7d: reports7,
    core_active_weeks: weeks,
    meaningful_days_14d: days,
    features_30d: features.size,
    shares_30d: shares30,
    premium_attempts: premium14,
    api_units_30d: api30,
    days_since_active: last === null ? null : (now - last) / DAY,
    days_since_signup: first === null ? null : (now - first) / DAY,
    activity_trend: earlier === 0 ? null : recent / earlier,
    nps_promoter: promoters,
    api_usage_ratio: ratio(api30, limits?.api_units),
    seat_utilization: ratio(entitlements?.seats_active, entitlements?.seats_licensed),
  };
}

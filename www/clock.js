// The simulated clock: real time plus an offset the visitor moves forward
// with the time-travel buttons. onstage reads it through its `now` option,
// so every signal window, cool-down and dwell time follows it.
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
export const WEEK = 7 * DAY;

export class SimClock {
  #offset = 0;

  /** The simulated time in milliseconds (what onstage's `now` returns). */
  now = () => Date.now() + this.#offset;

  /** Moves the simulated time forward by `ms`. */
  advance(ms) {
    this.#offset += ms;
  }

  /** How far ahead of real time the simulation is (saved with the session). */
  get offset() {
    return this.#offset;
  }

  set offset(ms) {
    this.#offset = Number.isFinite(ms) && ms > 0 ? ms : 0;
  }
}

const dateTime = new Intl.DateTimeFormat(undefined, {
  weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit',
});
const shortDateTime = new Intl.DateTimeFormat(undefined, {
  weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit',
});

export const formatDateTime = (t) => dateTime.format(t);
export const formatShort = (t) => shortDateTime.format(t);

/** "3d 4h", "25m", "just now": a duration for people. */
export function formatDuration(ms) {
  const abs = Math.abs(ms);
  if (abs < MINUTE) return 'under a minute';
  const d = Math.floor(abs / DAY);
  const hr = Math.floor((abs % DAY) / HOUR);
  const m = Math.floor((abs % HOUR) / MINUTE);
  if (d > 0) return hr > 0 ? `${d}d ${hr}h` : `${d}d`;
  if (hr > 0) return m > 0 ? `${hr}h ${m}m` : `${hr}h`;
  return `${m}m`;
}

/** "in 6d 23h" / "2h ago", relative to `now`. */
export function formatRelative(t, now) {
  if (Math.abs(t - now) < MINUTE) return 'now';
  return t > now ? `in ${formatDuration(t - now)}` : `${formatDuration(now - t)} ago`;
}

/** The browser's UTC offset in minutes at `t`, as onstage's tzOffsetMinutes wants it. */
export function tzOffsetMinutes(t) {
  return -new Date(t).getTimezoneOffset();
}

export function formatUtcOffset(minutes) {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `UTC${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** Milliseconds of an onstage duration string ("30m", "12h", "7d", "4w"), or null. */
export function parseDuration(text) {
  const m = /^(\d+)([mhdw])$/.exec(typeof text === 'string' ? text : '');
  if (!m) return null;
  return Number(m[1]) * { m: MINUTE, h: HOUR, d: DAY, w: WEEK }[m[2]];
}

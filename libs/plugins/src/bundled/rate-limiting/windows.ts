// Fixed windows aligned as Kong's timestamp.get_timestamps: UTC second, minute, hour, day, month, year.
import { type Period } from './schema';

const SECONDS: Record<Exclude<Period, 'month' | 'year'>, number> = { second: 1, minute: 60, hour: 3600, day: 86400 };

// Month and year bounds need a Date; they can only change on a second boundary, so they are computed once per
// second (hot path: no Date per request).
let boundsSecond = Number.NaN;
let monthStart = 0;
let monthEnd = 0;
let yearStart = 0;
let yearEnd = 0;

function calendarBounds(now: number): void {
  const second = Math.floor(now / 1000);
  if (second === boundsSecond) return;
  const d = new Date(now);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  monthStart = Date.UTC(y, m, 1);
  monthEnd = Date.UTC(y, m + 1, 1);
  yearStart = Date.UTC(y, 0, 1);
  yearEnd = Date.UTC(y + 1, 0, 1);
  boundsSecond = second;
}

/** Start (ms) of the window containing `now`. */
export function windowStart(period: Period, now: number): number {
  if (period === 'month' || period === 'year') {
    calendarBounds(now);
    return period === 'month' ? monthStart : yearStart;
  }
  const size = SECONDS[period] * 1000;
  return now - (now % size);
}

/** End (ms, exclusive) of the window containing `now`. */
export function windowEnd(period: Period, now: number): number {
  if (period === 'month' || period === 'year') {
    calendarBounds(now);
    return period === 'month' ? monthEnd : yearEnd;
  }
  return windowStart(period, now) + SECONDS[period] * 1000;
}

/** Length in seconds of each fixed window; 0 for month and year (calendar windows of varying length). */
export const WINDOW_SECONDS: Record<Period, number> = { ...SECONDS, month: 0, year: 0 };

/** Seconds a key of this window must live (Kong's EXPIRATION table). */
export const EXPIRATION: Record<Period, number> = { second: 1, minute: 60, hour: 3600, day: 86400, month: 2592000, year: 31536000 };

/** `X-RateLimit-Limit-Minute` spelling. */
export const HEADER_SUFFIX: Record<Period, string> = {
  second: 'Second', minute: 'Minute', hour: 'Hour', day: 'Day', month: 'Month', year: 'Year',
};

// Fixed windows aligned as Kong's timestamp.get_timestamps: UTC second, minute, hour, day, month, year.
import type { Period } from './schema';

const SECONDS: Record<Exclude<Period, 'month' | 'year'>, number> = { second: 1, minute: 60, hour: 3600, day: 86400 };

/** Start (ms) of the window containing `now`. */
export function windowStart(period: Period, now: number): number {
  if (period === 'month' || period === 'year') {
    const d = new Date(now);
    return period === 'month' ? Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) : Date.UTC(d.getUTCFullYear(), 0, 1);
  }
  const size = SECONDS[period] * 1000;
  return now - (now % size);
}

/** End (ms, exclusive) of the window containing `now`. */
export function windowEnd(period: Period, now: number): number {
  if (period === 'month' || period === 'year') {
    const d = new Date(now);
    return period === 'month' ? Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) : Date.UTC(d.getUTCFullYear() + 1, 0, 1);
  }
  return windowStart(period, now) + SECONDS[period] * 1000;
}

/** Seconds a key of this window must live (Kong's EXPIRATION table). */
export const EXPIRATION: Record<Period, number> = { second: 1, minute: 60, hour: 3600, day: 86400, month: 2592000, year: 31536000 };

/** `X-RateLimit-Limit-Minute` spelling. */
export const HEADER_SUFFIX: Record<Period, string> = {
  second: 'Second', minute: 'Minute', hour: 'Hour', day: 'Day', month: 'Month', year: 'Year',
};

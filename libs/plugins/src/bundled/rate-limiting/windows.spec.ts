// Window bounds as Kong's timestamps (UTC), including the calendar windows cached per second.
import { WINDOW_SECONDS, windowEnd, windowStart } from './windows';
import type { Period } from './schema';

describe('rate-limiting windows', () => {
  const at = Date.UTC(2024, 1, 29, 23, 59, 59, 999); // leap day, last millisecond
  const table: Array<[Period, number, number]> = [
    ['second', Date.UTC(2024, 1, 29, 23, 59, 59), Date.UTC(2024, 2, 1)],
    ['minute', Date.UTC(2024, 1, 29, 23, 59), Date.UTC(2024, 2, 1)],
    ['hour', Date.UTC(2024, 1, 29, 23), Date.UTC(2024, 2, 1)],
    ['day', Date.UTC(2024, 1, 29), Date.UTC(2024, 2, 1)],
    ['month', Date.UTC(2024, 1, 1), Date.UTC(2024, 2, 1)],
    ['year', Date.UTC(2024, 0, 1), Date.UTC(2025, 0, 1)],
  ];
  it.each(table)('%s', (period, start, end) => {
    expect([windowStart(period, at), windowEnd(period, at)]).toEqual([start, end]);
  });

  it('calendar windows move on at the boundary (cache per second)', () => {
    const before = Date.UTC(2024, 11, 31, 23, 59, 59, 500);
    const after = Date.UTC(2025, 0, 1, 0, 0, 0, 1);
    expect([windowStart('month', before), windowStart('year', before)]).toEqual([Date.UTC(2024, 11, 1), Date.UTC(2024, 0, 1)]);
    expect([windowStart('month', after), windowStart('year', after)]).toEqual([Date.UTC(2025, 0, 1), Date.UTC(2025, 0, 1)]);
    expect(windowEnd('month', before)).toBe(Date.UTC(2025, 0, 1));
  });

  // LocalPolicy computes fixed windows in whole seconds from WINDOW_SECONDS: the same bounds as in ms
  it.each(['second', 'minute', 'hour', 'day'] as Period[])('%s in whole seconds matches windowStart/windowEnd', (period) => {
    const size = WINDOW_SECONDS[period];
    for (const now of [at, at + 1, Date.UTC(2026, 11, 7, 0, 0, 0, 0), Date.UTC(2026, 11, 7, 13, 59, 59, 999), 1765075199999, 1765075200000]) {
      const second = Math.floor(now / 1000);
      const start = second - (second % size);
      expect([start, start + size]).toEqual([Math.floor(windowStart(period, now) / 1000), Math.ceil(windowEnd(period, now) / 1000)]);
    }
  });

  it('month and year have no fixed length', () => {
    expect([WINDOW_SECONDS.month, WINDOW_SECONDS.year]).toEqual([0, 0]);
  });
});

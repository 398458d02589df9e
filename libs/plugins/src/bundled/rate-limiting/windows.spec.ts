// Window bounds as Kong's timestamps (UTC), including the calendar windows cached per second.
import { windowEnd, windowStart } from './windows';
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
});

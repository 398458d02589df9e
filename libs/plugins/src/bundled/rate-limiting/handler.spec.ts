// rate-limiting's response headers from the access phase: RateLimit-Reset is the seconds left in the window of the
// limit closest to being reached (Kong's), computed for fixed windows without calling windowEnd.
import { compilePluginChains } from '../../chains';
import { PluginRun } from '../../pipeline/plugin-run';
import type { HostRequest } from '../../pipeline/host';
import { runAccessPhases } from '../../pipeline/run-phases';
import { loadPlugins } from '../../registry';
import { SnapshotBuilder } from '../../testing/snapshot-builder';
import { PERIODS, type Period } from './schema';
import { windowEnd } from './windows';

const registry = loadPlugins(['bundled']);

function queuedHeaders(period: Period, now: number, scope: string): Record<string, string> {
  const b = new SnapshotBuilder(registry);
  const s = b.service(1);
  const r = b.route(s, ['/']);
  b.plugin('rate-limiting', { [period]: 1000, policy: 'local' }, { route: r }, { id: `00000000-0000-4000-8000-${scope.padStart(12, '0')}` });
  const chains = compilePluginChains(b.build(), registry);
  const host: HostRequest = {
    method: 'GET', protocol: 'http', scheme: 'http', host: 'h', rawPath: '/', upstreamPath: '/', rawQuery: '',
    headers: {}, clientIp: '127.0.0.1', readBody: async () => Buffer.alloc(0),
  };
  const run = new PluginRun(chains, host, { id: r.id, name: null, row: r }, { id: s.id, name: null, row: s }, 'rid', { debug() {}, info() {}, warn() {}, error() {} }, 0);
  jest.setSystemTime(now);
  expect(runAccessPhases(run)).toBeUndefined();
  const queued = run.response.queued ?? [];
  const out: Record<string, string> = {};
  for (let i = 0; i < queued.length; i += 3) out[queued[i] as string] = queued[i + 1] as string;
  return out;
}

describe('rate-limiting RateLimit-Reset', () => {
  beforeAll(() => jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'setTimeout', 'setInterval', 'clearTimeout', 'clearInterval'] }));
  afterAll(() => jest.useRealTimers());

  const instants = [
    Date.UTC(2026, 11, 7, 5, 0, 0, 0), // on every boundary up to the day
    Date.UTC(2026, 11, 7, 5, 59, 59, 1),
    Date.UTC(2026, 11, 31, 23, 59, 59, 999), // the last ms of the year
    Date.UTC(2026, 1, 28, 12, 30, 15, 500),
    Date.UTC(2028, 1, 29, 0, 0, 0, 250), // a leap day
  ];
  const cases = PERIODS.flatMap((period) => instants.map((now, i) => [period, now, i] as const));
  it.each(cases)('%s at %d: the seconds left in the window, at least 1', (period, now, i) => {
    const headers = queuedHeaders(period, now, `${PERIODS.indexOf(period)}${i}`);
    const expected = Math.max(1, Math.ceil((windowEnd(period, now) - now) / 1000));
    expect(headers['ratelimit-reset']).toBe(String(expected));
    expect(headers['ratelimit-limit']).toBe('1000');
    expect(headers['ratelimit-remaining']).toBe('999');
  });
});

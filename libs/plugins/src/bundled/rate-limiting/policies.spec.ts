// The local counters: Kong's fixed windows, rejected requests not counted, counters kept per (route, service,
// identifier) and per period — so they survive a reconfigure that adds or removes another window.
import { LocalPolicy, prepareLimit, type Limit } from './policies';
import { PERIODS, type Period } from './schema';

const limits = (spec: Array<[Period, number]>): Limit[] => spec.map(([p, n]) => prepareLimit(p, n, PERIODS.indexOf(p)));
const T0 = Date.UTC(2026, 10, 26, 6, 0, 0); // a minute boundary

describe('LocalPolicy', () => {
  it('counts per window and does not count rejected requests', () => {
    const policy = new LocalPolicy('spec-1');
    const l = limits([['second', 2], ['minute', 3]]);
    const seen: number[][] = [];
    for (const at of [T0, T0 + 10, T0 + 20, T0 + 1000, T0 + 1500, T0 + 2000]) seen.push([...policy.usage('r', 's', 'c', l, at)]);
    expect(seen).toEqual([
      [0, 0],
      [1, 1],
      [2, 2], // second limit reached: rejected, not counted
      [0, 2], // new second
      [1, 3], // minute limit reached: rejected
      [0, 3],
    ]);
  });

  it('keeps route, service and identifier apart', () => {
    const policy = new LocalPolicy('spec-2');
    const l = limits([['minute', 10]]);
    const keys: Array<[string, string, string]> = [['r1', 's', 'a'], ['r2', 's', 'a'], ['r1', 's2', 'a'], ['r1', 's', 'b'], ['r1', 's', 'a']];
    expect(keys.map(([r, s, id]) => policy.usage(r, s, id, l, T0)[0])).toEqual([0, 0, 0, 0, 1]);
  });

  it('keeps a window counter when another window is added (reconfigure)', () => {
    const policy = new LocalPolicy('spec-3');
    policy.usage('r', 's', 'c', limits([['minute', 10]]), T0);
    policy.usage('r', 's', 'c', limits([['minute', 10]]), T0 + 1);
    expect([...policy.usage('r', 's', 'c', limits([['second', 5], ['minute', 10]]), T0 + 2)]).toEqual([0, 2]);
  });

  it('keeps two plugin entities apart, and shares one entity between policies of the node', () => {
    const l = limits([['minute', 10]]);
    const first = new LocalPolicy('plugin-1');
    expect(first.usage('r', 's', 'c', l, T0)[0]).toBe(0);
    expect(new LocalPolicy('plugin-2').usage('r', 's', 'c', l, T0)[0]).toBe(0);
    // another worker's policy for the same entity (same table): it sees the first one's count
    expect(new LocalPolicy('plugin-1').usage('r', 's', 'c', l, T0)[0]).toBe(1);
  });

  it('starts a window from zero when it turns over', () => {
    const policy = new LocalPolicy('turnover');
    const l = limits([['second', 1]]);
    expect(policy.usage('r', 's', 'c', l, T0)[0]).toBe(0);
    expect(policy.usage('r', 's', 'c', l, T0 + 999)[0]).toBe(1);
    expect(policy.usage('r', 's', 'c', l, T0 + 1000)[0]).toBe(0);
  });
});

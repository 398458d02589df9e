import { createUpstreamRuntime } from './index';
import { ctx, healthchecks, targetRow, upstreamRow } from './spec-helpers';
import type { BalancerContext, Peer, UpstreamRuntime } from './types';

function counts(rt: UpstreamRuntime, n: number, c: () => BalancerContext = () => ctx()): Record<string, number> {
  const out: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const p = rt.pick(c())!;
    const key = `${p.ip}:${p.port}`;
    out[key] = (out[key] ?? 0) + 1;
    rt.release(p);
  }
  return out;
}

describe('round-robin', () => {
  it.each([
    [[100, 100], [1, 1]],
    [[300, 200, 100], [3, 2, 1]],
    [[7, 3], [7, 3]],
    [[65535, 1], [65535, 1]],
  ])('weights %j give exactly %j per cycle, from any start', (weights, perCycle) => {
    const targets = weights.map((w, i) => targetRow(`127.0.0.${i + 1}:80`, w));
    const rt = createUpstreamRuntime(upstreamRow(), targets);
    const cycle = perCycle.reduce((s, c) => s + c, 0);
    rt.pick(ctx()); // arbitrary start offset
    const got = counts(rt, cycle * 3);
    expect(got).toEqual(Object.fromEntries(perCycle.map((c, i) => [`127.0.0.${i + 1}:80`, c * 3])));
  });

  it('interleaves instead of bursting (3:2:1 never repeats the heavy one more than twice in a row)', () => {
    const rt = createUpstreamRuntime(upstreamRow(), [targetRow('10.0.0.1:80', 3), targetRow('10.0.0.2:80', 2), targetRow('10.0.0.3:80', 1)]);
    const seq = Array.from({ length: 60 }, () => rt.pick(ctx())!.ip);
    const runs = seq.join(',').match(/(10\.0\.0\.1,?){3,}/g);
    expect(runs).toBeNull();
  });

  it('gives no traffic to a weight 0 target and reports it HEALTHCHECKS_OFF', () => {
    const rt = createUpstreamRuntime(upstreamRow(), [targetRow('10.0.0.1:80', 100), targetRow('10.0.0.2:80', 0)]);
    expect(counts(rt, 50)).toEqual({ '10.0.0.1:80': 50 });
    expect(rt.health().map((t) => [t.target, t.health])).toEqual([
      ['10.0.0.1:80', 'HEALTHCHECKS_OFF'],
      ['10.0.0.2:80', 'HEALTHCHECKS_OFF'],
    ]);
  });

  it('answers null (503) when the total weight is 0 or there are no targets', () => {
    expect(createUpstreamRuntime(upstreamRow(), [targetRow('10.0.0.1:80', 0)]).pick(ctx())).toBeNull();
    expect(createUpstreamRuntime(upstreamRow(), []).pick(ctx())).toBeNull();
  });

  it('a retry avoids the peers already tried', () => {
    const rt = createUpstreamRuntime(upstreamRow(), [targetRow('10.0.0.1:80'), targetRow('10.0.0.2:80'), targetRow('10.0.0.3:80')]);
    const tried = new Set<Peer>();
    for (let i = 0; i < 3; i++) tried.add(rt.pick(ctx({ triedPeers: tried }))!);
    expect([...tried].map((p) => p.ip).sort()).toEqual(['10.0.0.1', '10.0.0.2', '10.0.0.3']);
    // all tried: still answers one of them
    expect(rt.pick(ctx({ triedPeers: tried }))).not.toBeNull();
  });

  it('returns the same Peer object for the same address, with host, port and Host header', () => {
    const rt = createUpstreamRuntime(upstreamRow({ host_header: 'api.internal' }), [targetRow('10.0.0.1:8080')]);
    const a = rt.pick(ctx());
    expect(rt.pick(ctx())).toBe(a);
    expect({ ...a }).toEqual({ targetId: expect.any(String), host: '10.0.0.1', port: 8080, ip: '10.0.0.1', hostHeader: 'api.internal' });
  });
});

describe('least-connections', () => {
  it('sends new requests to the address with the fewest active connections per weight', () => {
    const rt = createUpstreamRuntime(upstreamRow({ algorithm: 'least-connections' }), [targetRow('10.0.0.1:80', 100), targetRow('10.0.0.2:80', 100)]);
    const first = rt.pick(ctx())!; // held open
    const picks = [rt.pick(ctx())!, rt.pick(ctx())!];
    // with one connection held, the next goes to the other address; then both have one, either may win
    expect(picks[0].ip).not.toBe(first.ip);
    rt.release(picks[0]);
    rt.release(picks[1]);
    const next = rt.pick(ctx())!;
    expect(next.ip).not.toBe(first.ip);
  });

  it('weights the count: weight 300 takes 3 connections for every 1 of weight 100', () => {
    const rt = createUpstreamRuntime(upstreamRow({ algorithm: 'least-connections' }), [targetRow('10.0.0.1:80', 300), targetRow('10.0.0.2:80', 100)]);
    const held: Record<string, number> = {};
    for (let i = 0; i < 8; i++) {
      const p = rt.pick(ctx())!;
      held[p.ip] = (held[p.ip] ?? 0) + 1;
    }
    expect(held).toEqual({ '10.0.0.1': 6, '10.0.0.2': 2 });
  });
});

describe('latency', () => {
  it('prefers the address with the lower latency EWMA', () => {
    let t = 1_000_000;
    const rt = createUpstreamRuntime(upstreamRow({ algorithm: 'latency' }), [targetRow('10.0.0.1:80'), targetRow('10.0.0.2:80')], { now: () => t });
    const peers = new Map<string, Peer>();
    for (let i = 0; i < 20 && peers.size < 2; i++) {
      const p = rt.pick(ctx())!;
      peers.set(p.ip, p);
    }
    rt.report(peers.get('10.0.0.1')!, { kind: 'success', status: 200, latencyMs: 80 });
    rt.report(peers.get('10.0.0.2')!, { kind: 'success', status: 200, latencyMs: 5 });
    t += 100;
    expect(counts(rt, 50)).toEqual({ '10.0.0.2:80': 50 });
    // the fast one turns slow: after enough samples the preference flips
    for (let i = 0; i < 30; i++) {
      t += 1000;
      rt.report(peers.get('10.0.0.2')!, { kind: 'success', status: 200, latencyMs: 500 });
    }
    expect(counts(rt, 50)).toEqual({ '10.0.0.1:80': 50 });
  });

  it('a retry goes to the other address even if it is slower', () => {
    const rt = createUpstreamRuntime(upstreamRow({ algorithm: 'latency' }), [targetRow('10.0.0.1:80'), targetRow('10.0.0.2:80')]);
    const first = rt.pick(ctx())!;
    const second = rt.pick(ctx({ triedPeers: new Set([first]) }))!;
    expect(second.ip).not.toBe(first.ip);
  });
});

describe('passive health checks, threshold and setHealth', () => {
  const passive = (fields: Record<string, unknown>, threshold = 0) =>
    upstreamRow({ healthchecks: healthchecks({ passiveUnhealthy: fields, threshold }) });

  it.each([
    ['http_failures', { http_failures: 3 }, { kind: 'http_failure', status: 500 }],
    ['http_failures via a success-kind 503', { http_failures: 3 }, { kind: 'success', status: 503, latencyMs: 1 }],
    ['tcp_failures', { tcp_failures: 3 }, { kind: 'tcp_failure' }],
    ['timeouts', { timeouts: 3 }, { kind: 'timeout' }],
  ] as const)('ejects an address after 3 %s in a row', (_name, fields, outcome) => {
    const rt = createUpstreamRuntime(passive(fields), [targetRow('10.0.0.1:80'), targetRow('10.0.0.2:80')]);
    const bad = rt.pick(ctx())!;
    rt.report(bad, outcome);
    rt.report(bad, outcome);
    expect(rt.health().map((t) => t.health)).toEqual(['HEALTHY', 'HEALTHY']);
    rt.report(bad, outcome);
    const byTarget = Object.fromEntries(rt.health().map((t) => [t.data.addresses[0].ip, t.health]));
    expect(byTarget[bad.ip]).toBe('UNHEALTHY');
    const got = new Set(Array.from({ length: 10 }, () => rt.pick(ctx())!.ip));
    expect([...got]).toEqual([bad.ip === '10.0.0.1' ? '10.0.0.2' : '10.0.0.1']);
  });

  it('a success in between resets the failure count', () => {
    const rt = createUpstreamRuntime(passive({ http_failures: 2 }, 0), [targetRow('10.0.0.1:80')]);
    const p = rt.pick(ctx())!;
    rt.report(p, { kind: 'http_failure', status: 500 });
    rt.report(p, { kind: 'success', status: 200, latencyMs: 1 });
    expect(rt.health()[0].health).toBe('HEALTHY');
  });

  it('passive successes with successes=0 never bring an address back; setHealth does', () => {
    const rt = createUpstreamRuntime(passive({ tcp_failures: 1 }), [targetRow('10.0.0.1:80', 100, 'T1')]);
    const p = rt.pick(ctx())!;
    rt.report(p, { kind: 'tcp_failure' });
    expect(rt.pick(ctx())).toBeNull();
    rt.report(p, { kind: 'success', status: 200, latencyMs: 1 });
    expect(rt.pick(ctx())).toBeNull();
    expect(rt.setHealth('T1', null, true)).toEqual({ ok: true });
    expect(rt.pick(ctx())).toBe(p);
    expect(rt.setHealth('10.0.0.1:80', '10.0.0.1:80', false)).toEqual({ ok: true });
    expect(rt.pick(ctx())).toBeNull();
    expect(rt.health()[0]).toMatchObject({ id: 'T1', target: '10.0.0.1:80', weight: 100, health: 'UNHEALTHY' });
  });

  it('setHealth errors: unknown target 404, unknown address 400; checks off still takes a manual status', () => {
    const rt = createUpstreamRuntime(passive({ tcp_failures: 1 }), [targetRow('10.0.0.1:80')]);
    expect(rt.setHealth('nope:80', null, false)).toEqual({ ok: false, status: 404, message: 'Not found' });
    expect(rt.setHealth('10.0.0.1:80', '10.9.9.9', false)).toEqual({ ok: false, status: 400, message: 'target not found' });
    const off = createUpstreamRuntime(upstreamRow({ name: 'off' }), [targetRow('10.0.0.1:80')]);
    expect(off.setHealth('10.0.0.1:80', null, false)).toEqual({ ok: true });
    expect(off.pick(ctx())).toBeNull();
    expect(off.health()[0]).toMatchObject({ health: 'HEALTHCHECKS_OFF' });
  });

  it.each([
    // threshold, unhealthy count of 4 equal targets -> balancer healthy?
    [0, 3, true],
    [0, 4, false],
    [50, 1, true], // 75% > 50
    [50, 2, false], // 50% is not above 50
    [74, 1, true],
    [75, 1, false],
  ])('threshold %d%% with %d of 4 targets down: healthy=%s', (threshold, down, healthy) => {
    const targets = [1, 2, 3, 4].map((i) => targetRow(`10.0.0.${i}:80`, 100, `T${i}`));
    const rt = createUpstreamRuntime(passive({ tcp_failures: 1 }, threshold), targets);
    for (let i = 1; i <= down; i++) rt.setHealth(`T${i}`, null, false);
    expect(rt.pick(ctx()) !== null).toBe(healthy);
    expect(rt.balancerHealth()).toMatchObject({
      health: healthy ? 'HEALTHY' : 'UNHEALTHY',
      balancer_health: healthy ? 'HEALTHY' : 'UNHEALTHY',
      details: { healthy, weight: { total: 400, available: 400 - 100 * down, unavailable: 100 * down } },
    });
  });

  it('reports the health endpoint shape per target', () => {
    const rt = createUpstreamRuntime(passive({ tcp_failures: 1 }), [targetRow('10.0.0.1:80', 50, 'T1')]);
    expect(rt.health()).toEqual([
      {
        id: 'T1',
        target: '10.0.0.1:80',
        weight: 50,
        upstream: { id: 'u' },
        tags: null,
        created_at: 1,
        updated_at: 1,
        health: 'HEALTHY',
        data: {
          host: '10.0.0.1',
          port: 80,
          dns: 'A',
          nodeWeight: 50,
          weight: { total: 50, available: 50, unavailable: 0 },
          addresses: [{ ip: '10.0.0.1', port: 80, weight: 50, health: 'HEALTHY' }],
        },
      },
    ]);
  });

  it('a replacement runtime keeps the health of unchanged addresses', () => {
    const up = passive({ tcp_failures: 1 });
    const targets = [targetRow('10.0.0.1:80'), targetRow('10.0.0.2:80')];
    const old = createUpstreamRuntime(up, targets);
    const p = old.pick(ctx())!;
    old.report(p, { kind: 'tcp_failure' });
    const next = createUpstreamRuntime(up, targets, { previous: old });
    expect(next.health().map((t) => [t.data.addresses[0].ip, t.health])).toContainEqual([p.ip, 'UNHEALTHY']);
  });
});

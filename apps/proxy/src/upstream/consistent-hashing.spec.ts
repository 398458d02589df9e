import { cookieValue, queryArg } from './hash-input';
import { createUpstreamRuntime } from './index';
import { ctx, healthchecks, targetRow, upstreamRow } from './spec-helpers';
import type { BalancerContext, UpstreamRuntime } from './types';

const hashed = (fields: Record<string, unknown>) => upstreamRow({ algorithm: 'consistent-hashing', ...fields });
const targets = (n: number) => Array.from({ length: n }, (_, i) => targetRow(`10.0.1.${i + 1}:80`, 100, `T${i + 1}`));

function mapping(rt: UpstreamRuntime, keys: readonly string[]): string[] {
  return keys.map((k) => rt.pick(ctx({ headers: { 'x-user': k } }))!.ip);
}

describe('consistent-hashing', () => {
  const keys = Array.from({ length: 2000 }, (_, i) => `user-${i}`);
  const up = hashed({ hash_on: 'header', hash_on_header: 'X-User' });

  it('maps a value to the same peer, identically on every node', () => {
    const a = mapping(createUpstreamRuntime(up, targets(4)), keys);
    const b = mapping(createUpstreamRuntime(up, [...targets(4)].reverse()), keys);
    expect(b).toEqual(a);
    // and spreads the keys over all targets, roughly evenly
    const share = new Map<string, number>();
    for (const ip of a) share.set(ip, (share.get(ip) ?? 0) + 1);
    expect(share.size).toBe(4);
    for (const n of share.values()) expect(n).toBeGreaterThan(2000 / 4 / 2);
  });

  it('adding a target only moves keys to the new target (about 1/5 of them)', () => {
    const before = mapping(createUpstreamRuntime(up, targets(4)), keys);
    const after = mapping(createUpstreamRuntime(up, targets(5)), keys);
    const moved = keys.filter((_, i) => before[i] !== after[i]);
    const movedElsewhere = keys.filter((_, i) => before[i] !== after[i] && after[i] !== '10.0.1.5');
    expect(movedElsewhere.length).toBeLessThanOrEqual(keys.length * 0.01);
    expect(moved.length / keys.length).toBeGreaterThan(0.1);
    expect(moved.length / keys.length).toBeLessThan(0.3);
  });

  it('removing a target only moves the keys it had', () => {
    const before = mapping(createUpstreamRuntime(up, targets(5)), keys);
    const after = mapping(createUpstreamRuntime(up, targets(4)), keys);
    const movedFromSurvivors = keys.filter((_, i) => before[i] !== after[i] && before[i] !== '10.0.1.5');
    expect(movedFromSurvivors.length).toBeLessThanOrEqual(keys.length * 0.01);
  });

  it('an unavailable peer sends its keys to the neighbour; others stay put', () => {
    const rt = createUpstreamRuntime(hashed({ hash_on: 'header', hash_on_header: 'x-user', healthchecks: healthchecks({ passiveUnhealthy: { tcp_failures: 1 } }) }), targets(4));
    const before = mapping(rt, keys);
    expect(rt.setHealth('T2', null, false)).toEqual({ ok: true });
    const after = mapping(rt, keys);
    keys.forEach((_, i) => {
      if (before[i] === '10.0.1.2') expect(after[i]).not.toBe('10.0.1.2');
      else expect(after[i]).toBe(before[i]);
    });
  });

  it('a retry lands on the same peer (Kong does not skip tried peers when hashing)', () => {
    const rt = createUpstreamRuntime(up, targets(3));
    const c = ctx({ headers: { 'x-user': 'alice' } });
    const first = rt.pick(c)!;
    expect(c.hashValue).toBe('alice');
    expect(rt.pick({ ...c, triedPeers: new Set([first]) })).toBe(first);
  });

  type Case = [string, Record<string, unknown>, Partial<BalancerContext>, Partial<BalancerContext>];
  it.each<Case>([
    ['consumer', { hash_on: 'consumer' }, { consumerId: 'c1' }, { consumerId: 'c2' }],
    ['consumer falls back to the credential', { hash_on: 'consumer' }, { credentialId: 'k1' }, { credentialId: 'k2' }],
    ['ip', { hash_on: 'ip' }, { clientIp: '192.0.2.1' }, { clientIp: '192.0.2.2' }],
    ['path', { hash_on: 'path' }, { path: '/a' }, { path: '/b' }],
    ['query_arg', { hash_on: 'query_arg', hash_on_query_arg: 'u' }, { query: 'x=1&u=a' }, { query: 'u=b' }],
    ['uri_capture', { hash_on: 'uri_capture', hash_on_uri_capture: 'id' }, { captures: { id: '7' } }, { captures: { id: '8' } }],
    ['cookie', { hash_on: 'cookie', hash_on_cookie: 'sid' }, { cookies: 'a=1; sid=xyz' }, { cookies: 'sid=abc' }],
    ['header fallback to ip', { hash_on: 'header', hash_on_header: 'x-k', hash_fallback: 'ip' }, { clientIp: '192.0.2.1' }, { clientIp: '192.0.2.2' }],
  ])('hash_on %s reads its input', (_name, fields, c1, c2) => {
    const rt = createUpstreamRuntime(hashed(fields), targets(3));
    const x = ctx(c1);
    rt.pick(x);
    const y = ctx(c2);
    rt.pick(y);
    expect(x.hashValue).not.toBe(y.hashValue);
    expect(x.hashValue).not.toBe('');
    expect(rt.pick(ctx(c1))).toBe(rt.pick(ctx(c1)));
  });

  it.each([
    ['query_arg multi-values sorted and joined', { hash_on: 'query_arg', hash_on_query_arg: 'u' }, { query: 'u=b&u=a&u=c' }, 'a,b,c'],
    ['header', { hash_on: 'header', hash_on_header: 'X-K' }, { headers: { 'x-k': 'v' } }, 'v'],
    ['header fallback query_arg', { hash_on: 'header', hash_on_header: 'x-k', hash_fallback: 'query_arg', hash_fallback_query_arg: 'q' }, { query: 'q=%20z' }, ' z'],
    ['nothing present hashes ""', { hash_on: 'header', hash_on_header: 'x-k' }, {}, ''],
  ])('%s', (_name, fields, c, expected) => {
    const x = ctx(c as Partial<BalancerContext>);
    expect(createUpstreamRuntime(hashed(fields), targets(2)).pick(x)).not.toBeNull();
    expect(x.hashValue).toBe(expected);
  });

  it('a missing hash cookie is generated and returned as Set-Cookie, and retries reuse it', () => {
    const rt = createUpstreamRuntime(hashed({ hash_on: 'cookie', hash_on_cookie: 'sid', hash_on_cookie_path: '/app' }), targets(3));
    const c = ctx();
    const first = rt.pick(c)!;
    expect(c.setCookie).toMatch(/^sid=[0-9a-f-]{36}; Path=\/app; Same-Site=Lax; HttpOnly$/);
    const uuid = c.setCookie!.slice(4, 40);
    expect(c.hashValue).toBe(uuid);
    expect(rt.pick(c)).toBe(first);
    // the client returns with the cookie: same peer
    expect(rt.pick(ctx({ cookies: `sid=${uuid}` }))).toBe(first);
  });

  it('weight shapes the share of keys', () => {
    const rt = createUpstreamRuntime(up, [targetRow('10.0.1.1:80', 300), targetRow('10.0.1.2:80', 100)]);
    const share = mapping(rt, keys).filter((ip) => ip === '10.0.1.1').length / keys.length;
    expect(share).toBeGreaterThan(0.65);
    expect(share).toBeLessThan(0.85);
  });
});

describe('hash input parsing', () => {
  it.each([
    ['a=1; sid=x', 'sid', 'x'],
    ['sid=x;a=1', 'sid', 'x'],
    ['asid=1; sid=2', 'sid', '2'],
    ['a=1', 'sid', null],
    ['', 'sid', null],
  ])('cookie %j %s -> %j', (header, name, expected) => expect(cookieValue(header, name)).toBe(expected));

  it.each([
    ['a=1&b=2', 'b', '2'],
    ['b=2&b=1', 'b', '1,2'],
    ['b', 'b', ''],
    ['c%20d=e+f', 'c d', 'e f'],
    [null, 'b', ''],
  ])('query %j %s -> %j', (q, name, expected) => expect(queryArg(q, name)).toBe(expected));
});

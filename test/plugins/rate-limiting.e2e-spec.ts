// rate-limiting (local policy) through real traffic: Kong's headers and 429, limit_by, and consumer-scoped
// configs chosen after authentication.
import { awayFromWindowEdge, createKit, type Kit } from './support/kit';

describe('rate-limiting local (proxy)', () => {
  let kit: Kit;

  beforeAll(async () => {
    kit = await createKit();
    const b = kit.builder;
    const service = b.service(kit.upstream.port);
    const basic = b.route(service, ['/basic']);
    const two = b.route(service, ['/two']);
    const hidden = b.route(service, ['/hidden']);
    const byHeader = b.route(service, ['/by-header']);
    const byIp = b.route(service, ['/by-ip']);
    const perConsumer = b.route(service, ['/per-consumer']);
    const gold = b.consumer('gold');
    const free = b.consumer('free');
    b.keyAuth(gold, 'gold-key');
    b.keyAuth(free, 'free-key');
    b.plugin('rate-limiting', { minute: 3 }, { route: basic });
    b.plugin('rate-limiting', { second: 2, hour: 10 }, { route: two });
    b.plugin('rate-limiting', { minute: 1, hide_client_headers: true }, { route: hidden });
    b.plugin('rate-limiting', { minute: 1, limit_by: 'header', header_name: 'x-tenant' }, { route: byHeader });
    b.plugin('rate-limiting', { minute: 1, limit_by: 'ip' }, { route: byIp });
    b.plugin('key-auth', {}, { route: perConsumer });
    b.plugin('rate-limiting', { minute: 1 }, { route: perConsumer });
    // the gold consumer's own config (consumer + route) replaces the route's once key-auth identified it
    b.plugin('rate-limiting', { minute: 3 }, { route: perConsumer, consumer: gold });
    await kit.start();
  });
  afterAll(() => kit.close());
  beforeEach(() => awayFromWindowEdge());

  it('counts down with Kong headers, then answers 429 with Retry-After', async () => {
    for (const remaining of [2, 1, 0]) {
      const res = await kit.get('/basic/x');
      expect(res.status).toBe(200);
      expect(res.headers['x-ratelimit-limit-minute']).toBe('3');
      expect(res.headers['x-ratelimit-remaining-minute']).toBe(String(remaining));
      expect(res.headers['ratelimit-limit']).toBe('3');
      expect(res.headers['ratelimit-remaining']).toBe(String(remaining));
      const reset = Number(res.headers['ratelimit-reset']);
      expect(reset).toBeGreaterThanOrEqual(1);
      expect(reset).toBeLessThanOrEqual(60);
    }
    const before = kit.upstream.requests;
    const res = await kit.get('/basic/x');
    expect(res.status).toBe(429);
    expect(res.json.message).toBe('API rate limit exceeded');
    expect(res.headers['x-ratelimit-remaining-minute']).toBe('0');
    expect(res.headers['ratelimit-remaining']).toBe('0');
    expect(Number(res.headers['retry-after'])).toBe(Number(res.headers['ratelimit-reset']));
    expect(kit.upstream.requests).toBe(before);
  });

  it('several windows: one header pair each, RateLimit-* from the one closest to its limit', async () => {
    const res = await kit.get('/two/x');
    expect(res.headers['x-ratelimit-limit-second']).toBe('2');
    expect(res.headers['x-ratelimit-limit-hour']).toBe('10');
    expect(res.headers['x-ratelimit-remaining-hour']).toBe('9');
    // the second window may have rolled over between requests: the hour window never does here
    const second = Number(res.headers['x-ratelimit-remaining-second']);
    expect(second).toBe(1);
    expect(res.headers['ratelimit-limit']).toBe('2');
    expect(res.headers['ratelimit-remaining']).toBe('1');
    expect(res.headers['ratelimit-reset']).toBe('1');
  });

  it('hide_client_headers', async () => {
    const ok = await kit.get('/hidden/x');
    expect(ok.status).toBe(200);
    expect(Object.keys(ok.headers).filter((h) => h.includes('ratelimit'))).toEqual([]);
    const limited = await kit.get('/hidden/x');
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBeUndefined();
  });

  it('limit_by header counts per header value', async () => {
    expect((await kit.get('/by-header/x', { 'x-tenant': 'a' })).status).toBe(200);
    expect((await kit.get('/by-header/x', { 'x-tenant': 'a' })).status).toBe(429);
    expect((await kit.get('/by-header/x', { 'x-tenant': 'b' })).status).toBe(200);
  });

  it('limit_by ip counts per client address', async () => {
    expect((await kit.get('/by-ip/x', { 'x-forwarded-for': '10.0.0.1' })).status).toBe(200);
    expect((await kit.get('/by-ip/x', { 'x-forwarded-for': '10.0.0.1' })).status).toBe(429);
    expect((await kit.get('/by-ip/x', { 'x-forwarded-for': '10.0.0.2' })).status).toBe(200);
  });

  it('a consumer-scoped config applies once the consumer is authenticated', async () => {
    const free1 = await kit.get('/per-consumer/x', { apikey: 'free-key' });
    expect(free1.headers['x-ratelimit-limit-minute']).toBe('1');
    expect((await kit.get('/per-consumer/x', { apikey: 'free-key' })).status).toBe(429);
    for (let i = 0; i < 3; i++) {
      const res = await kit.get('/per-consumer/x', { apikey: 'gold-key' });
      expect(res.status).toBe(200);
      expect(res.headers['x-ratelimit-limit-minute']).toBe('3');
    }
    expect((await kit.get('/per-consumer/x', { apikey: 'gold-key' })).status).toBe(429);
  });
});

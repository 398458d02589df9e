// response-ratelimiting through real `tollgate start` nodes and an upstream that reports what each response
// consumed in `X-Kong-Limit` (Kong's protocol): the client headers, the 429s (after the upstream answered, or at
// once with block_on_first_violation), counters shared by a node's workers (local) and kept in Redis (redis).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Redis from 'ioredis';
import { loopbackConf, startNode, stopNode, tempPrefix, writeConf, type RunningNode } from '../support/cli-node';
import { http, type Reply } from '../support/http';
import { waitFor } from '../support/wait';

const EMPTY_UUID = '00000000-0000-0000-0000-000000000000';

/** Echoes the request headers; reports `x-consume` in the header named by `x-consume-header` (X-Kong-Limit). */
async function startLimitUpstream(): Promise<{ port: number; readonly requests: number; close(): Promise<void> }> {
  let requests = 0;
  const server: Server = createServer((req, res) => {
    requests++;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    const consume = req.headers['x-consume'];
    if (typeof consume === 'string') headers[(req.headers['x-consume-header'] as string | undefined) ?? 'X-Kong-Limit'] = consume;
    res.writeHead(200, headers);
    res.end(JSON.stringify({ headers: req.headers }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    get requests() { return requests; },
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

describe('response-ratelimiting on a running node', () => {
  let node: RunningNode;
  let dbless: RunningNode;
  let upstream: Awaited<ReturnType<typeof startLimitUpstream>>;
  let redis: Redis;
  let admin: string;
  let proxy: string;
  const routeIds: Record<string, string> = {};

  const route = async (name: string, config: Record<string, unknown>) => {
    const created = await http('POST', `${admin}/services/up/routes`, { body: { name, paths: [`/${name}`] } });
    expect(created.status).toBe(201);
    routeIds[name] = created.json.id;
    const r = await http('POST', `${admin}/routes/${name}/plugins`, { body: { name: 'response-ratelimiting', config } });
    if (r.status !== 201) throw new Error(`${name}: ${r.text}`);
    return r.json;
  };
  const get = (path: string, consume?: string, headerName?: string) => http('GET', `${proxy}${path}`, {
    headers: { ...(consume === undefined ? {} : { 'x-consume': consume }), ...(headerName === undefined ? {} : { 'x-consume-header': headerName }) },
  });
  /** What the upstream was told is left of `limit` (request header X-RateLimit-Remaining-{limit}). */
  const toldUpstream = (r: Reply, limit: string) => r.json.headers[`x-ratelimit-remaining-${limit}`];
  /** Polls with requests that consume nothing until the upstream is told `expected` (counts are added after the response). */
  const untilRemaining = (path: string, limit: string, expected: string) =>
    waitFor(async () => (toldUpstream(await get(path), limit) === expected ? true : undefined), `${path}: ${limit} remaining ${expected}`);

  beforeAll(async () => {
    upstream = await startLimitUpstream();
    redis = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true, maxRetriesPerRequest: 1 });
    const prefix = tempPrefix();
    node = await startNode(['-c', writeConf(prefix, loopbackConf(prefix, { worker_processes: '2' })), '-p', prefix]);
    admin = `http://127.0.0.1:${node.port('admin_listen')}`;
    proxy = `http://127.0.0.1:${node.port('proxy_listen')}`;
    expect((await http('POST', `${admin}/services`, { body: { name: 'up', url: `http://127.0.0.1:${upstream.port}` } })).status).toBe(201);
    await route('rr', { limits: { videos: { minute: 3, day: 100 }, images: { day: 5 } } });
    await route('block', { block_on_first_violation: true, limits: { videos: { day: 2 } } });
    await route('hidden', { hide_client_headers: true, header_name: 'X-Usage', limits: { videos: { day: 1 } } });
    await route('shared', { limit_by: 'ip', limits: { videos: { day: 4 } } });
    await waitFor(async () => ((await get('/shared')).status === 200 ? true : undefined), 'the routes to be served');
  });

  afterAll(async () => {
    if (node) await stopNode(node);
    if (dbless) await stopNode(dbless);
    await upstream?.close();
    if (redis) {
      for (const id of Object.values(routeIds)) {
        const keys = await redis.keys(`response-ratelimit:${id}:*`);
        if (keys.length) await redis.del(...keys);
      }
      redis.disconnect();
    }
  });

  it('counts what the upstream reports, shows it to the client, and refuses a response over the limit with an empty 429', async () => {
    // the minute window must not roll over during the test
    await waitFor(async () => (Date.now() % 60_000 < 40_000 ? true : undefined), 'the start of a minute', 30_000, 500);
    const first = await get('/rr', 'videos=1');
    expect(first.status).toBe(200);
    expect(toldUpstream(first, 'videos')).toBe('3');
    expect(toldUpstream(first, 'images')).toBe('5');
    expect(first.headers['x-ratelimit-limit-videos-minute']).toBe('3');
    expect(first.headers['x-ratelimit-remaining-videos-minute']).toBe('2');
    expect(first.headers['x-ratelimit-limit-videos-day']).toBe('100');
    expect(first.headers['x-ratelimit-remaining-videos-day']).toBe('99');
    expect(first.headers['x-ratelimit-limit-images-day']).toBe('5');
    expect(first.headers['x-ratelimit-remaining-images-day']).toBe('5');
    expect(first.headers['x-kong-limit']).toBeUndefined();
    await untilRemaining('/rr', 'videos', '2');

    const second = await get('/rr', 'videos=2, images=1, unknown=7');
    expect(second.status).toBe(200);
    expect(second.headers['x-ratelimit-remaining-videos-minute']).toBe('0');
    expect(second.headers['x-ratelimit-remaining-images-day']).toBe('4');
    await untilRemaining('/rr', 'videos', '0');

    // a response that consumes nothing passes even with the limit used up
    expect((await get('/rr')).status).toBe(200);
    const before = upstream.requests;
    const over = await get('/rr', 'videos=1');
    expect(over.status).toBe(429);
    expect(over.text).toBe('');
    expect(over.headers['content-length']).toBe('0');
    expect(over.headers['x-ratelimit-remaining-videos-minute']).toBe('0');
    expect(over.headers['x-kong-limit']).toBeUndefined();
    expect(upstream.requests).toBe(before + 1);
    // what the refused response reported is not counted
    const after = await get('/rr');
    expect(toldUpstream(after, 'images')).toBe('4');
    expect(after.headers['x-ratelimit-remaining-videos-day']).toBe('97');
  });

  it('block_on_first_violation refuses in access with Kong\'s message, without calling the upstream', async () => {
    expect((await get('/block', 'videos=2')).status).toBe(200);
    await waitFor(async () => ((await get('/block')).status === 429 ? true : undefined), 'the block to start');
    const before = upstream.requests;
    const r = await get('/block');
    expect(r.status).toBe(429);
    expect(r.json.message).toBe("API rate limit exceeded for 'videos'");
    expect(upstream.requests).toBe(before);
  });

  it('hide_client_headers and a custom header_name', async () => {
    const r = await get('/hidden', 'videos=1', 'X-Usage');
    expect(r.status).toBe(200);
    expect(Object.keys(r.headers).filter((h) => h.startsWith('x-ratelimit'))).toEqual([]);
    expect(r.headers['x-usage']).toBeUndefined();
    await untilRemaining('/hidden', 'videos', '0');
    expect((await get('/hidden', 'videos=1', 'X-Usage')).status).toBe(429);
    // X-Kong-Limit is not this route's header: passed through, not counted
    const other = await get('/hidden', 'videos=1');
    expect(other.status).toBe(200);
    expect(other.headers['x-kong-limit']).toBe('videos=1');
  });

  it('local counters are shared by the node\'s workers', async () => {
    // fresh connections: the two workers take turns
    for (let left = 4; left > 0; left--) {
      const r = await get('/shared', 'videos=1');
      expect(r.status).toBe(200);
      await waitFor(async () => ((await get('/shared')).headers['x-ratelimit-remaining-videos-day'] === String(left - 1) ? true : undefined), `${left - 1} left`);
      // seen alike from both workers
      expect((await get('/shared')).headers['x-ratelimit-remaining-videos-day']).toBe(String(left - 1));
    }
    for (let i = 0; i < 4; i++) expect((await get('/shared', 'videos=1')).status).toBe(429);
  });

  it('policy redis, configured with the flat redis_* fields, counts in Redis under Kong\'s keys', async () => {
    const plugin = await route('redis', { policy: 'redis', redis_host: '127.0.0.1', redis_port: 6379, limits: { videos: { day: 2 } } });
    expect(plugin.config.redis).toMatchObject({ host: '127.0.0.1', port: 6379, timeout: 2000, database: 0 });
    expect(plugin.config.redis_host).toBe('127.0.0.1');
    await waitFor(async () => ((await get('/redis')).headers['x-ratelimit-limit-videos-day'] === '2' ? true : undefined), 'the redis route');
    const now = new Date();
    const dayStart = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
    const key = `response-ratelimit:${routeIds.redis}:${EMPTY_UUID}:127.0.0.1:${dayStart}:videos:day`;
    expect((await get('/redis', 'videos=1')).status).toBe(200);
    await waitFor(async () => ((await redis.get(key)) === '1' ? true : undefined), 'the Redis counter');
    expect(await redis.ttl(key)).toBeGreaterThan(0);
    expect((await get('/redis', 'videos=1')).status).toBe(200);
    await waitFor(async () => ((await redis.get(key)) === '2' ? true : undefined), 'the Redis counter at 2');
    expect((await get('/redis', 'videos=1')).status).toBe(429);
    expect(await redis.get(key)).toBe('2');
  });

  it('the schema has Kong\'s fields and defaults', async () => {
    const r = await http('GET', `${admin}/schemas/plugins/response-ratelimiting`);
    expect(r.status).toBe(200);
    const config = r.json.fields.find((f: Record<string, unknown>) => 'config' in f).config;
    const field = (name: string) => config.fields.find((f: Record<string, unknown>) => name in f)[name];
    expect(config.fields.map((f: Record<string, unknown>) => Object.keys(f)[0])).toEqual([
      'header_name', 'limit_by', 'policy', 'fault_tolerant', 'redis', 'block_on_first_violation', 'hide_client_headers', 'limits',
    ]);
    expect(field('header_name')).toMatchObject({ type: 'string', default: 'x-kong-limit' });
    expect(field('limit_by')).toMatchObject({ default: 'consumer', one_of: ['consumer', 'credential', 'ip'] });
    expect(field('block_on_first_violation')).toMatchObject({ type: 'boolean', required: true, default: false });
    expect(field('limits')).toMatchObject({ type: 'map', required: true, len_min: 1, values: { type: 'record', required: true } });
  });

  it.each([
    [{}, { limits: 'required field missing' }],
    [{ limits: {} }, { limits: 'length must be at least 1' }],
    [{ limits: { videos: {} } }, { limits: { videos: { '@entity': ["at least one of these fields must be non-empty: 'second', 'minute', 'hour', 'day', 'month', 'year'"] } } }],
    [{ limits: { videos: { second: 10, minute: 5 } } }, { limits: { videos: 'the limit for minute(5.0) cannot be lower than the limit for second(10.0)' } }],
    [{ limits: { videos: { minute: 0 } } }, { limits: { videos: { minute: 'value must be greater than 0' } } }],
    [{ limits: { 'my videos': { day: 1 } } }, { limits: { 'my videos': "bad header name 'my videos', allowed characters are A-Z, a-z, 0-9, '_', and '-'" } }],
    [{ limit_by: 'path', limits: { videos: { minute: 1 } } }, { limit_by: 'expected one of: consumer, credential, ip' }],
  ])('refuses config %j with Kong\'s messages', async (config, errors) => {
    const r = await http('POST', `${admin}/plugins`, { body: { name: 'response-ratelimiting', config } });
    expect(r.status).toBe(400);
    expect(r.json.fields.config).toEqual(errors);
  });

  it('refuses policy redis without a host', async () => {
    const r = await http('POST', `${admin}/plugins`, { body: { name: 'response-ratelimiting', config: { policy: 'redis', limits: { v: { day: 1 } } } } });
    expect(r.status).toBe(400);
    expect(r.json.fields.config.redis).toEqual({ host: 'required field missing' });
  });

  it('works from a declarative file on a DB-less node', async () => {
    const prefix = tempPrefix();
    const file = join(prefix, 'kong.yml');
    writeFileSync(file, JSON.stringify({
      _format_version: '3.0',
      services: [{
        name: 'up', url: `http://127.0.0.1:${upstream.port}`,
        routes: [{ name: 'd', paths: ['/d'], plugins: [{ name: 'response-ratelimiting', config: { limits: { videos: { day: 1 } } } }] }],
      }],
    }));
    dbless = await startNode(['-c', writeConf(prefix, loopbackConf(prefix, { database: 'off', declarative_config: file })), '-p', prefix]);
    const url = `http://127.0.0.1:${dbless.port('proxy_listen')}/d`;
    const first = await http('GET', url, { headers: { 'x-consume': 'videos=1' } });
    expect(first.status).toBe(200);
    expect(first.headers['x-ratelimit-remaining-videos-day']).toBe('0');
    await waitFor(async () => ((await http('GET', url)).json.headers['x-ratelimit-remaining-videos'] === '0' ? true : undefined), 'the count');
    expect((await http('GET', url, { headers: { 'x-consume': 'videos=1' } })).status).toBe(429);
  });
});

// proxy-cache through real `tollgate start` nodes: Kong's cache key, X-Cache-Status Miss/Hit/Refresh/Bypass,
// Age, Cache-Control (request and response), vary_*; one cache for the whole node (two workers, each stopped in
// turn so the other must answer), least-recently-used eviction at mem_cache_size; the /proxy-cache Admin API;
// a declarative (DB-less) config. Also the log serializer's request.size / response.size (Kong's request_length
// and bytes_sent) for bodies with and without Content-Length.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loopbackConf, startNode, stopNode, tempPrefix, writeConf, type RunningNode } from '../support/cli-node';
import { http, type Reply } from '../support/http';
import { waitFor } from '../support/wait';
import { createKit, type Kit } from './support/kit';

jest.setTimeout(180_000);

/** An upstream told by request headers what to answer: x-up-status, x-up-type, x-up-cc (Cache-Control), x-up-size. */
async function startControlledUpstream(): Promise<{ port: number; readonly requests: number; close(): Promise<void> }> {
  let requests = 0;
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      requests++;
      const size = Number(req.headers['x-up-size'] ?? 0);
      const body = size > 0 ? 'x'.repeat(size) : JSON.stringify({ n: requests, url: req.url });
      const headers: Record<string, string> = { 'content-type': (req.headers['x-up-type'] as string | undefined) ?? 'application/json', 'x-upstream': 'yes' };
      if (req.headers['x-up-cc']) headers['cache-control'] = req.headers['x-up-cc'] as string;
      res.writeHead(Number(req.headers['x-up-status'] ?? 200), headers);
      res.end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    get requests() { return requests; },
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

/** Kong's key: sha256 hex of `prefix|method|request line up to '?'|params|headers`. */
const kongKey = (prefix: string, method: string, uri: string, params = '', headers = '') =>
  createHash('sha256').update(`${prefix}|${method}|${uri}|${params}|${headers}`).digest('hex');

/** The node's data-plane worker processes (children of the supervisor running dp-worker.js). */
function workerPids(supervisor: number): number[] {
  const out: number[] = [];
  for (const task of readdirSync(`/proc/${supervisor}/task`)) {
    for (const pid of readFileSync(`/proc/${supervisor}/task/${task}/children`, 'utf8').split(' ').filter(Boolean).map(Number)) {
      try {
        if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('dp-worker')) out.push(pid);
      } catch {
        // gone
      }
    }
  }
  return out;
}

describe('proxy-cache on a running node (two workers)', () => {
  let node: RunningNode;
  let upstream: Awaited<ReturnType<typeof startControlledUpstream>>;
  let admin: string;
  let proxy: string;
  const routeIds: Record<string, string> = {};
  const pluginIds: Record<string, string> = {};

  const route = async (name: string, config: Record<string, unknown>) => {
    const created = await http('POST', `${admin}/services/up/routes`, { body: { name, paths: [`/${name}`] } });
    expect(created.status).toBe(201);
    routeIds[name] = created.json.id;
    const r = await http('POST', `${admin}/routes/${name}/plugins`, { body: { name: 'proxy-cache', config: { strategy: 'memory', ...config } } });
    if (r.status !== 201) throw new Error(`${name}: ${r.text}`);
    pluginIds[name] = r.json.id;
  };
  const get = (path: string, headers: Record<string, string> = {}, method = 'GET') => http(method, `${proxy}${path}`, { headers });
  const status = (r: Reply) => r.headers['x-cache-status'];

  beforeAll(async () => {
    upstream = await startControlledUpstream();
    const prefix = tempPrefix();
    node = await startNode(['-c', writeConf(prefix, loopbackConf(prefix, { worker_processes: '2', mem_cache_size: '256k' })), '-p', prefix], { readyTimeoutMs: 90_000 });
    admin = `http://127.0.0.1:${node.port('admin_listen')}`;
    proxy = `http://127.0.0.1:${node.port('proxy_listen')}`;
    expect((await http('POST', `${admin}/services`, { body: { name: 'up', url: `http://127.0.0.1:${upstream.port}` } })).status).toBe(201);
    await route('c', {});
    await route('ttl', { cache_ttl: 1, storage_ttl: 60 }); // kept longer than served: Refresh (else it expires: Miss)
    await route('cc', { cache_control: true });
    await route('vary', { vary_query_params: ['page'], vary_headers: ['X-Lang'] });
    await route('quiet', { response_headers: { age: false, 'X-Cache-Status': false, 'X-Cache-Key': false }, ignore_uri_case: true });
    await route('big', { content_type: ['text/plain'] });
    await waitFor(async () => ((await get('/big', { 'x-up-type': 'text/plain', 'cache-control': 'x' })).status === 200 ? true : undefined), 'the routes to be served', 30_000);
    expect((await http('DELETE', `${admin}/proxy-cache`)).status).toBe(204);
  });

  afterAll(async () => {
    if (node) {
      for (const pid of workerPids(node.child.pid!)) try { process.kill(pid, 'SIGCONT'); } catch { /* gone */ }
      await stopNode(node);
    }
    await upstream?.close();
  });

  it('GET /schemas/plugins/proxy-cache: Kong\'s fields and defaults', async () => {
    const r = await http('GET', `${admin}/schemas/plugins/proxy-cache`);
    expect(r.status).toBe(200);
    const config = r.json.fields.find((f: Record<string, unknown>) => 'config' in f).config;
    const fields = Object.fromEntries(config.fields.map((f: Record<string, unknown>) => Object.entries(f)[0]));
    expect(Object.keys(fields)).toEqual(['response_code', 'request_method', 'content_type', 'cache_ttl', 'strategy', 'cache_control', 'ignore_uri_case', 'storage_ttl', 'memory', 'vary_query_params', 'vary_headers', 'response_headers']);
    expect(fields.response_code).toMatchObject({ type: 'array', default: [200, 301, 404], len_min: 1, required: true });
    expect(fields.request_method.default).toEqual(['GET', 'HEAD']);
    expect(fields.content_type.default).toEqual(['text/plain', 'application/json']);
    expect(fields.cache_ttl).toMatchObject({ type: 'integer', default: 300, gt: 0 });
    expect(fields.strategy).toMatchObject({ type: 'string', required: true, one_of: ['memory'] });
    const memory = Object.fromEntries(fields.memory.fields.map((f: Record<string, unknown>) => Object.entries(f)[0]));
    expect(memory.dictionary_name).toMatchObject({ type: 'string', required: true, default: 'kong_db_cache' });
    const diag = fields.response_headers.fields.map((f: Record<string, unknown>) => Object.keys(f)[0]);
    expect(diag).toEqual(['age', 'X-Cache-Status', 'X-Cache-Key']);
  });

  it('POST /plugins: Kong\'s validation messages', async () => {
    const post = (config: Record<string, unknown>) => http('POST', `${admin}/plugins`, { body: { name: 'proxy-cache', config } });
    let r = await post({ strategy: 'memory', response_code: [] });
    expect(r.status).toBe(400);
    expect(r.json.fields.config.response_code).toBe('length must be at least 1');
    r = await post({ strategy: 'memory', response_code: [1000] });
    expect(r.json.fields.config.response_code).toEqual(['value should be between 100 and 900']);
    r = await post({});
    expect(r.json.fields.config.strategy).toBe('required field missing');
    r = await post({ strategy: 'memory', memory: { dictionary_name: 'nope' } });
    expect(r.status).toBe(400);
    expect(r.json.fields['@entity']).toEqual(["missing shared dict 'nope'"]);
  });

  it('Miss, then Hit with Age and the same body; the key is Kong\'s', async () => {
    const before = upstream.requests;
    const miss = await get('/c/a');
    expect(miss.status).toBe(200);
    expect(status(miss)).toBe('Miss');
    expect(miss.headers['x-cache-key']).toBe(kongKey(routeIds.c, 'GET', 'GET /c/a HTTP/1.1'));
    const hit = await get('/c/a');
    expect(status(hit)).toBe('Hit');
    expect(hit.text).toBe(miss.text);
    expect(hit.headers['x-cache-key']).toBe(miss.headers['x-cache-key']);
    expect(hit.headers.age).toMatch(/^\d+$/);
    expect(hit.headers['x-upstream']).toBe('yes');
    expect(hit.headers['content-type']).toBe('application/json');
    // answered as if proxied (Kong's KONG_PROXIED): the proxy latency, the stored upstream latency, no response latency
    expect(hit.headers['x-kong-proxy-latency']).toMatch(/^\d+$/);
    expect(hit.headers['x-kong-upstream-latency']).toMatch(/^\d+$/);
    expect(hit.headers['x-kong-response-latency']).toBeUndefined();
    expect(hit.headers['x-kong-request-id']).not.toBe(miss.headers['x-kong-request-id']);
    expect(upstream.requests).toBe(before + 1);
    // with a query string the request line is cut at '?', and the arguments are sorted by name
    const q = await get('/c/a?b=2&a=1&a=0&flag');
    expect(q.headers['x-cache-key']).toBe(kongKey(routeIds.c, 'GET', 'GET /c/a', 'a=0,1:b=2:flag'));
    expect(status(await get('/c/a?flag&a=1&b=2&a=0'))).toBe('Hit');
  });

  it('one cache for the node: what one worker stored, the other serves', async () => {
    const workers = workerPids(node.child.pid!);
    expect(workers).toHaveLength(2);
    const [a, b] = workers;
    const before = upstream.requests;
    process.kill(a, 'SIGSTOP'); // only b accepts
    try {
      expect(status(await get('/c/shared'))).toBe('Miss');
    } finally {
      process.kill(a, 'SIGCONT');
    }
    process.kill(b, 'SIGSTOP'); // only a accepts
    try {
      const r = await get('/c/shared');
      expect(status(r)).toBe('Hit');
    } finally {
      process.kill(b, 'SIGCONT');
    }
    expect(upstream.requests).toBe(before + 1);
  });

  it('Bypass: a method, status or content type that is not cacheable, and nothing is stored', async () => {
    expect(status(await get('/c/post', {}, 'POST'))).toBe('Bypass');
    expect(status(await get('/c/post', {}, 'POST'))).toBe('Bypass');
    const before = upstream.requests;
    expect(status(await get('/c/html', { 'x-up-type': 'text/html' }))).toBe('Bypass');
    expect(status(await get('/c/html', { 'x-up-type': 'text/html' }))).toBe('Bypass');
    // exact media type match, as Kong: a charset parameter the config does not name is another type
    expect(status(await get('/c/charset', { 'x-up-type': 'application/json; charset=utf-8' }))).toBe('Bypass');
    expect(status(await get('/c/err', { 'x-up-status': '500' }))).toBe('Bypass');
    expect(upstream.requests).toBe(before + 4);
    // 404 is cacheable by default
    expect(status(await get('/c/missing', { 'x-up-status': '404' }))).toBe('Miss');
    const again = await get('/c/missing', { 'x-up-status': '404' });
    expect([again.status, status(again)]).toEqual([404, 'Hit']);
  });

  it('Refresh once an entry is older than cache_ttl', async () => {
    expect(status(await get('/ttl/x'))).toBe('Miss');
    const refreshed = await waitFor(async () => (status(await get('/ttl/x')) === 'Refresh' ? true : undefined), 'a Refresh', 10_000);
    expect(refreshed).toBe(true);
    expect(status(await get('/ttl/x'))).toBe('Hit');
  });

  it('cache_control: request and response directives', async () => {
    // a response without max-age, s-maxage or Expires has no TTL: not stored
    expect(status(await get('/cc/none'))).toBe('Bypass');
    expect(status(await get('/cc/store', { 'x-up-cc': 'no-store, max-age=60' }))).toBe('Bypass');
    expect(status(await get('/cc/private', { 'x-up-cc': 'private, max-age=60' }))).toBe('Bypass');
    expect(status(await get('/cc/ok', { 'x-up-cc': 'public, max-age=60' }))).toBe('Miss');
    expect(status(await get('/cc/ok', { 'x-up-cc': 'public, max-age=60' }))).toBe('Hit');
    expect(status(await get('/cc/s', { 'x-up-cc': 'max-age=0, s-maxage=60' }))).toBe('Miss');
    expect(status(await get('/cc/s'))).toBe('Hit');
    // the client refuses cached answers
    expect(status(await get('/cc/ok', { 'cache-control': 'no-cache' }))).toBe('Bypass');
    expect(status(await get('/cc/ok', { 'cache-control': 'no-store' }))).toBe('Bypass');
    // only-if-cached: 504 without a body when there is nothing cached; the cached answer when there is
    const gateway = await get('/cc/never', { 'cache-control': 'only-if-cached' });
    expect([gateway.status, gateway.text]).toEqual([504, '']);
    expect(status(await get('/cc/ok', { 'cache-control': 'only-if-cached' }))).toBe('Hit');
    // max-age from the client: an entry older than that is refreshed
    const refreshed = await waitFor(async () => (status(await get('/cc/ok', { 'cache-control': 'max-age=0', 'x-up-cc': 'max-age=60' })) === 'Refresh' ? true : undefined), 'a Refresh', 10_000);
    expect(refreshed).toBe(true);
    // without cache_control the same directives change nothing
    expect(status(await get('/c/a', { 'cache-control': 'no-cache' }))).toBe('Hit');
  });

  it('vary_query_params and vary_headers choose what the key depends on', async () => {
    const one = await get('/vary/p?page=1&other=a', { 'x-lang': 'en' });
    expect(status(one)).toBe('Miss');
    expect(one.headers['x-cache-key']).toBe(kongKey(routeIds.vary, 'GET', 'GET /vary/p', 'page=1', 'X-Lang=en'));
    expect(status(await get('/vary/p?page=1&other=b', { 'x-lang': 'en' }))).toBe('Hit');
    expect(status(await get('/vary/p?page=2&other=a', { 'x-lang': 'en' }))).toBe('Miss');
    expect(status(await get('/vary/p?page=1&other=a', { 'x-lang': 'fr' }))).toBe('Miss');
    expect(status(await get('/vary/p?page=1', { 'x-lang': 'en', 'x-other': 'z' }))).toBe('Hit');
  });

  it('response_headers off hides the diagnostic headers (Kong-Debug shows them); ignore_uri_case', async () => {
    const miss = await get('/quiet/Path');
    expect([miss.headers['x-cache-status'], miss.headers['x-cache-key']]).toEqual([undefined, undefined]);
    const hit = await get('/quiet/PATH');
    expect([hit.headers['x-cache-status'], hit.headers.age]).toEqual([undefined, undefined]);
    const debug = await get('/quiet/path', { 'kong-debug': '1' });
    expect(debug.headers['x-cache-status']).toBe('Hit');
    expect(debug.headers['x-cache-key']).toBe(kongKey(routeIds.quiet, 'GET', 'get /quiet/path http/1.1'));
    expect(debug.headers.age).toMatch(/^\d+$/);
  });

  it('the /proxy-cache Admin API: look up and purge by key, by plugin, everything', async () => {
    const miss = await get('/c/admin');
    const key = miss.headers['x-cache-key'] as string;
    let r = await http('GET', `${admin}/proxy-cache/${key}`);
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ status: 200, version: 1, body: miss.text, body_len: Buffer.byteLength(miss.text), ttl: 300 });
    expect(r.json.headers['X-Cache-Key']).toBe(key);
    expect(typeof r.json.timestamp).toBe('number');
    r = await http('GET', `${admin}/proxy-cache/${pluginIds.c}/caches/${key}`);
    expect([r.status, r.json.headers['X-Cache-Key']]).toEqual([200, key]);

    r = await http('DELETE', `${admin}/proxy-cache/${pluginIds.c}/caches/${key}`);
    expect([r.status, r.text]).toEqual([204, '']);
    expect(status(await get('/c/admin'))).toBe('Miss');
    r = await http('DELETE', `${admin}/proxy-cache/${key}`);
    expect(r.status).toBe(204);
    r = await http('DELETE', `${admin}/proxy-cache/${key}`);
    expect([r.status, r.json]).toEqual([404, { message: 'Not found' }]);
    r = await http('GET', `${admin}/proxy-cache/${key}`);
    expect([r.status, r.json]).toEqual([404, { message: 'Not found' }]);
    r = await http('GET', `${admin}/proxy-cache/${pluginIds.c}/caches/${key}`);
    expect(r.status).toBe(404);
    // an id that is not a proxy-cache plugin's
    r = await http('DELETE', `${admin}/proxy-cache/${routeIds.c}/caches/123`);
    expect(r.status).toBe(404);
    r = await http('DELETE', `${admin}/proxy-cache/${pluginIds.c}/caches/123`);
    expect(r.status).toBe(404);

    expect(status(await get('/c/admin'))).toBe('Miss');
    expect(status(await get('/c/admin'))).toBe('Hit');
    r = await http('DELETE', `${admin}/proxy-cache`);
    expect([r.status, r.text]).toEqual([204, '']);
    expect(status(await get('/c/admin'))).toBe('Miss');
  });

  it('mem_cache_size bounds the cache: the least recently used entry is evicted', async () => {
    expect((await http('DELETE', `${admin}/proxy-cache`)).status).toBe(204);
    // each entry takes about 2 x 50 KiB of the 256 KiB: two fit, a third evicts one
    const big = (p: string) => get(`/big/${p}`, { 'x-up-type': 'text/plain', 'x-up-size': String(50 * 1024) });
    expect(status(await big('a'))).toBe('Miss');
    expect(status(await big('b'))).toBe('Miss');
    expect(status(await big('a'))).toBe('Hit'); // a is now the most recently used
    expect(status(await big('c'))).toBe('Miss');
    expect(status(await big('a'))).toBe('Hit');
    expect(status(await big('b'))).toBe('Miss'); // b was evicted
    const r = await big('a');
    expect(r.text.length).toBe(50 * 1024);
  });
});

describe('proxy-cache from a declarative file (DB-less)', () => {
  let kit: Kit;

  beforeAll(async () => {
    kit = await createKit({ conf: { worker_processes: '2' } });
    const b = kit.builder;
    const svc = b.service(kit.upstream.port);
    b.plugin('proxy-cache', { strategy: 'memory', cache_ttl: 30 }, { route: b.route(svc, ['/decl']) });
    await kit.start();
  });

  afterAll(async () => {
    await kit?.close();
  });

  it('caches as configured, and GET /proxy-cache/{key} shows the entry', async () => {
    const miss = await kit.get('/decl/x');
    expect(miss.headers['x-cache-status']).toBe('Miss');
    const hit = await kit.get('/decl/x');
    expect(hit.headers['x-cache-status']).toBe('Hit');
    expect(kit.upstream.requests).toBe(1);
    const r = await http('GET', `${kit.admin}/proxy-cache/${miss.headers['x-cache-key'] as string}`);
    expect([r.status, r.json.ttl]).toEqual([200, 30]);
  });
});

describe('log serializer sizes (Kong request_length and bytes_sent)', () => {
  let node: RunningNode;
  let receiver: Server;
  const entries: Array<Record<string, any>> = [];
  let proxyPort: number;
  let closeUpstream: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    receiver = createServer((req: IncomingMessage, res) => {
      const parts: Buffer[] = [];
      req.on('data', (c: Buffer) => parts.push(c));
      req.on('end', () => {
        const body = JSON.parse(Buffer.concat(parts).toString());
        entries.push(...(Array.isArray(body) ? body : [body]));
        res.end('ok');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const up = await startControlledUpstream();
    const prefix = tempPrefix();
    node = await startNode(['-c', writeConf(prefix, loopbackConf(prefix)), '-p', prefix], { readyTimeoutMs: 90_000 });
    const admin = `http://127.0.0.1:${node.port('admin_listen')}`;
    proxyPort = node.port('proxy_listen');
    expect((await http('POST', `${admin}/services`, { body: { name: 'up', url: `http://127.0.0.1:${up.port}` } })).status).toBe(201);
    expect((await http('POST', `${admin}/services/up/routes`, { body: { name: 'logged', paths: ['/logged'] } })).status).toBe(201);
    const port = (receiver.address() as AddressInfo).port;
    expect((await http('POST', `${admin}/routes/logged/plugins`, { body: { name: 'http-log', config: { http_endpoint: `http://127.0.0.1:${port}/`, queue: { max_batch_size: 1 } } } })).status).toBe(201);
    await waitFor(async () => ((await http('GET', `http://127.0.0.1:${proxyPort}/logged/warm`)).status === 200 ? true : undefined), 'the route to serve', 30_000);
    closeUpstream = () => up.close();
  });

  afterAll(async () => {
    if (node) await stopNode(node);
    await closeUpstream?.();
    await new Promise<void>((r) => { receiver.closeAllConnections(); receiver.close(() => r()); });
  });

  /** Sends a request with exactly these head lines and body; returns the bytes of the request and of the answer. */
  const send = (path: string, headers: Record<string, string>, body: string, chunked: boolean) => new Promise<{ requestBytes: number; responseBytes: number }>((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: proxyPort, method: 'POST', path, headers, agent: false }, (res) => {
      let n = 0;
      res.on('data', (c: Buffer) => (n += c.length));
      res.on('end', () => resolve({ requestBytes: 0, responseBytes: n }));
    });
    req.on('error', reject);
    if (chunked) req.setHeader('transfer-encoding', 'chunked');
    req.write(body);
    req.end();
  });

  it.each([['with Content-Length', false], ['chunked', true]])('request.size counts line, headers and body (%s); response.size the headers too', async (_label, chunked) => {
    const body = 'y'.repeat(1000);
    const path = `/logged/${chunked ? 'chunked' : 'length'}`;
    const headers: Record<string, string> = chunked ? { 'content-type': 'text/plain' } : { 'content-type': 'text/plain', 'content-length': String(body.length) };
    const reply = await send(path, headers, body, chunked);
    const entry = await waitFor(async () => entries.find((e) => e.request?.uri === path), `the log entry of ${path}`, 15_000);
    // the head Node's client wrote: request line, Host, the headers above, Connection
    const head = `POST ${path} HTTP/1.1\r\n` + Object.entries({ ...headers, ...(chunked ? { 'transfer-encoding': 'chunked' } : {}) }).map(([k, v]) => `${k}: ${v}\r\n`).join('') +
      `Host: 127.0.0.1:${proxyPort}\r\nConnection: close\r\n\r\n`;
    expect(entry.request.size).toBe(Buffer.byteLength(head) + body.length);
    expect(entry.response.size).toBeGreaterThan(reply.responseBytes);
  });
});

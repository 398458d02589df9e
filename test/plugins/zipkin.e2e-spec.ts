// zipkin through a real `tollgate start` node: B3 (multi and single header) extraction and propagation upstream,
// sampling, and the request / proxy / balancer-try spans as Zipkin v2 JSON, decoded by a collector in the test.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { http as request } from '../support/http';
import { startLogNode, type LogNode } from './support/log-node';
import { eventually } from './support/kit';

jest.setTimeout(120_000);

interface ZipkinSpan {
  traceId: string; name: string; parentId?: string; id: string; kind: string; timestamp: number; duration: number;
  localEndpoint: { serviceName: string }; remoteEndpoint: { serviceName?: string; port?: number; ipv4?: string } | null;
  tags?: Record<string, string>; annotations?: { value: string; timestamp: number }[];
}

interface Collector { url: string; posts: ZipkinSpan[][]; contentTypes: string[]; spans(): ZipkinSpan[]; close(): Promise<void> }

async function startCollector(): Promise<Collector> {
  const c: Collector = { url: '', posts: [], contentTypes: [], spans: () => c.posts.flat(), close: async () => undefined };
  const server = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (p: Buffer) => parts.push(p));
    req.on('end', () => {
      c.contentTypes.push(String(req.headers['content-type']));
      const body = JSON.parse(Buffer.concat(parts).toString());
      if (!Array.isArray(body)) throw new Error('a Zipkin v2 POST is a JSON array of spans');
      c.posts.push(body);
      res.writeHead(202).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  c.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v2/spans`;
  c.close = () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); });
  return c;
}

const TRACE64 = 'a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';
const PARENT = 'e457b5a2e4d86bd1';
const ofTrace = (c: Collector, traceId: string) => c.spans().filter((s) => s.traceId === traceId);

describe('zipkin plugin', () => {
  let node: LogNode;
  let zipkin: Collector;
  let upstreamPort: number;
  let routeId: string;
  let serviceId: string;

  beforeAll(async () => {
    zipkin = await startCollector();
    node = await startLogNode();
    const svc = (await request('GET', `${node.admin}/services/echo`)).json;
    upstreamPort = svc.port;
    serviceId = svc.id;
    await node.route('zipkin', [{ name: 'zipkin', config: {
      http_endpoint: zipkin.url, sample_ratio: 1, static_tags: [{ name: 'env', value: 'test' }], http_response_header_for_traceid: 'x-trace-id',
      queue: { max_batch_size: 100, max_coalescing_delay: 0.5 },
    } }]);
    routeId = (await request('GET', `${node.admin}/routes/zipkin`)).json.id;
    await node.route('unsampled', [{ name: 'zipkin', config: { http_endpoint: zipkin.url, sample_ratio: 0, queue: { max_coalescing_delay: 0.1 } } }]);
    await node.route('short', [{ name: 'zipkin', config: {
      http_endpoint: zipkin.url, sample_ratio: 1, traceid_byte_count: 8, http_span_name: 'method_path', default_header_type: 'b3-single',
      phase_duration_flavor: 'tags', queue: { max_coalescing_delay: 0.1 },
    } }]);
  });

  afterAll(async () => {
    await node?.close();
    await zipkin?.close();
  });

  test('B3 multi headers: the shared request span, its proxy child sent upstream, the balancer try, with Kong\'s tags', async () => {
    const r = await request('GET', `${node.proxy}/zipkin/things`, {
      headers: { 'x-b3-traceid': TRACE64, 'x-b3-spanid': SPAN, 'x-b3-parentspanid': PARENT, 'x-b3-sampled': '1', 'zipkin-tags': 'team=payments; tier = gold' },
    });
    expect(r.status).toBe(200);
    const traceId = '0'.repeat(16) + TRACE64; // Kong widens trace ids to 16 bytes in its spans
    expect(r.headers['x-trace-id']).toBe(traceId);
    const up = r.json.headers as Record<string, string>;
    expect(up['x-b3-traceid']).toBe(TRACE64); // the caller's 8-byte id is propagated as 8 bytes
    expect(up['x-b3-sampled']).toBe('1');
    expect(up['x-b3-parentspanid']).toBe(SPAN);
    expect(up['x-b3-spanid']).toMatch(/^[0-9a-f]{16}$/);

    const spans = await eventually(() => (ofTrace(zipkin, traceId).length >= 3 ? ofTrace(zipkin, traceId) : undefined), 20_000);
    const server = spans.find((s) => s.kind === 'SERVER')!;
    const proxy = spans.find((s) => s.name === 'GET (proxy)')!;
    const tryOne = spans.find((s) => s.name === 'GET (balancer try 1)')!;
    expect(server.name).toBe('GET');
    expect(server.id).toBe(SPAN); // B3 shares the caller's span
    expect(server.parentId).toBe(PARENT);
    expect(server.localEndpoint).toEqual({ serviceName: 'kong' });
    expect(server.remoteEndpoint).toMatchObject({ ipv4: '127.0.0.1', port: expect.any(Number) });
    expect(server.tags).toMatchObject({
      lc: 'kong', 'http.method': 'GET', 'http.path': '/zipkin/things', 'http.status_code': '200', 'http.protocol': 'HTTP/1.1',
      'http.host': '127.0.0.1', env: 'test', team: 'payments', tier: 'gold', 'kong.node.id': expect.any(String),
    });
    expect(proxy.kind).toBe('CLIENT');
    expect(proxy.parentId).toBe(SPAN);
    expect(proxy.id).toBe(up['x-b3-spanid']);
    expect(proxy.tags).toMatchObject({ 'kong.route': routeId, 'kong.route_name': 'zipkin', 'kong.service': serviceId, 'kong.service_name': 'echo', 'peer.hostname': '127.0.0.1' });
    expect(proxy.remoteEndpoint).toEqual({ serviceName: 'echo', port: upstreamPort, ipv4: '127.0.0.1' });
    expect(proxy.annotations!.map((a) => a.value)).toEqual(['khs', 'kas', 'kaf', 'khf', 'kbs', 'kbf']);
    expect(server.annotations!.map((a) => a.value)).toEqual(['krs']);
    expect(tryOne.kind).toBe('CLIENT');
    expect(tryOne.parentId).toBe(SPAN);
    expect(tryOne.tags).toMatchObject({ 'kong.balancer.try': '1', 'kong.route': routeId, 'kong.service': serviceId });
    expect(tryOne.remoteEndpoint).toMatchObject({ port: upstreamPort, ipv4: '127.0.0.1' });
    for (const s of spans) {
      expect(Number.isInteger(s.timestamp) && s.timestamp > 1.6e15).toBe(true); // microseconds since the epoch
      expect(s.duration).toBeGreaterThanOrEqual(0);
    }
    expect(proxy.timestamp).toBeGreaterThanOrEqual(server.timestamp);
    expect(zipkin.contentTypes.every((t) => t === 'application/json')).toBe(true);
  });

  test('B3 single header in, B3 single header out (preserve), spans of several requests batched into one POST', async () => {
    const traces = ['1', '2', '3'].map((d) => d.repeat(32));
    const sent: Record<string, string>[] = [];
    for (const t of traces) sent.push((await request('GET', `${node.proxy}/zipkin`, { headers: { b3: `${t}-${SPAN}-1` } })).json.headers);
    for (let i = 0; i < traces.length; i++) {
      expect(sent[i].b3).toMatch(new RegExp(`^${traces[i]}-[0-9a-f]{16}-1-${SPAN}$`));
      expect(sent[i]['x-b3-traceid']).toBeUndefined();
    }
    const posts = await eventually(() => (traces.every((t) => ofTrace(zipkin, t).length >= 3) ? zipkin.posts.filter((p) => p.some((s) => traces.includes(s.traceId))) : undefined), 20_000);
    expect(Math.max(...posts.map((p) => new Set(p.map((s) => s.traceId).filter((t) => traces.includes(t))).size))).toBeGreaterThan(1);
  });

  test('sample_ratio 0: propagated as not sampled, nothing reported; an explicit sampled caller still is', async () => {
    const r = await request('GET', `${node.proxy}/unsampled`);
    const up = r.json.headers as Record<string, string>;
    expect(up['x-b3-sampled']).toBe('0');
    const quietTrace = up['x-b3-traceid'];
    expect(quietTrace).toMatch(/^[0-9a-f]{32}$/);
    const loud = '4'.repeat(32);
    await request('GET', `${node.proxy}/unsampled`, { headers: { 'x-b3-traceid': loud, 'x-b3-spanid': SPAN, 'x-b3-sampled': '1' } });
    await eventually(() => (ofTrace(zipkin, loud).length >= 3 ? true : undefined), 20_000);
    // same queue, later request: had the first been reported it would be there by now
    expect(ofTrace(zipkin, quietTrace)).toEqual([]);
  });

  test('traceid_byte_count 8, http_span_name method_path, default_header_type b3-single, phase durations as tags', async () => {
    const r = await request('GET', `${node.proxy}/short/a/b`);
    const b3 = (r.json.headers as Record<string, string>).b3;
    const m = /^([0-9a-f]{32})-([0-9a-f]{16})-1-([0-9a-f]{16})$/.exec(b3);
    expect(m).not.toBeNull();
    const traceId = m![1].slice(16);
    expect(m![1].slice(0, 16)).toBe('0'.repeat(16)); // a new 8-byte id is injected widened, as Kong
    const spans = await eventually(() => (ofTrace(zipkin, traceId).length >= 3 ? ofTrace(zipkin, traceId) : undefined), 20_000);
    const server = spans.find((s) => s.kind === 'SERVER')!;
    expect(server.name).toBe('GET /short/a/b');
    expect(server.id).toBe(m![3]);
    expect(spans.map((s) => s.name).sort()).toEqual(['GET /short/a/b', 'GET /short/a/b (balancer try 1)', 'GET /short/a/b (proxy)']);
    const proxy = spans.find((s) => s.name.endsWith('(proxy)'))!;
    expect(proxy.id).toBe(m![2]);
    expect(proxy.annotations).toBeUndefined();
    expect(Object.keys(proxy.tags!)).toEqual(expect.arrayContaining(['kong.access.duration_ms', 'kong.header_filter.duration_ms', 'kong.body_filter.duration_ms']));
  });

  test('an authenticated request: the request span names the consumer and, with include_credential, the credential', async () => {
    await node.route('zipkin-auth', [
      { name: 'key-auth', config: {} },
      { name: 'zipkin', config: { http_endpoint: zipkin.url, sample_ratio: 1, queue: { max_coalescing_delay: 0.1 } } },
    ]);
    const consumer = (await request('POST', `${node.admin}/consumers`, { body: { username: 'zed' } })).json;
    const credential = (await request('POST', `${node.admin}/consumers/zed/key-auth`, { body: { key: 'zed-key' } })).json;
    const r = await eventually(async () => {
      const res = await request('GET', `${node.proxy}/zipkin-auth`, { headers: { apikey: 'zed-key' } });
      return res.status === 200 ? res : undefined;
    }, 20_000);
    const traceId = r.json.headers['x-b3-traceid'];
    const server = await eventually(() => ofTrace(zipkin, traceId).find((s) => s.kind === 'SERVER'), 20_000);
    expect(server.tags).toMatchObject({ 'kong.consumer': consumer.id, 'kong.credential': credential.id });
  });

  test('schema: Kong 3.10 defaults and static_tags checks', async () => {
    const created = await request('POST', `${node.admin}/plugins`, { body: { name: 'zipkin', config: {} } });
    expect(created.status).toBe(201);
    expect(created.json.config).toMatchObject({
      local_service_name: 'kong', http_endpoint: null, sample_ratio: 0.001, include_credential: true, traceid_byte_count: 16, header_type: 'preserve',
      default_header_type: 'b3', tags_header: 'Zipkin-Tags', http_span_name: 'method', connect_timeout: 2000, send_timeout: 5000, read_timeout: 5000,
      phase_duration_flavor: 'annotations', propagation: { default_format: 'b3' },
    });
    expect((await request('DELETE', `${node.admin}/plugins/${created.json.id}`)).status).toBe(204);
    const bad = await request('POST', `${node.admin}/plugins`, { body: { name: 'zipkin', config: { static_tags: [{ name: 'lc', value: 'x' }] } } });
    expect(bad.status).toBe(400);
    const repeated = await request('POST', `${node.admin}/plugins`, { body: { name: 'zipkin', config: { static_tags: [{ name: 'a', value: '1' }, { name: 'a', value: '2' }] } } });
    expect(repeated.status).toBe(400);
    expect(repeated.json.fields.config.static_tags).toBe('repeated tags are not allowed: a');
  });
});

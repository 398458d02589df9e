// gRPC calls and WebSocket upgrades go through the whole request pipeline, not only access: the upstream's answer
// passes header_filter (and body_filter for gRPC), the log phase sees the request (file-log, with Kong's
// serializer), the tracing plugins get a balancer span per try, and a gRPC call whose connection failed before it
// left is retried on the next target, as nginx's `grpc_next_upstream error timeout` under Kong's `retries` (a refused
// connection, or a TLS handshake that outlasts connect_timeout).
import { createServer as createHttpServer } from 'node:http';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { createSecureServer, type Http2SecureServer } from 'node:http2';
import { createServer as createNetServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { issueCertificate } from '@tollgate/pki';
import { SnapshotBuilder } from '@tollgate/plugins/testing';
import type { Row } from '@tollgate/declarative/snapshot';
import { waitFor } from '../support/wait';
import { startTestDataPlane, type TestDataPlane } from './support/data-plane';
import { listenEntry } from './support/settings';
import { grpcCall, grpcFrame, startTarget, upgrade, refusedPort, type Target } from './support/protocols';

interface ZipkinSpan { traceId: string; name: string; id: string; parentId?: string; kind?: string; tags?: Record<string, string | number | boolean> }

/** A Zipkin collector: every span POSTed to it. */
async function startZipkin(): Promise<{ url: string; spans: ZipkinSpan[]; close(): Promise<void> }> {
  const spans: ZipkinSpan[] = [];
  const server = createHttpServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (p: Buffer) => parts.push(p));
    req.on('end', () => {
      spans.push(...(JSON.parse(Buffer.concat(parts).toString()) as ZipkinSpan[]));
      res.writeHead(202).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v2/spans`,
    spans,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

type LogEntry = {
  request: { uri: string; method: string; size: number };
  upstream_uri: string;
  response: { status: number; size: number; headers: Record<string, string> };
  latencies: { proxy: number; kong: number; request: number };
  route: { id: string };
};

describe('gRPC and WebSocket: response phases, log, balancer tries and retries', () => {
  let target: Target;
  let zipkin: Awaited<ReturnType<typeof startZipkin>>;
  let t: TestDataPlane;
  let h2Port: number;
  let h1Port: number;
  const logDir = mkdtempSync(join(tmpdir(), 'tollgate-phases-'));
  const logFile = join(logDir, 'requests.log');
  const routes: Record<string, Row> = {};

  /** file-log's entries for one route, once `count` of them were written. */
  const logged = (route: string, count = 1): Promise<LogEntry[]> =>
    waitFor(async () => {
      if (!existsSync(logFile)) return undefined;
      const entries = readFileSync(logFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as LogEntry);
      const mine = entries.filter((e) => e.route?.id === routes[route].id);
      return mine.length >= count ? mine : undefined;
    }, `${count} log entries of route ${route}`);

  /** The spans of the trace whose id the client got back, once its balancer tries arrived. */
  const traced = (traceId: string, tries: number): Promise<ZipkinSpan[]> =>
    waitFor(async () => {
      const spans = zipkin.spans.filter((s) => s.traceId === traceId);
      return spans.filter((s) => / \(balancer try \d+\)$/.test(s.name)).length >= tries ? spans : undefined;
    }, `the balancer spans of trace ${traceId}`);

  beforeAll(async () => {
    target = await startTarget('live');
    zipkin = await startZipkin();
    const dead = await refusedPort();
    const b = new SnapshotBuilder();
    const fileLog = { path: logFile };
    const tracing = { http_endpoint: zipkin.url, sample_ratio: 1, http_response_header_for_traceid: 'x-trace-id', queue: { max_coalescing_delay: 0.1 } };
    const addHeader = { add: { headers: ['x-added:yes'] } };

    const phases = b.service(target.port, { protocol: 'grpc' });
    routes.phases = b.route(phases, ['/phases.Svc/'], { protocols: ['grpc', 'grpcs'], strip_path: false });
    b.plugin('response-transformer', addHeader, { route: routes.phases });
    b.plugin('post-function', { header_filter: ["kong.response.set_header('x-phase', 'header_filter saw ' .. kong.response.get_status())"] }, { route: routes.phases });
    b.plugin('file-log', fileLog, { route: routes.phases });
    b.plugin('zipkin', tracing, { route: routes.phases });

    const filtered = b.service(target.port, { protocol: 'grpc' });
    routes.filtered = b.route(filtered, ['/filtered.Svc/'], { protocols: ['grpc', 'grpcs'], strip_path: false });
    b.plugin('post-function', { body_filter: [
      "local m = 'filtered: ' .. string.sub(kong.response.get_raw_body(), 6) kong.response.set_raw_body(string.char(0, 0, 0, 0, #m) .. m)",
    ] }, { route: routes.filtered });

    // filter plugins that throw: the call fails as Kong's 500 (grpc-status 13), nothing of the reply reaches the client
    for (const [name, phase] of [['hfboom', 'header_filter'], ['bfboom', 'body_filter']] as const) {
      const svc = b.service(target.port, { protocol: 'grpc' });
      routes[name] = b.route(svc, [`/${name}.Svc/`], { protocols: ['grpc', 'grpcs'], strip_path: false });
      b.plugin('post-function', { [phase]: [`error("grpc ${phase} boom")`] }, { route: routes[name] });
    }

    const upstream: Row = {
      id: 'e0000000-0000-4000-8000-0000000000a1', name: 'mixed.up', algorithm: 'round-robin', slots: 10000, hash_on: 'none', hash_fallback: 'none',
      hash_on_header: null, hash_on_cookie: null, hash_on_cookie_path: '/', healthchecks: null, host_header: null, client_certificate: null,
      use_srv_name: false, tags: null, created_at: 1,
    };
    const targets: Row[] = [
      { id: 'f0000000-0000-4000-8000-0000000000a1', target: `127.0.0.1:${dead}`, weight: 100, upstream: { id: upstream.id }, tags: null, created_at: 1 },
      { id: 'f0000000-0000-4000-8000-0000000000a2', target: `127.0.0.1:${target.port}`, weight: 100, upstream: { id: upstream.id }, tags: null, created_at: 1 },
    ];
    const retried = b.service(80, { host: 'mixed.up', protocol: 'grpc', retries: 2 });
    routes.retried = b.route(retried, ['/retried.Svc/'], { protocols: ['grpc', 'grpcs'], strip_path: false });
    b.plugin('zipkin', tracing, { route: routes.retried });
    const once = b.service(80, { host: 'mixed.up', protocol: 'grpc', retries: 0 });
    routes.once = b.route(once, ['/once.Svc/'], { protocols: ['grpc', 'grpcs'], strip_path: false });

    const ws = b.service(target.port, {});
    routes.ws = b.route(ws, ['/ws']);
    b.plugin('response-transformer', addHeader, { route: routes.ws });
    b.plugin('file-log', fileLog, { route: routes.ws });
    b.plugin('zipkin', tracing, { route: routes.ws });

    t = await startTestDataPlane(
      { hash: 'grpc-websocket-phases', version: 1, config: { ...b.build(), upstreams: [upstream], targets } },
      { proxy_listeners: [listenEntry({ http2: true }), listenEntry()] },
    );
    h2Port = t.ports[0];
    h1Port = t.ports[1];
  });

  afterAll(async () => {
    await t?.dp.close({ graceful: false });
    await target?.close();
    await zipkin?.close();
  });

  it('gRPC: header_filter plugins change the reply headers; the message and its trailers are relayed', async () => {
    const reply = await grpcCall(h2Port, '/phases.Svc/Call');
    expect(reply.headers[':status']).toBe(200);
    expect(reply.headers['x-added']).toBe('yes');
    expect(reply.headers['x-phase']).toBe('header_filter saw 200');
    expect(reply.body).toEqual(grpcFrame('reply from live'));
    expect(reply.trailers['grpc-status']).toBe('0');
  });

  it('gRPC: body_filter plugins see the whole reply and replace it; the trailers still follow', async () => {
    const reply = await grpcCall(h2Port, '/filtered.Svc/Call');
    expect(reply.body).toEqual(grpcFrame('filtered: reply from live'));
    expect(reply.headers['content-length']).toBe(String(grpcFrame('filtered: reply from live').length));
    expect(reply.trailers['grpc-status']).toBe('0');
  });

  it('gRPC: a header_filter or body_filter plugin that throws fails the call as Kong\'s 500 (grpc-status 13), without the reply', async () => {
    for (const path of ['/hfboom.Svc/Call', '/bfboom.Svc/Call']) {
      const reply = await grpcCall(h2Port, path);
      expect(String(reply.headers['grpc-status'] ?? reply.trailers['grpc-status'])).toBe('13');
      expect(decodeURIComponent(String(reply.headers['grpc-message'] ?? reply.trailers['grpc-message']))).toBe('An unexpected error occurred');
      expect(reply.body.includes(Buffer.from('reply from live'))).toBe(false);
    }
    // the routes beside them are untouched
    expect((await grpcCall(h2Port, '/phases.Svc/Call')).trailers['grpc-status']).toBe('0');
  });

  it('gRPC: file-log logs each call with the serializer: uri, status, filtered headers, sizes, upstream latency', async () => {
    await grpcCall(h2Port, '/phases.Svc/Unimplemented');
    // the route's earlier calls are logged too: wait for this call's own entry, not for a count
    const entry = await waitFor(async () => (await logged('phases')).find((e) => e.request.uri === '/phases.Svc/Unimplemented'), 'the Unimplemented call logged');
    expect(entry.request.method).toBe('POST');
    expect(entry.upstream_uri).toBe('/phases.Svc/Unimplemented');
    expect(entry.response.status).toBe(200);
    // a trailers-only reply carries its grpc-status in the headers the log sees
    expect(entry.response.headers['grpc-status']).toBe('12');
    expect(entry.response.headers['x-added']).toBe('yes');
    expect(entry.request.size).toBeGreaterThan(0);
    expect(entry.latencies.proxy).toBeGreaterThanOrEqual(0);
    const call = (await logged('phases', 2)).find((e) => e.request.uri === '/phases.Svc/Call')!;
    expect(call.response.size).toBe(grpcFrame('reply from live').length);
  });

  it('gRPC: the trace has a balancer span for the try, a child of the request span, with the peer', async () => {
    const reply = await grpcCall(h2Port, '/phases.Svc/Call');
    const traceId = String(reply.headers['x-trace-id']);
    const spans = await traced(traceId, 1);
    const request = spans.find((s) => s.name === 'POST')!;
    const balancer = spans.find((s) => s.name === 'POST (balancer try 1)')!;
    expect(balancer.parentId).toBe(request.id);
    expect(balancer.kind).toBe('CLIENT');
    expect(balancer.tags).toMatchObject({ 'kong.balancer.try': '1' });
    expect(balancer.tags?.error).toBeUndefined();
  });

  it('gRPC: a refused connection is retried on the next target (retries = 2): every call is answered', async () => {
    const before = target.grpcCalls;
    const replies = [];
    for (let i = 0; i < 6; i++) replies.push(await grpcCall(h2Port, '/retried.Svc/Call'));
    expect(replies.map((r) => r.trailers['grpc-status'])).toEqual(Array(6).fill('0'));
    expect(replies.map((r) => r.body.subarray(5).toString())).toEqual(Array(6).fill('reply from live'));
    expect(target.grpcCalls - before).toBe(6);
    // round-robin over both targets: some calls tried the refused one first, and their trace shows both tries
    const traces = await Promise.all(replies.map((r) => traced(String(r.headers['x-trace-id']), 1)));
    const twice = traces.filter((spans) => spans.some((s) => s.name === 'POST (balancer try 2)'));
    expect(twice.length).toBeGreaterThan(0);
    for (const spans of twice) {
      const first = spans.find((s) => s.name === 'POST (balancer try 1)')!;
      expect(first.tags).toMatchObject({ error: 'true', 'kong.balancer.state': 'failed', 'http.status_code': '502' });
    }
  });

  it('gRPC: without retries (retries = 0) a call to the refused target fails with grpc-status 13, as Kong\'s 502', async () => {
    const statuses = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const reply = await grpcCall(h2Port, '/once.Svc/Call');
      statuses.add(String(reply.headers['grpc-status'] ?? reply.trailers['grpc-status']));
    }
    expect([...statuses].sort()).toEqual(['0', '13']);
  });

  it('WebSocket: header_filter plugins change the 101; the log phase runs once the tunnel closed, with status 101', async () => {
    const answer = await upgrade(h1Port, '/ws/chat?room=1');
    expect(answer.status).toBe(101);
    expect(answer.headers['x-added']).toBe('yes');
    const [entry] = await logged('ws');
    expect(entry.request.uri).toBe('/ws/chat?room=1');
    expect(entry.request.method).toBe('GET');
    expect(entry.response.status).toBe(101);
    expect(entry.response.headers['x-added']).toBe('yes');
    expect(entry.response.size).toBeGreaterThan(0);
    expect(entry.latencies.proxy).toBeGreaterThanOrEqual(0);
  });

  it('WebSocket: an upgrade the upstream refuses is relayed through header_filter and logged with its status', async () => {
    const answer = await upgrade(h1Port, '/ws/refuse');
    expect(answer.status).toBe(403);
    expect(answer.headers['x-added']).toBe('yes');
    const entry = await waitFor(async () => (await logged('ws')).find((e) => e.request.uri === '/ws/refuse'), 'the refused upgrade logged');
    expect(entry.response.status).toBe(403);
    expect(entry.response.headers['x-target']).toBe('live');
    expect(entry.response.size).toBeGreaterThan(4);
  });

  it('WebSocket: the trace has a balancer span for the try, a child of the request span', async () => {
    const answer = await upgrade(h1Port, '/ws');
    const spans = await traced(answer.headers['x-trace-id'], 1);
    const request = spans.find((s) => s.name === 'GET')!;
    const balancer = spans.find((s) => s.name === 'GET (balancer try 1)')!;
    expect(balancer.parentId).toBe(request.id);
    expect(balancer.kind).toBe('CLIENT');
  });
});

describe('gRPC over TLS: connect_timeout ends a try that never connected, and the call is retried', () => {
  let tlsTarget: Http2SecureServer;
  let silent: Server;
  const held: Socket[] = [];
  let t: TestDataPlane;

  beforeAll(async () => {
    const { cert, key } = issueCertificate({ commonName: 'grpc.test', altNames: ['grpc.test'] });
    tlsTarget = createSecureServer({ cert, key });
    tlsTarget.on('stream', (stream) => {
      stream.resume();
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
      stream.on('end', () => stream.end(grpcFrame('reply over tls')));
    });
    await new Promise<void>((r) => tlsTarget.listen(0, '127.0.0.1', r));
    // accepts connections and never answers the TLS handshake
    silent = createNetServer((socket) => held.push(socket.on('error', () => undefined)));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const silentPort = (silent.address() as AddressInfo).port;
    const livePort = (tlsTarget.address() as AddressInfo).port;

    const b = new SnapshotBuilder();
    const upstream: Row = {
      id: 'e0000000-0000-4000-8000-0000000000b1', name: 'silent.up', algorithm: 'round-robin', slots: 10000, hash_on: 'none', hash_fallback: 'none',
      hash_on_header: null, hash_on_cookie: null, hash_on_cookie_path: '/', healthchecks: null, host_header: null, client_certificate: null,
      use_srv_name: false, tags: null, created_at: 1,
    };
    const targets: Row[] = [
      { id: 'f0000000-0000-4000-8000-0000000000b1', target: `127.0.0.1:${silentPort}`, weight: 100, upstream: { id: upstream.id }, tags: null, created_at: 1 },
      { id: 'f0000000-0000-4000-8000-0000000000b2', target: `127.0.0.1:${livePort}`, weight: 100, upstream: { id: upstream.id }, tags: null, created_at: 1 },
    ];
    const retried = b.service(443, { host: 'silent.up', protocol: 'grpcs', retries: 1, connect_timeout: 300 });
    b.route(retried, ['/retried.Svc/'], { protocols: ['grpc', 'grpcs'], strip_path: false });
    const stuck = b.service(silentPort, { protocol: 'grpcs', retries: 0, connect_timeout: 300 });
    b.route(stuck, ['/stuck.Svc/'], { protocols: ['grpc', 'grpcs'], strip_path: false });
    t = await startTestDataPlane(
      { hash: 'grpcs-connect-timeout', version: 1, config: { ...b.build(), upstreams: [upstream], targets } },
      { proxy_listeners: [listenEntry({ http2: true })] },
    );
  });

  afterAll(async () => {
    await t?.dp.close({ graceful: false });
    for (const socket of held) socket.destroy();
    await new Promise<void>((r) => silent.close(() => r()));
    await new Promise<void>((r) => tlsTarget.close(() => r()));
  });

  it('a try whose handshake never completes gives way to the next target after connect_timeout (retries = 1)', async () => {
    const replies = [];
    for (let i = 0; i < 4; i++) replies.push(await grpcCall(t.port, '/retried.Svc/Call'));
    expect(replies.map((r) => r.trailers['grpc-status'])).toEqual(Array(4).fill('0'));
    expect(replies.map((r) => r.body.subarray(5).toString())).toEqual(Array(4).fill('reply over tls'));
  });

  it('without retries the call ends after connect_timeout with grpc-status 4, as Kong\'s 504', async () => {
    const started = Date.now();
    const reply = await grpcCall(t.port, '/stuck.Svc/Call');
    expect(reply.headers['grpc-status']).toBe('4');
    expect(Date.now() - started).toBeLessThan(3000);
  });
});

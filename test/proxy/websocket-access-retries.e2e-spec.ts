// A WebSocket upgrade is one request of the pipeline like any other: it writes one proxy access line (status 101
// and the bytes sent, once the tunnel closed, as nginx finalizes an upgraded request; a refused upgrade with its
// status) in both proxy_access_log_format values, counts in the hybrid release stats, and a try whose connection
// was refused goes on to the next target under the service's `retries`, as an HTTP request's.
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SnapshotBuilder } from '@tollgate/plugins/testing';
import type { Row } from '@tollgate/declarative/snapshot';
import { startDataPlane, type DataPlaneHandle } from '../../apps/proxy/src/main';
import { StaticConfigProvider } from '../../apps/proxy/src/provider';
import { ReleaseStatsCounter } from '../../apps/proxy/src/forward/release-stats';
import { waitFor } from '../support/wait';
import { quietLogger } from './support/data-plane';
import { testSettings } from './support/settings';
import { startTarget, upgrade, refusedPort, type Target } from './support/protocols';

const HANDSHAKE = 'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n';

/** Answers every upgrade with a 101, then echoes what the client sends until it closes. */
async function startEcho(): Promise<{ port: number; close(): Promise<void> }> {
  const server: HttpServer = createHttpServer((_req, res) => res.end('plain'));
  server.on('upgrade', (_req, socket: Socket) => {
    socket.on('error', () => undefined);
    socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
    socket.pipe(socket);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

/** An open WebSocket tunnel through the proxy: every byte received so far, and a way to talk and to close. */
async function openTunnel(port: number, path: string): Promise<{ received(): Buffer; echo(text: string): Promise<void>; close(): Promise<void> }> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => {}); // a tunnel whose upstream went away may be reset; the tests read what arrived
  const parts: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => parts.push(chunk));
  const received = () => Buffer.concat(parts);
  socket.write(`GET ${path} HTTP/1.1\r\nHost: ws.test\r\n${HANDSHAKE}\r\n`);
  await waitFor(async () => (received().includes('\r\n\r\n') ? true : undefined), 'the 101');
  expect(received().toString('latin1')).toMatch(/^HTTP\/1\.1 101 /);
  return {
    received,
    echo: async (text) => {
      const before = received().length;
      socket.write(text);
      await waitFor(async () => (received().length >= before + text.length ? true : undefined), 'the echo');
    },
    close: () => new Promise<void>((r) => socket.end(() => socket.once('close', () => r()))),
  };
}

interface JsonLine { request: { uri: string; method: string }; response: { status: number; size: number }; latencies: { proxy: number } }

const upstreamRow = (id: string, name: string): Row => ({
  id, name, algorithm: 'round-robin', slots: 10000, hash_on: 'none', hash_fallback: 'none', hash_on_header: null,
  hash_on_cookie: null, hash_on_cookie_path: '/', healthchecks: null, host_header: null, client_certificate: null,
  use_srv_name: false, tags: null, created_at: 1,
});

describe.each(['json', 'kong'] as const)('WebSocket upgrades: one access line (proxy_access_log_format = %s), release stats and retries', (format) => {
  let echo: Awaited<ReturnType<typeof startEcho>>;
  let live: Target;
  let dp: DataPlaneHandle;
  let port: number;
  const stats = new ReleaseStatsCounter();
  const accessLog = join(mkdtempSync(join(tmpdir(), 'tollgate-ws-access-')), 'access.log');
  const lines = (): string[] => (existsSync(accessLog) ? readFileSync(accessLog, 'utf8').split('\n').filter(Boolean) : []);
  /** The lines of requests to `uri`. */
  const linesOf = (uri: string): string[] =>
    lines().filter((l) => (format === 'json' ? (JSON.parse(l) as JsonLine).request.uri === uri : l.includes(`"GET ${uri} HTTP/1.1"`)));
  const loggedOnce = async (uri: string): Promise<string> => {
    const [line] = await waitFor(async () => (linesOf(uri).length > 0 ? linesOf(uri) : undefined), `the access line of ${uri}`);
    // a later duplicate would show up right after the first
    await new Promise((r) => setTimeout(r, 200));
    expect(linesOf(uri)).toHaveLength(1);
    return line;
  };
  const statusOf = (line: string): number => (format === 'json' ? (JSON.parse(line) as JsonLine).response.status : Number(/" (\d{3}) \d+ "/.exec(line)![1]));
  /** json: bytes_sent (status line and headers included); kong: body_bytes_sent. */
  const sizeOf = (line: string): number => (format === 'json' ? (JSON.parse(line) as JsonLine).response.size : Number(/" \d{3} (\d+) "/.exec(line)![1]));

  beforeAll(async () => {
    echo = await startEcho();
    live = await startTarget('live');
    const dead = await refusedPort();
    const b = new SnapshotBuilder();
    b.route(b.service(echo.port, {}), ['/echo']);
    b.route(b.service(live.port, {}), ['/live']);
    const guarded = b.route(b.service(live.port, {}), ['/guarded']);
    b.plugin('key-auth', {}, { route: guarded });
    const upstream = upstreamRow('e0000000-0000-4000-8000-0000000000c1', 'half-dead.up');
    const targets: Row[] = [
      { id: 'f0000000-0000-4000-8000-0000000000c1', target: `127.0.0.1:${dead}`, weight: 100, upstream: { id: upstream.id }, tags: null, created_at: 1 },
      { id: 'f0000000-0000-4000-8000-0000000000c2', target: `127.0.0.1:${live.port}`, weight: 100, upstream: { id: upstream.id }, tags: null, created_at: 1 },
    ];
    b.route(b.service(80, { host: 'half-dead.up', retries: 1 }), ['/retried']);
    b.route(b.service(80, { host: 'half-dead.up', retries: 0 }), ['/once']);
    const provider = new StaticConfigProvider({ hash: `ws-access-${format}`, version: 1, config: { ...b.build(), upstreams: [upstream], targets } });
    dp = await startDataPlane(testSettings({ proxy_access_log: accessLog, proxy_access_log_format: format }), { provider, logger: quietLogger, releaseStats: stats });
    port = dp.listeners[0].port;
  });

  afterAll(async () => {
    await dp?.close({ graceful: false });
    await echo?.close();
    await live?.close();
  });

  it('an upgrade is logged once, with 101 and the bytes sent, when its connection closes (not before)', async () => {
    const tunnel = await openTunnel(port, '/echo/chat?room=1');
    await tunnel.echo('hello');
    await tunnel.echo('again');
    await new Promise((r) => setTimeout(r, 300));
    expect(linesOf('/echo/chat?room=1')).toEqual([]);
    await tunnel.close();
    const line = await loggedOnce('/echo/chat?room=1');
    expect(statusOf(line)).toBe(101);
    const received = tunnel.received();
    const headBytes = received.indexOf('\r\n\r\n') + 4;
    // everything the client got: the 101's head, then the tunnel's bytes (the body, for Kong's $body_bytes_sent)
    expect(sizeOf(line)).toBe(format === 'json' ? received.length : received.length - headBytes);
    expect(received.length - headBytes).toBe('helloagain'.length);
    if (format === 'json') {
      const entry = JSON.parse(line) as JsonLine;
      expect(entry.request.method).toBe('GET');
      expect(entry.latencies.proxy).toBeGreaterThanOrEqual(0);
    } else {
      expect(line).toMatch(/^127\.0\.0\.1 - - \[[^\]]+\] "GET \/echo\/chat\?room=1 HTTP\/1\.1" 101 10 "-" "-" kong_request_id: "[0-9a-f]+"$/);
    }
  });

  it('an upgrade the upstream refuses is logged once with its status and size', async () => {
    const answer = await upgrade(port, '/live/refuse');
    expect(answer.status).toBe(403);
    const line = await loggedOnce('/live/refuse');
    expect(statusOf(line)).toBe(403);
    // the upstream's 4-byte body; json counts the head too
    if (format === 'kong') expect(sizeOf(line)).toBe(4);
    else expect(sizeOf(line)).toBeGreaterThan(4 + 'HTTP/1.1 403 Forbidden\r\n'.length);
  });

  it('an upgrade a plugin refuses before forwarding is logged once with its status', async () => {
    const answer = await upgrade(port, '/guarded/x');
    expect(answer.status).toBe(401);
    const line = await loggedOnce('/guarded/x');
    expect(statusOf(line)).toBe(401);
    expect(sizeOf(line)).toBeGreaterThan(0);
  });

  it('a refused connection is retried on the next target (retries = 1): every upgrade is switched', async () => {
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await upgrade(port, `/retried/${i}`)).status);
    expect(statuses).toEqual(Array(6).fill(101));
    for (let i = 0; i < 6; i++) expect(statusOf(await loggedOnce(`/retried/${i}`))).toBe(101);
  });

  it('without retries (retries = 0) the upgrades balanced to the refused target fail with 502, and count as errors', async () => {
    await waitFor(async () => (lines().length >= 9 ? true : undefined), 'the earlier tests\' lines');
    stats.drain();
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await upgrade(port, `/once/${i}`)).status);
    // round-robin over the two targets: half of the upgrades went to the refused one
    expect(statuses.filter((s) => s === 502)).toHaveLength(3);
    expect(statuses.filter((s) => s === 101)).toHaveLength(3);
    for (let i = 0; i < 6; i++) expect(statusOf(await loggedOnce(`/once/${i}`))).toBe(statuses[i]);
    expect(stats.drain()).toEqual({ [`ws-access-${format}`]: [6, 3] });
  });
});

// Plain TCP stream listeners: echo through a route, 100 MB both ways byte-identical, half-close, routing on
// sources/destinations, retries on connect failure, and a connection without a route closed and logged.
import { randomBytes } from 'node:crypto';
import { connect, createServer, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { issueCertificate } from '@tollgate/pki';
import {
  type Backend, type Running, closedBy, echoServer, exchange, listenOn, routeRow, serviceRow, startStream, stopStream, until,
} from './support';

jest.setTimeout(30000);

describe('stream proxy: tcp', () => {
  let running: Running | undefined;
  const backends: Backend[] = [];
  afterEach(async () => {
    await stopStream(running);
    running = undefined;
    for (const b of backends.splice(0)) await b.close();
  });

  it('echoes through a tcp route and writes one access-log line with byte counts', async () => {
    const echo = await echoServer();
    backends.push(echo);
    const service = serviceRow({ name: 'echo', host: '127.0.0.1', port: echo.port });
    const route = routeRow({ name: 'r-echo', protocols: ['tcp'], destinations: [{ port: null, ip: '127.0.0.1' }] }, service);
    running = await startStream(['127.0.0.1:0'], { _format_version: '3.0', services: [service], routes: [route] });
    const reply = await exchange(running.port(), 'hello stream');
    expect(reply.toString()).toBe('hello stream');
    await until(() => running!.log.lines.length === 1, 'access log line');
    const line = running.log.lines[0] as any;
    expect(line.session).toMatchObject({ received: 12, sent: 12, status: 200, server_port: running.port(), tls: null });
    expect(line.upstream).toEqual({ received: 12, sent: 12 });
    expect(line.route).toEqual({ id: route.id, name: 'r-echo' });
    expect(line.service).toEqual({ id: service.id, name: 'echo' });
    expect(line.client_ip).toBe('127.0.0.1');
    expect(line.tries).toEqual([{ ip: '127.0.0.1', port: echo.port, connectMs: expect.any(Number) }]);
    expect(typeof line.latencies.session).toBe('number');
  });

  it('bytes and FIN sent while the upstream connects, and a greeting the upstream sends first, all arrive (50 at once)', async () => {
    // Both sides read before the relay starts: the client's request and FIN, the server's greeting; none may be lost.
    const echo = await echoServer('greeting|');
    backends.push(echo);
    const service = serviceRow({ host: '127.0.0.1', port: echo.port });
    running = await startStream(['127.0.0.1:0'], { _format_version: '3.0', services: [service], routes: [routeRow({ protocols: ['tcp'] }, service)] });
    const port = running.port();
    const replies = await Promise.all(Array.from({ length: 50 }, (_, i) => exchange(port, `request ${i}`)));
    expect(replies.map((r) => r.toString())).toEqual(Array.from({ length: 50 }, (_, i) => `greeting|request ${i}`));
    await until(() => running!.log.lines.length === 50, '50 access log lines');
    expect(new Set(running.log.lines.map((l: any) => l.session.status))).toEqual(new Set([200]));
  });

  it('carries 100 MB each way, sha256-identical, and honours half-close', async () => {
    // Upstream: hashes what it receives, and after the client's FIN sends its own 100 MB back.
    const size = 100 * 1024 * 1024;
    const block = randomBytes(1024 * 1024);
    const hashOfRepeated = (() => {
      const h = require('node:crypto').createHash('sha256');
      for (let i = 0; i < 100; i++) h.update(block);
      return h.digest('hex');
    })();
    let upstreamReceived = '';
    const server = createServer({ allowHalfOpen: true }, (s) => {
      s.on('error', () => {});
      const h = require('node:crypto').createHash('sha256');
      s.on('data', (c: Buffer) => h.update(c));
      s.on('end', () => {
        upstreamReceived = h.digest('hex');
        let sent = 0;
        const pump = () => {
          while (sent < 100) {
            sent++;
            if (!s.write(block)) return void s.once('drain', pump);
          }
          s.end();
        };
        pump();
      });
    });
    const port = await listenOn(server);
    const service = serviceRow({ host: '127.0.0.1', port });
    running = await startStream(['127.0.0.1:0'], { _format_version: '3.0', services: [service], routes: [routeRow({ protocols: ['tcp'], sources: [{ ip: '127.0.0.0/8' }] }, service)] });
    const clientHash = require('node:crypto').createHash('sha256');
    let got = 0;
    await new Promise<void>((resolve, reject) => {
      const c = connect({ port: running!.port(), host: '127.0.0.1', allowHalfOpen: true }, () => {
        let sent = 0;
        const pump = () => {
          while (sent < 100) {
            sent++;
            if (!c.write(block)) return void c.once('drain', pump);
          }
          c.end(); // half-close: the reply must still arrive
        };
        pump();
      });
      c.on('data', (d: Buffer) => {
        got += d.length;
        clientHash.update(d);
      });
      c.on('end', () => c.end());
      c.on('close', () => resolve());
      c.on('error', reject);
    });
    server.close();
    expect(upstreamReceived).toBe(hashOfRepeated);
    expect(got).toBe(size);
    expect(clientHash.digest('hex')).toBe(hashOfRepeated);
    await until(() => running!.log.lines.length === 1, 'access log line');
    const line = running.log.lines[0] as any;
    expect(line.session.received).toBe(size);
    expect(line.session.sent).toBe(size);
    expect(line.upstream).toEqual({ received: size, sent: size });
  }, 120000);

  it('closes a connection that matches no route, logs it, and keeps serving others', async () => {
    const echo = await echoServer();
    backends.push(echo);
    const service = serviceRow({ host: '127.0.0.1', port: echo.port });
    // Only port 1 as a destination: nothing arriving on our listener matches.
    running = await startStream(['127.0.0.1:0', '127.0.0.1:0'], {
      _format_version: '3.0', services: [service], routes: [routeRow({ protocols: ['tcp'], destinations: [{ port: 1 }] }, service)],
    });
    const s = connect({ port: running.port(), host: '127.0.0.1' });
    const result = await closedBy(s);
    expect(result.data.length).toBe(0);
    expect(echo.connections).toBe(0);
    await until(() => running!.log.lines.length === 1, 'access log line');
    expect(running.log.lines[0]).toMatchObject({ session: { status: 500 }, route: null, service: null, message: 'no Route found with those values' });
    expect(running.log.messages).toContainEqual(expect.objectContaining({ level: 'error', msg: 'no Route found with those values' }));
  });

  it('a client that leaves while the upstream connection is made: that connection is closed at once and the session logged 499', async () => {
    // A tls service whose handshake answers only after 400 ms (a delaying hop in front of a TLS echo server), so
    // the session is still connecting when the client goes away.
    const cert = issueCertificate({ commonName: 'slow.test', altNames: ['slow.test'] });
    const tlsUp = createTlsServer({ cert: cert.cert, key: cert.key }, (t) => { t.on('error', () => {}); t.pipe(t); });
    const tlsPort = await listenOn(tlsUp);
    let upstreamClosedAt = 0;
    const delaying = createServer((inbound) => {
      inbound.on('error', () => {});
      inbound.pause();
      inbound.once('close', () => { upstreamClosedAt = Date.now(); });
      setTimeout(() => {
        const out = connect({ port: tlsPort, host: '127.0.0.1' });
        out.on('error', () => inbound.destroy());
        inbound.on('close', () => out.destroy());
        inbound.pipe(out).pipe(inbound);
        inbound.resume();
      }, 400);
    });
    const delayingPort = await listenOn(delaying);
    backends.push({ port: delayingPort, connections: 0, close: async () => { delaying.close(); tlsUp.close(); } } as unknown as Backend);
    const service = serviceRow({ protocol: 'tls', host: '127.0.0.1', port: delayingPort });
    running = await startStream(['127.0.0.1:0'], { _format_version: '3.0', services: [service], routes: [routeRow({ protocols: ['tcp'] }, service)] });
    const client = connect({ port: running.port(), host: '127.0.0.1' });
    await new Promise<void>((resolve) => client.once('connect', () => resolve()));
    await new Promise((r) => setTimeout(r, 100));
    // A reset: a FIN alone is a half-close, which the session carries on with (the upstream still gets the FIN).
    client.resetAndDestroy();
    const leftAt = Date.now();
    await until(() => running!.log.lines.length === 1, 'access log line');
    const line = running.log.lines[0] as any;
    expect(line.session.status).toBe(499);
    expect(line.tries).toEqual([{ ip: '127.0.0.1', port: delayingPort, connectMs: expect.any(Number) }]);
    // Closed right after its handshake, not kept for the service's 60 s read_timeout.
    await until(() => upstreamClosedAt !== 0, 'upstream connection closed');
    expect(upstreamClosedAt - leftAt).toBeLessThan(2000);
  });

  it('a serviceless route closes with status 503 and "no Service found with those values"', async () => {
    running = await startStream(['127.0.0.1:0'], { _format_version: '3.0', routes: [routeRow({ protocols: ['tcp'], sources: [{ ip: '127.0.0.1' }] }, null)] });
    await closedBy(connect({ port: running.port(), host: '127.0.0.1' }));
    await until(() => running!.log.lines.length === 1, 'access log line');
    expect(running.log.lines[0]).toMatchObject({ session: { status: 503 }, message: 'no Service found with those values' });
  });

  it.each([
    ['source IP exact beats CIDR', [{ ip: '127.0.0.1' }], [{ ip: '127.0.0.0/8' }], 'A'],
    ['source port mismatch falls to the CIDR route', [{ ip: '127.0.0.1', port: 1 }], [{ ip: '127.0.0.0/8' }], 'B'],
    ['destination port of the second listener', null, null, 'dst'],
  ] as const)('routes on sources/destinations: %s', async (_title, sourcesA, sourcesB, expected) => {
    const a = await echoServer('A');
    const b = await echoServer('B');
    const d = await echoServer('dst');
    backends.push(a, b, d);
    const sa = serviceRow({ host: '127.0.0.1', port: a.port });
    const sb = serviceRow({ host: '127.0.0.1', port: b.port });
    const sd = serviceRow({ host: '127.0.0.1', port: d.port });
    // Listener ports are chosen by the OS: build the destination route once they are known.
    running = await startStream(['127.0.0.1:0', '127.0.0.1:0'], { _format_version: '3.0' });
    const routes = [];
    if (sourcesA) routes.push(routeRow({ protocols: ['tcp'], sources: sourcesA as never }, sa));
    if (sourcesB) routes.push(routeRow({ protocols: ['tcp'], sources: sourcesB as never }, sb));
    routes.push(routeRow({ protocols: ['tcp'], destinations: [{ ip: '127.0.0.1', port: running.port(1) }] }, sd));
    running.setSnapshot({ _format_version: '3.0', services: [sa, sb, sd], routes });
    const port = expected === 'dst' ? running.port(1) : running.port(0);
    const reply = await exchange(port, '!');
    expect(reply.toString()).toBe(`${expected}!`);
  });

  it('retries a refused connection on the next target and records both tries', async () => {
    const echo = await echoServer('up');
    backends.push(echo);
    const dead = createServer();
    const deadPort = await listenOn(dead);
    await new Promise((r) => dead.close(r)); // a port nobody listens on: connection refused
    const upstream = { id: 'up-1', name: 'pool', algorithm: 'round-robin', hash_on: 'none', hash_fallback: 'none', hash_on_cookie_path: '/', slots: 10000, healthchecks: null, host_header: null, use_srv_name: false };
    // weight order + round-robin shuffle make the first pick random; retries=1 guarantees a second try.
    const targets = [
      { id: 't-dead', target: `127.0.0.1:${deadPort}`, weight: 100, upstream: { id: 'up-1' } },
      { id: 't-live', target: `127.0.0.1:${echo.port}`, weight: 100, upstream: { id: 'up-1' } },
    ];
    const service = serviceRow({ host: 'pool', port: 1, retries: 1 });
    running = await startStream(['127.0.0.1:0'], {
      _format_version: '3.0', upstreams: [upstream], targets, services: [service], routes: [routeRow({ protocols: ['tcp'], sources: [{ ip: '127.0.0.1' }] }, service)],
    });
    for (let i = 0; i < 4; i++) expect((await exchange(running.port(), 'x')).toString()).toBe('upx');
    await until(() => running!.log.lines.length === 4, 'access log lines');
    const retried = running.log.lines.map((l: any) => l.tries).filter((t: any[]) => t.length === 2);
    expect(retried.length).toBeGreaterThan(0);
    expect(retried[0][0]).toMatchObject({ ip: '127.0.0.1', port: deadPort, state: 'failed' });
    expect(retried[0][1]).toMatchObject({ ip: '127.0.0.1', port: echo.port });
  });

  it('answers 502 in the log when every try is refused (1 + retries tries)', async () => {
    const dead = createServer();
    const deadPort = await listenOn(dead);
    await new Promise((r) => dead.close(r));
    const service = serviceRow({ host: '127.0.0.1', port: deadPort, retries: 2 });
    running = await startStream(['127.0.0.1:0'], { _format_version: '3.0', services: [service], routes: [routeRow({ protocols: ['tcp'], sources: [{ ip: '127.0.0.1' }] }, service)] });
    await closedBy(connect({ port: running.port(), host: '127.0.0.1' }) as Socket);
    await until(() => running!.log.lines.length === 1, 'access log line');
    const line = running.log.lines[0] as any;
    expect(line.session.status).toBe(502);
    expect(line.tries).toHaveLength(3);
  });

  it('closes an idle session after the service read_timeout', async () => {
    const echo = await echoServer();
    backends.push(echo);
    const service = serviceRow({ host: '127.0.0.1', port: echo.port, read_timeout: 200 });
    running = await startStream(['127.0.0.1:0'], { _format_version: '3.0', services: [service], routes: [routeRow({ protocols: ['tcp'], sources: [{ ip: '127.0.0.1' }] }, service)] });
    const started = Date.now();
    const s = connect({ port: running.port(), host: '127.0.0.1' });
    await closedBy(s);
    expect(Date.now() - started).toBeGreaterThanOrEqual(180);
    await until(() => running!.log.messages.some((m) => m.msg === 'stream session ended: idle_timeout'), 'idle log');
  });
});

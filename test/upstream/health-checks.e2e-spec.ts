// Active and passive health checks against real upstream servers on 127.0.0.1.
import * as http from 'node:http';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import { createUpstreamRuntime } from '../../apps/proxy/src/upstream';
import { ctx, healthchecks, targetRow, upstreamRow } from '../../apps/proxy/src/upstream/spec-helpers';
import type { UpstreamRuntime } from '../../apps/proxy/src/upstream';

interface Upstream {
  server: http.Server;
  port: number;
  status: number;
  hang: boolean;
  seen: Array<{ path: string; host: string | undefined; probe: string | undefined }>;
}

async function startUpstream(): Promise<Upstream> {
  const u = { status: 200, hang: false, seen: [] } as unknown as Upstream;
  u.server = http.createServer((req, res) => {
    u.seen.push({ path: req.url!, host: req.headers.host, probe: req.headers['x-probe'] as string | undefined });
    if (u.hang) return; // never answers: the probe times out
    res.statusCode = u.status;
    res.end('ok');
  });
  await new Promise<void>((r) => u.server.listen(0, '127.0.0.1', r));
  u.port = (u.server.address() as AddressInfo).port;
  return u;
}

async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function healthOf(rt: UpstreamRuntime): Record<string, string> {
  return Object.fromEntries(rt.health().map((t) => [t.target, t.health]));
}

describe('upstream health checks (real sockets)', () => {
  const servers: Upstream[] = [];
  const runtimes: UpstreamRuntime[] = [];
  afterEach(async () => {
    for (const rt of runtimes.splice(0)) rt.stop();
    for (const s of servers.splice(0)) {
      s.server.closeAllConnections();
      await new Promise((r) => s.server.close(r));
    }
  });

  async function twoServers() {
    const a = await startUpstream();
    const b = await startUpstream();
    servers.push(a, b);
    return [a, b, `127.0.0.1:${a.port}`, `127.0.0.1:${b.port}`] as const;
  }

  it('active http: a target answering 500 goes UNHEALTHY, then HEALTHY again when it answers 200', async () => {
    const [a, , ta, tb] = await twoServers();
    const logs: Array<Record<string, unknown>> = [];
    const rt = createUpstreamRuntime(
      upstreamRow({
        healthchecks: healthchecks({
          active: { http_path: '/status', headers: { 'x-probe': ['yes'] } },
          activeHealthy: { interval: 0.1, successes: 2 },
          activeUnhealthy: { interval: 0.1, http_failures: 2 },
        }),
      }),
      [targetRow(ta), targetRow(tb)],
      { log: { info: (o) => logs.push(o as Record<string, unknown>), warn: () => undefined } },
    );
    runtimes.push(rt);
    rt.start();
    await until(() => a.seen.length >= 1, 'first probe');
    expect(a.seen[0]).toEqual({ path: '/status', host: '127.0.0.1', probe: 'yes' });
    expect(healthOf(rt)).toEqual({ [ta]: 'HEALTHY', [tb]: 'HEALTHY' });

    a.status = 500;
    await until(() => healthOf(rt)[ta] === 'UNHEALTHY', 'a unhealthy');
    expect(healthOf(rt)[tb]).toBe('HEALTHY');
    expect(new Set(Array.from({ length: 10 }, () => rt.pick(ctx())!.port))).toEqual(new Set([servers[1].port]));
    expect(logs).toContainEqual(expect.objectContaining({ target: ta, health: 'UNHEALTHY', reason: 'active http_failure' }));

    a.status = 200;
    await until(() => healthOf(rt)[ta] === 'HEALTHY', 'a healthy again');
    expect(new Set(Array.from({ length: 10 }, () => rt.pick(ctx())!.port))).toEqual(new Set([a.port, servers[1].port]));
    expect(logs).toContainEqual(expect.objectContaining({ target: ta, health: 'HEALTHY', reason: 'active success' }));
  });

  it('active http probes send host_header as Host', async () => {
    const [a, , ta] = await twoServers();
    const rt = createUpstreamRuntime(
      upstreamRow({ host_header: 'api.example', healthchecks: healthchecks({ activeHealthy: { interval: 0.05, successes: 1 } }) }),
      [targetRow(ta)],
    );
    runtimes.push(rt);
    rt.start();
    await until(() => a.seen.length >= 2, 'two probes');
    expect(a.seen[0]).toEqual({ path: '/', host: 'api.example', probe: undefined });
  });

  it('active timeouts: a target that never answers goes UNHEALTHY', async () => {
    const [a, , ta, tb] = await twoServers();
    a.hang = true;
    const rt = createUpstreamRuntime(
      upstreamRow({ healthchecks: healthchecks({ active: { timeout: 0.2 }, activeHealthy: { interval: 0.1 }, activeUnhealthy: { timeouts: 1 } }) }),
      [targetRow(ta), targetRow(tb)],
    );
    runtimes.push(rt);
    rt.start();
    await until(() => healthOf(rt)[ta] === 'UNHEALTHY', 'a unhealthy by timeout');
    expect(healthOf(rt)[tb]).toBe('HEALTHY');
  });

  it('active tcp: a closed port goes UNHEALTHY, and HEALTHY once it listens again', async () => {
    const listener = net.createServer((s) => s.destroy());
    await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
    const port = (listener.address() as AddressInfo).port;
    const target = `127.0.0.1:${port}`;
    const rt = createUpstreamRuntime(
      upstreamRow({
        healthchecks: healthchecks({
          active: { type: 'tcp' },
          activeHealthy: { interval: 0.05, successes: 1 },
          activeUnhealthy: { interval: 0.05, tcp_failures: 1 },
        }),
      }),
      [targetRow(target)],
    );
    runtimes.push(rt);
    rt.start();
    await new Promise((r) => listener.close(r));
    await until(() => healthOf(rt)[target] === 'UNHEALTHY', 'closed port unhealthy');
    expect(rt.pick(ctx())).toBeNull();
    const again = net.createServer((s) => s.destroy());
    await new Promise<void>((r) => again.listen(port, '127.0.0.1', r));
    try {
      await until(() => healthOf(rt)[target] === 'HEALTHY', 'port healthy again');
      expect(rt.pick(ctx())!.port).toBe(port);
    } finally {
      await new Promise((r) => again.close(r));
    }
  });

  it('passive ejection after failures, brought back by active probes of unhealthy targets only', async () => {
    const [a, b, ta, tb] = await twoServers();
    const rt = createUpstreamRuntime(
      upstreamRow({
        healthchecks: healthchecks({
          activeUnhealthy: { interval: 0.05 },
          activeHealthy: { successes: 2 },
          passiveUnhealthy: { http_failures: 2 },
        }),
      }),
      [targetRow(ta), targetRow(tb)],
    );
    runtimes.push(rt);
    rt.start();
    const peerA = [rt.pick(ctx())!, rt.pick(ctx())!].find((p) => p.port === a.port)!;
    a.status = 503;
    rt.report(peerA, { kind: 'http_failure', status: 503 });
    rt.report(peerA, { kind: 'http_failure', status: 503 });
    expect(healthOf(rt)[ta]).toBe('UNHEALTHY');
    // healthy.interval is 0: the healthy target is never probed
    await until(() => a.seen.length >= 3, 'unhealthy target probed');
    expect(b.seen).toEqual([]);
    expect(healthOf(rt)[ta]).toBe('UNHEALTHY');
    a.status = 200;
    await until(() => healthOf(rt)[ta] === 'HEALTHY', 'a recovered by active probes');
    expect(b.seen).toEqual([]);
  });

  it('stop() ends probing', async () => {
    const [a, b, ta, tb] = await twoServers();
    const stopped = createUpstreamRuntime(upstreamRow({ healthchecks: healthchecks({ activeHealthy: { interval: 0.02 } }) }), [targetRow(ta)]);
    const clock = createUpstreamRuntime(upstreamRow({ healthchecks: healthchecks({ activeHealthy: { interval: 0.02 } }) }), [targetRow(tb)]);
    runtimes.push(clock);
    stopped.start();
    clock.start();
    await until(() => a.seen.length >= 2, 'probes');
    stopped.stop();
    // the still-running checker is the clock: several of its rounds pass, none from the stopped one
    let mark = b.seen.length;
    await until(() => b.seen.length >= mark + 3, 'clock rounds');
    const count = a.seen.length;
    mark = b.seen.length;
    await until(() => b.seen.length >= mark + 5, 'more clock rounds');
    expect(a.seen.length).toBe(count);
  });

  it('a localhost target resolves through the real DNS cache', async () => {
    const [a] = await twoServers();
    const rt = createUpstreamRuntime(upstreamRow(), [targetRow(`localhost:${a.port}`)]);
    await rt.ready();
    expect({ ...rt.pick(ctx())! }).toEqual({ targetId: expect.any(String), host: 'localhost', port: a.port, ip: '127.0.0.1', hostHeader: 'localhost' });
    expect(rt.health()[0].data.addresses).toEqual([{ ip: '127.0.0.1', port: a.port, weight: 100, health: 'HEALTHCHECKS_OFF' }]);
  });
});

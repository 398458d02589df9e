// Balancing a stream route over an upstream with active tcp health checks: a target whose port closes is ejected
// (no connection goes to it) and comes back once it listens again.
import { createServer, type Server } from 'node:net';
import { type Running, echoServer, exchange, routeRow, serviceRow, startStream, stopStream, until } from './support';
import { healthchecks } from '../../apps/proxy/src/upstream/spec-helpers';

jest.setTimeout(30000);

describe('stream proxy: upstream health (tcp active checks)', () => {
  let running: Running | undefined;
  afterEach(async () => {
    await stopStream(running);
    running = undefined;
  });

  it('ejects a target whose port stops listening, and takes it back when it listens again', async () => {
    const a = await echoServer('A:');
    const b = await echoServer('B:');
    const upstream = {
      id: 'up-h', name: 'checked', algorithm: 'round-robin', hash_on: 'none', hash_fallback: 'none', hash_on_cookie_path: '/', slots: 10000,
      host_header: null, use_srv_name: false,
      healthchecks: healthchecks({
        active: { type: 'tcp', timeout: 1 },
        activeHealthy: { interval: 0.05, successes: 1 },
        activeUnhealthy: { interval: 0.05, tcp_failures: 1 },
      }),
    };
    const targets = [
      { id: 't-a', target: `127.0.0.1:${a.port}`, weight: 100, upstream: { id: 'up-h' } },
      { id: 't-b', target: `127.0.0.1:${b.port}`, weight: 100, upstream: { id: 'up-h' } },
    ];
    const service = serviceRow({ host: 'checked', port: 1, retries: 0 });
    running = await startStream(['127.0.0.1:0'], {
      _format_version: '3.0', upstreams: [upstream], targets, services: [service], routes: [routeRow({ protocols: ['tcp'], sources: [{ ip: '127.0.0.1' }] }, service)],
    });
    const runtime = running.config().upstreams.get('up-h')!;
    const tags = async (n: number) => {
      const seen = new Set<string>();
      for (let i = 0; i < n; i++) seen.add((await exchange(running!.port(), '.')).toString().slice(0, 2));
      return [...seen].sort();
    };
    expect(await tags(6)).toEqual(['A:', 'B:']);

    const bPort = b.port;
    await b.close();
    await until(() => runtime.health().find((t) => t.id === 't-b')?.health === 'UNHEALTHY', 'B unhealthy');
    // retries=0: a single refused try would show as an empty reply; none may happen once B is ejected.
    expect(await tags(6)).toEqual(['A:']);

    const again: Server = createServer((s) => {
      s.on('error', () => {});
      s.write('B:');
      s.pipe(s);
    });
    await new Promise<void>((resolve) => again.listen(bPort, '127.0.0.1', resolve));
    await until(() => runtime.health().find((t) => t.id === 't-b')?.health === 'HEALTHY', 'B healthy again');
    expect(await tags(6)).toEqual(['A:', 'B:']);
    await a.close();
    await new Promise((r) => again.close(r));
  });
});

// Services naming an upstream: balancing across targets, passive health through proxied traffic, Host header.
import { route, service, snapshot } from './support/config';
import { send } from './support/client';
import { startTestDataPlane } from './support/data-plane';
import { startUpstream } from './support/upstreams';

const upstreamRow = (id: string, name: string, extra: Record<string, unknown> = {}) => ({
  id, name, algorithm: 'round-robin', slots: 10000, hash_on: 'none', hash_fallback: 'none', hash_on_header: null,
  hash_on_cookie: null, hash_on_cookie_path: '/', healthchecks: null, host_header: null, client_certificate: null,
  use_srv_name: false, tags: null, created_at: 1, ...extra,
});
const target = (id: string, upstreamId: string, addr: string, weight = 100) => ({ id, target: addr, weight, upstream: { id: upstreamId }, tags: null, created_at: 1 });

describe('load balancing through the proxy', () => {
  it('round-robin spreads over weighted targets and sends Host as target[:port]', async () => {
    const a = await startUpstream((req, res) => res.end(`a ${req.headers.host}`));
    const b = await startUpstream((req, res) => res.end(`b ${req.headers.host}`));
    const svc = service({ host: 'rr.internal', port: 80 });
    const u = upstreamRow('e0000000-0000-4000-8000-000000000001', 'rr.internal');
    const t = await startTestDataPlane(
      snapshot({
        services: [svc],
        routes: [route(svc, { paths: ['/'] })],
        upstreams: [u],
        targets: [target('f0000000-0000-4000-8000-000000000001', u.id, `127.0.0.1:${a.port}`, 300), target('f0000000-0000-4000-8000-000000000002', u.id, `127.0.0.1:${b.port}`, 100)],
      }),
    );
    try {
      const counts: Record<string, number> = {};
      for (let i = 0; i < 40; i++) {
        const body = (await send(t.port)).body;
        counts[body] = (counts[body] ?? 0) + 1;
      }
      expect(counts).toEqual({ [`a 127.0.0.1:${a.port}`]: 30, [`b 127.0.0.1:${b.port}`]: 10 });
    } finally {
      await t.dp.close();
      await a.close();
      await b.close();
    }
  });

  it('passive health: a target answering 500 is taken out after unhealthy.http_failures', async () => {
    const good = await startUpstream((_req, res) => res.end('good'));
    const bad = await startUpstream((_req, res) => {
      res.statusCode = 500;
      res.end('bad');
    });
    const svc = service({ host: 'passive.internal', port: 80 });
    const u = upstreamRow('e0000000-0000-4000-8000-000000000002', 'passive.internal', {
      healthchecks: { threshold: 0, active: null, passive: { type: 'http', healthy: { successes: 0 }, unhealthy: { http_failures: 2, http_statuses: [500] } } },
    });
    const t = await startTestDataPlane(
      snapshot({
        services: [svc],
        routes: [route(svc, { paths: ['/'] })],
        upstreams: [u],
        targets: [target('f0000000-0000-4000-8000-000000000003', u.id, `127.0.0.1:${good.port}`), target('f0000000-0000-4000-8000-000000000004', u.id, `127.0.0.1:${bad.port}`)],
      }),
    );
    try {
      const first = [];
      for (let i = 0; i < 4; i++) first.push((await send(t.port)).status);
      // The 500s are relayed as they are (no retry on HTTP status), twice, then the target is unhealthy.
      expect(first.filter((s) => s === 500)).toHaveLength(2);
      const after = [];
      for (let i = 0; i < 10; i++) after.push((await send(t.port)).body);
      expect(after).toEqual(Array(10).fill('good'));
    } finally {
      await t.dp.close();
      await good.close();
      await bad.close();
    }
  });
});

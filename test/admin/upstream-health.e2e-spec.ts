// GET /upstreams/{u}/health and PUT .../targets/{t}[/{address}]/healthy|unhealthy on a real traditional node: the
// answers come from the balancers of its data-plane workers, and a manual status changes where traffic goes.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { http } from '../support/http';
import { loopbackConf, startNode, stopNode, tempPrefix, writeConf, type RunningNode } from '../support/cli-node';
import { waitFor } from '../support/wait';
import { clusterCertificate, startControlPlane } from '../hybrid/hybrid-support';

describe('upstream health endpoints (traditional node, 2 workers)', () => {
  let node: RunningNode;
  let admin: string;
  let proxy: string;
  let server: Server;
  let port: number;
  let upstreamId: string;
  let targetId: string;

  beforeAll(async () => {
    server = createServer((_req, res) => res.end('from target'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
    const prefix = tempPrefix();
    node = await startNode(['-c', writeConf(prefix, loopbackConf(prefix, { worker_processes: '2' })), '-p', prefix]);
    admin = `http://127.0.0.1:${node.port('admin_listen')}`;
    proxy = `http://127.0.0.1:${node.port('proxy_listen')}`;
    const up = await http('POST', `${admin}/upstreams`, { body: { name: 'health.test' } });
    upstreamId = up.json.id;
    const target = await http('POST', `${admin}/upstreams/health.test/targets`, { body: { target: `127.0.0.1:${port}` } });
    targetId = target.json.id;
    await http('POST', `${admin}/upstreams/health.test/targets`, { body: { target: 'no-such-host.invalid:80', weight: 0 } });
    await http('POST', `${admin}/services`, { body: { name: 's', host: 'health.test' } });
    await http('POST', `${admin}/services/s/routes`, { body: { paths: ['/h'] } });
  });

  afterAll(async () => {
    if (node) await stopNode(node);
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
  });

  const statusOfProxy = async () => (await http('GET', `${proxy}/h`)).status;

  it('GET /upstreams/{u}/health reports each target with its balancer data (health checks off)', async () => {
    const res = await http('GET', `${admin}/upstreams/health.test/health`);
    expect(res.status).toBe(200);
    expect(res.json.next).toBeNull();
    expect(typeof res.json.node_id).toBe('string');
    const byTarget = Object.fromEntries(res.json.data.map((t: { target: string }) => [t.target, t]));
    expect(byTarget[`127.0.0.1:${port}`]).toMatchObject({
      id: targetId,
      upstream: { id: upstreamId },
      health: 'HEALTHCHECKS_OFF',
      data: { host: '127.0.0.1', port, dns: 'A', addresses: [{ ip: '127.0.0.1', port, weight: 100, health: 'HEALTHCHECKS_OFF' }] },
    });
  });

  it('GET /upstreams/{u}/health?balancer_health=1 reports the balancer', async () => {
    const res = await http('GET', `${admin}/upstreams/${upstreamId}/health?balancer_health=1`);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ next: null, data: { id: upstreamId, health: 'HEALTHCHECKS_OFF', balancer_health: 'HEALTHY', details: { healthy: true } } });
  });

  it('PUT .../unhealthy takes the target out of every worker, PUT .../healthy brings it back', async () => {
    expect(await statusOfProxy()).toBe(200);
    const off = await http('PUT', `${admin}/upstreams/health.test/targets/127.0.0.1:${port}/unhealthy`);
    expect(off.status).toBe(204);
    expect(off.text).toBe('');
    // both workers hold the status: several fresh connections never reach the target
    for (let i = 0; i < 6; i++) expect(await statusOfProxy()).toBe(503);
    const balancer = await http('GET', `${admin}/upstreams/health.test/health?balancer_health=1`);
    expect(balancer.json.data).toMatchObject({ balancer_health: 'UNHEALTHY', details: { healthy: false } });
    const on = await http('PUT', `${admin}/upstreams/health.test/targets/${targetId}/healthy`);
    expect(on.status).toBe(204);
    for (let i = 0; i < 6; i++) expect(await statusOfProxy()).toBe(200);
  });

  it('PUT .../{address}/unhealthy addresses one ip:port of the target', async () => {
    expect((await http('PUT', `${admin}/upstreams/health.test/targets/${targetId}/127.0.0.1:${port}/unhealthy`)).status).toBe(204);
    expect(await statusOfProxy()).toBe(503);
    expect((await http('PUT', `${admin}/upstreams/health.test/targets/${targetId}/127.0.0.1:${port}/healthy`)).status).toBe(204);
    expect(await statusOfProxy()).toBe(200);
  });

  it.each([
    ['unknown upstream', () => `/upstreams/00000000-0000-4000-8000-000000000000/targets/${targetId}/healthy`],
    ['unknown upstream name', () => `/upstreams/invalid/targets/${targetId}/unhealthy`],
    ['unknown target', () => '/upstreams/health.test/targets/invalid:1234/healthy'],
    ['unknown target id', () => '/upstreams/health.test/targets/00000000-0000-4000-8000-000000000000/unhealthy'],
  ])('PUT with an %s -> 404 Not found', async (_label, path) => {
    const res = await http('PUT', `${admin}${path()}`);
    expect(res.status).toBe(404);
    expect(res.json).toEqual({ message: 'Not found' });
  });

  it('GET /upstreams/{unknown}/health -> 404', async () => {
    const res = await http('GET', `${admin}/upstreams/nope/health`);
    expect(res.status).toBe(404);
    expect(res.json).toEqual({ message: 'Not found' });
  });

  it('a target just created is known to the balancers at once', async () => {
    await http('POST', `${admin}/upstreams`, { body: { name: 'fresh.test' } });
    await http('POST', `${admin}/upstreams/fresh.test/targets`, { body: { target: '10.0.0.1:80' } });
    expect((await http('PUT', `${admin}/upstreams/fresh.test/targets/10.0.0.1:80/unhealthy`)).status).toBe(204);
    const res = await waitFor(async () => {
      const r = await http('GET', `${admin}/upstreams/fresh.test/health?balancer_health=1`);
      return r.json.data ? r : undefined;
    }, 'balancer of fresh.test');
    expect(res.json.data.balancer_health).toBe('UNHEALTHY');
  });
});

describe('upstream health endpoints on a hybrid control plane', () => {
  let cp: RunningNode;
  let admin: string;

  beforeAll(async () => {
    cp = await startControlPlane(clusterCertificate());
    admin = `http://127.0.0.1:${cp.port('admin_listen')}`;
    await http('POST', `${admin}/upstreams`, { body: { name: 'cp.test' } });
    await http('POST', `${admin}/upstreams/cp.test/targets`, { body: { target: '10.0.0.1:80' } });
  });

  afterAll(async () => {
    if (cp) await stopNode(cp);
  });

  it('PUT .../healthy does not exist (Kong: not available in hybrid mode) and /endpoints omits it', async () => {
    const res = await http('PUT', `${admin}/upstreams/cp.test/targets/10.0.0.1:80/healthy`);
    expect(res.status).toBe(404);
    const endpoints = await http('GET', `${admin}/endpoints`);
    expect(endpoints.json.data).not.toContain('/upstreams/{upstreams}/targets/{targets}/healthy');
    expect(endpoints.json.data).not.toContain('/upstreams/{upstreams}/targets/{targets}/{address}/unhealthy');
    expect(endpoints.json.data).toContain('/upstreams/{upstreams}/health');
  });

  it('GET /upstreams/{u}/health lists the targets without health (no balancer on a control plane)', async () => {
    const res = await http('GET', `${admin}/upstreams/cp.test/health`);
    expect(res.status).toBe(200);
    expect(res.json.data).toHaveLength(1);
    expect(res.json.data[0]).toMatchObject({ target: '10.0.0.1:80' });
    expect(res.json.data[0].health).toBeUndefined();
    const balancer = await http('GET', `${admin}/upstreams/cp.test/health?balancer_health=1`);
    expect(balancer.json).toEqual({ next: null, node_id: expect.any(String) });
  });
});

// Hybrid mode on one host with the default ports (the README's "Hybrid mode on one host"): a control plane and a
// data plane started with nothing but the role and the cluster certificate must not clash on any listener.
// Fixed ports on purpose: the defaults are what is under test.
import { join } from 'node:path';
import { runCli, startNode, stopNode, tempPrefix, writeConf, type RunningNode } from '../support/cli-node';
import { http } from '../support/http';
import { waitFor } from '../support/wait';

jest.setTimeout(120_000);

describe('a control plane and a data plane on one host, default ports', () => {
  let cp: RunningNode;
  let dp: RunningNode;
  const dir = tempPrefix();

  afterAll(async () => {
    await Promise.all([dp, cp].filter(Boolean).map((n) => stopNode(n)));
  });

  it('both start with only role and cluster certificate set', async () => {
    const cert = join(dir, 'cluster.crt');
    const key = join(dir, 'cluster.key');
    expect(runCli(['cluster', 'cert', '--cert', cert, '--key', key]).code).toBe(0);
    const cpPrefix = join(dir, 'cp');
    const dpPrefix = join(dir, 'dp');
    cp = await startNode(['-c', writeConf(tempPrefix(), { role: 'control_plane', cluster_cert: cert, cluster_cert_key: key }), '-p', cpPrefix]);
    dp = await startNode(['-c', writeConf(tempPrefix(), { role: 'data_plane', cluster_cert: cert, cluster_cert_key: key }), '-p', dpPrefix]);
    expect(cp.listeners.map((l) => `${l.key} ${l.address}:${l.port}`).sort()).toEqual([
      'admin_listen 127.0.0.1:8001', 'admin_listen 127.0.0.1:8444', 'cluster_listen 0.0.0.0:8005', 'status_listen 127.0.0.1:8007',
    ]);
    expect(dp.listeners.map((l) => `${l.key} ${l.address}:${l.port}`).sort()).toEqual([
      'proxy_listen 0.0.0.0:8000', 'proxy_listen 0.0.0.0:8443', 'status_listen 127.0.0.1:8100',
    ]);
  });

  it('a route created on the control plane answers on the data plane', async () => {
    const service = await http('POST', 'http://127.0.0.1:8001/services', { body: { name: 'cp-status', url: 'http://127.0.0.1:8007' } });
    expect(service.status).toBe(201);
    const route = await http('POST', 'http://127.0.0.1:8001/services/cp-status/routes', { body: { name: 'cp-status', paths: ['/cp'] } });
    expect(route.status).toBe(201);
    const r = await waitFor(async () => {
      const res = await http('GET', 'http://127.0.0.1:8000/cp/status/ready');
      return res.status === 200 ? res : undefined;
    }, 'the route on the data plane');
    expect(r.json).toEqual({ message: 'ready' });
    expect((await http('GET', 'http://127.0.0.1:8100/status/ready')).status).toBe(200);
  });
});

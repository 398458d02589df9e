// Hybrid mode with real processes: one control plane (SQLite), three data planes pulling over mutual TLS.
// The steps share the processes and run in order: propagation, refusals, the control plane killed under load,
// a data plane restarted while it is down (cache), and resync when it returns.
import { http } from '../support/http';
import { stopNode, type RunningNode } from '../support/cli-node';
import { generateClusterCertificate } from '@tollgate/pki';
import { addRoute, clusterCertificate, proxyAnswers, rawPull, startControlPlane, startDataPlane, startUpstream, waitFor, type ClusterFiles } from './hybrid-support';

jest.setTimeout(120_000);

describe('hybrid mode: control plane + 3 data planes', () => {
  let files: ClusterFiles;
  let cp: RunningNode;
  let cpPrefix: string;
  let clusterPort: number;
  let adminPort: number;
  const dps: RunningNode[] = [];
  let upstream: Awaited<ReturnType<typeof startUpstream>>;

  beforeAll(async () => {
    files = clusterCertificate();
    upstream = await startUpstream();
    cp = await startControlPlane(files);
    cpPrefix = cp.prefix;
    clusterPort = cp.port('cluster_listen');
    adminPort = cp.port('admin_listen');
    dps.push(...(await Promise.all([0, 1, 2].map((i) => startDataPlane(files, clusterPort, { extra: { cluster_dp_labels: `dp:n${i}` } })))));
  });
  afterAll(async () => {
    await Promise.all([...dps, cp].filter(Boolean).map((n) => stopNode(n)));
    upstream?.server.close();
  });

  it('the control plane opens cluster_listen and no proxy; data planes open no Admin API', () => {
    expect(cp.listeners.map((l) => l.key).sort()).toEqual(['admin_listen', 'cluster_listen', 'status_listen']);
    for (const dp of dps) expect(dp.listeners.map((l) => l.key).sort()).toEqual(['proxy_listen', 'status_listen']);
  });

  it('a route created on the control plane answers on all three data planes', async () => {
    await addRoute(adminPort, 'first', upstream.port);
    await Promise.all(dps.map((dp) => proxyAnswers(dp, '/first')));
    for (const dp of dps) {
      const r = await http('GET', `http://127.0.0.1:${dp.port('proxy_listen')}/first/x`);
      expect(r.text).toBe('upstream saw /x');
      const ready = await http('GET', `http://127.0.0.1:${dp.port('status_listen')}/status/ready`);
      expect([ready.status, ready.json]).toEqual([200, { message: 'ready' }]);
    }
  });

  it('GET /clustering/data-planes lists the three data planes in sync', async () => {
    const status = await http('GET', `http://127.0.0.1:${cp.port('status_listen')}/status`);
    const cpHash = status.json.configuration_hash;
    const r = await waitFor(async () => {
      const page = await http('GET', `http://127.0.0.1:${adminPort}/clustering/data-planes`);
      // a version reaches the data planes before its release row is written: in sync means the release is known too
      return page.json.data.length === 3 && page.json.data.every((d: any) => d.config_hash === cpHash && d.release !== null) ? page : undefined;
    }, 'three data planes in sync on a recorded release');
    expect(r.status).toBe(200);
    expect(r.json.next).toBeNull();
    const labels = r.json.data.map((d: any) => d.labels.dp).sort();
    expect(labels).toEqual(['n0', 'n1', 'n2']);
    for (const d of r.json.data) {
      expect(Object.keys(d).sort()).toEqual(['cert_details', 'config_hash', 'created_at', 'hostname', 'id', 'ip', 'labels', 'last_seen', 'release', 'release_stats', 'rollout', 'rpc_capabilities', 'sync_status', 'ttl', 'updated_at', 'version'].sort());
      expect(d.rollout).toBeNull(); // no rollout is open
      expect(d).toMatchObject({ ip: '127.0.0.1', sync_status: 'normal', version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
      // the release the data plane serves: the newest one, whose hash it reports
      const latest = (await http('GET', `http://127.0.0.1:${adminPort}/config/releases?size=1`)).json.data[0];
      expect([d.release, latest.hash.slice(0, 32)]).toEqual([latest.number, d.config_hash]);
      expect(d.ttl).toBeGreaterThan(1_209_000);
    }
    const deprecated = await http('GET', `http://127.0.0.1:${adminPort}/clustering/status`);
    expect(deprecated.headers.deprecation).toBe('true');
    expect(Object.keys(deprecated.json).sort()).toEqual(r.json.data.map((d: any) => d.id).sort());
  });

  it('a data plane with another certificate is refused at the handshake and never listed', async () => {
    const stranger = await startDataPlane({ ...clusterCertificate(), pair: generateClusterCertificate(1) }, clusterPort);
    try {
      await waitFor(async () => stranger.logs.some((l) => l.includes('control plane unreachable')) || undefined, 'refusal logged by the stranger');
      const ready = await http('GET', `http://127.0.0.1:${stranger.port('status_listen')}/status/ready`);
      expect(ready.status).toBe(503);
      await waitFor(async () => cp.logs.some((l) => l.includes('cluster connection refused during the TLS handshake')) || undefined, 'refusal logged by the control plane');
      const page = await http('GET', `http://127.0.0.1:${adminPort}/clustering/data-planes`);
      expect(page.json.data).toHaveLength(3);
    } finally {
      await stopNode(stranger);
    }
  });

  it('a data plane of another major version is refused with 409 and listed as kong_version_incompatible', async () => {
    const id = 'c0ffee00-0000-4000-8000-000000000009';
    const r = await rawPull(clusterPort, files.pair, { node_id: id, node_version: '99.1.0', node_hostname: 'old-dp', config_hash: '' });
    expect(r.status).toBe(409);
    expect(JSON.parse(r.body)).toEqual({
      message: expect.stringMatching(/^data plane version 99\.1\.0 is incompatible with control plane version \d+\.\d+\.\d+ \(\d+\.x\.y are accepted\)$/),
      sync_status: 'kong_version_incompatible',
    });
    const page = await http('GET', `http://127.0.0.1:${adminPort}/clustering/data-planes`);
    expect(page.json.data.find((d: any) => d.id === id)).toMatchObject({ hostname: 'old-dp', version: '99.1.0', sync_status: 'kong_version_incompatible' });
  });

  it('kill -9 of the control plane under load: the data planes answer 100% of requests', async () => {
    let stop = false;
    let ok = 0;
    const failures: string[] = [];
    const load = dps.map(async (dp) => {
      while (!stop) {
        const r = await http('GET', `http://127.0.0.1:${dp.port('proxy_listen')}/first`).catch((e) => ({ status: 0, text: String(e) }));
        if (r.status === 200) ok++;
        else failures.push(`${r.status} ${r.text}`);
      }
    });
    await new Promise((r) => setTimeout(r, 200));
    cp.child.kill('SIGKILL');
    await cp.exited;
    await waitFor(async () => dps.every((dp) => dp.logs.some((l) => l.includes('control plane unreachable'))) || undefined, 'data planes notice');
    await new Promise((r) => setTimeout(r, 500));
    stop = true;
    await Promise.all(load);
    expect(failures).toEqual([]);
    expect(ok).toBeGreaterThan(10); // how many depends on the machine's load; none may fail
  });

  it('a data plane restarted while the control plane is down serves from its disk cache within 1 s', async () => {
    const old = dps[0];
    await stopNode(old);
    const spawned = Date.now();
    const restarted = await startDataPlane(files, clusterPort, { prefix: old.prefix, extra: { cluster_dp_labels: 'dp:n0' } });
    dps[0] = restarted;
    const started = Date.now();
    await proxyAnswers(restarted, '/first', 1000);
    const served = Date.now() - started;
    expect(served).toBeLessThan(1000);
    expect(restarted.logs.some((l) => l.includes('loaded configuration from the disk cache'))).toBe(true);
    const ready = await http('GET', `http://127.0.0.1:${restarted.port('status_listen')}/status/ready`);
    expect(ready.status).toBe(200);
    process.stdout.write(`[hybrid] restart from cache: ${Date.now() - spawned} ms from spawn to first 200 (${served} ms after 'started')\n`);
  });

  it('the control plane returns: data planes resync and pick up new changes', async () => {
    cp = await startControlPlane(files, { prefix: cpPrefix, clusterPort, adminPort: 0 });
    adminPort = cp.port('admin_listen');
    await addRoute(adminPort, 'second', upstream.port);
    await Promise.all(dps.map((dp) => proxyAnswers(dp, '/second', 15_000)));
    for (const dp of dps) expect((await http('GET', `http://127.0.0.1:${dp.port('proxy_listen')}/first`)).status).toBe(200);
  });
});

// GET /status/dns with new_dns_client = on, through real `tollgate start` nodes: the data plane resolves an
// upstream target through a name server this test runs (resolver_address, which new_dns_client = on reads instead
// of dns_resolver, as Kong does), proxies a request to it, and the Admin API
// and the status listener show the counters Kong 3.10's new DNS client keeps for that name. Traditional mode (the
// workers report over IPC) and hybrid mode (the data plane's status listener; the control plane resolves nothing).
// new_dns_client = off (the default) keeps Kong's 501: test/admin/node-endpoints.e2e-spec.ts.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loopbackConf, startNode, stopNode, tempPrefix, writeConf, type RunningNode } from '../support/cli-node';
import { startDnsServer, type TestDnsServer } from '../support/dns-server';
import { http } from '../support/http';
import { waitFor } from '../support/wait';
import { clusterCertificate, startControlPlane, startDataPlane } from '../hybrid/hybrid-support';

jest.setTimeout(120_000);

const NAME = 'stats-backend.tollgate.test';
const MISSING = 'missing.tollgate.test';

/** What a name resolved once by a node's worker shows: a run looked up, and its A query answered. */
const resolvedOnce = {
  [`${NAME}|A/AAAA`]: expect.objectContaining({ runs: expect.any(Number), miss: expect.any(Number) }),
  [`${NAME}|A`]: expect.objectContaining({ query: expect.any(Number), query_succ: expect.any(Number), query_last_time: expect.any(Number) }),
};

describe('GET /status/dns with new_dns_client = on', () => {
  let dns: TestDnsServer;
  let backend: Server;
  let backendPort: number;

  beforeAll(async () => {
    dns = await startDnsServer({ [NAME]: '127.0.0.1' });
    backend = createServer((req, res) => res.end(`backend saw ${req.url}`));
    await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
    backendPort = (backend.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await dns?.close();
    backend?.close();
  });

  /** An upstream whose target is `target`, a service named after it, and a route on `path`. */
  const proxyThrough = async (adminPort: number, name: string, target: string, path: string) => {
    const post = (p: string, body: unknown) => http('POST', `http://127.0.0.1:${adminPort}${p}`, { body });
    expect((await post('/upstreams', { name })).status).toBe(201);
    expect((await post(`/upstreams/${name}/targets`, { target })).status).toBe(201);
    expect((await post('/services', { name, host: name })).status).toBe(201);
    expect((await post(`/services/${name}/routes`, { paths: [path] })).status).toBe(201);
  };
  const proxied = (node: RunningNode, path: string) => waitFor(async () => {
    const r = await http('GET', `http://127.0.0.1:${node.port('proxy_listen')}${path}`);
    return r.status === 200 ? r : undefined;
  }, `${path} proxied`, 30_000);

  describe('traditional node, 2 workers', () => {
    let node: RunningNode;
    const url = (listener: 'admin_listen' | 'status_listen') => `http://127.0.0.1:${node.port(listener)}/status/dns`;

    beforeAll(async () => {
      const prefix = tempPrefix();
      node = await startNode(['-c', writeConf(prefix, loopbackConf(prefix, {
        worker_processes: '2',
        new_dns_client: 'on',
        resolver_address: `127.0.0.1:${dns.port}`,
        dns_resolver: '127.0.0.1:1', // the legacy client's: nothing answers there, and nothing asks it
      })), '-p', prefix]);
    });

    afterAll(async () => {
      if (node) await stopNode(node);
    });

    it.each([['admin_listen'], ['status_listen']] as const)('answers 200 on %s with no name resolved yet', async (listener) => {
      const res = await http('GET', url(listener));
      expect(res.status).toBe(200);
      expect(res.json).toEqual({ worker: { id: 0, count: 2 }, stats: {} });
    });

    it("counts the upstream target's lookups through the name server, on both listeners", async () => {
      await proxyThrough(node.port('admin_listen'), 'stats-up', `${NAME}:${backendPort}`, '/stats');
      expect((await proxied(node, '/stats/x')).text).toBe('backend saw /x');
      expect(dns.asked).toContain(NAME);
      for (const listener of ['admin_listen', 'status_listen'] as const) {
        // the request may have reached the other worker: the one that answers may still be applying the target
        const res = await waitFor(async () => {
          const r = await http('GET', url(listener));
          return r.json?.stats?.[`${NAME}|A`] ? r : undefined;
        }, `${NAME}'s counters on ${listener}`);
        expect(res.status).toBe(200);
        expect(res.json.worker).toEqual({ id: 0, count: 2 });
        expect(res.json.stats).toMatchObject(resolvedOnce);
        // one run looked the name up (the balancer resolves again only when the 30 s TTL ends) with one A query,
        // the only type resolver_family's default A,SRV asks of a name that is not _<service>._<proto>.<name>
        expect(res.json.stats).toEqual({
          [`${NAME}|A/AAAA`]: { runs: 1, miss: 1 },
          [`${NAME}|A`]: { query: 1, query_succ: 1, query_last_time: expect.any(Number) },
        });
      }
    });

    it("counts a name the name server does not know as Kong's empty answers", async () => {
      await proxyThrough(node.port('admin_listen'), 'missing-up', `${MISSING}:${backendPort}`, '/missing');
      const stats = await waitFor(async () => {
        const res = await http('GET', url('admin_listen'));
        return res.json.stats[`${MISSING}|A/AAAA`]?.miss ? res.json.stats : undefined;
      }, `${MISSING}'s counters`, 20_000);
      // the name server answered (a miss, not a fail) with no record; AAAA is not in resolver_family's default
      expect(stats[`${MISSING}|A/AAAA`]).toEqual({ runs: 1, miss: 1 });
      expect(stats[`${MISSING}|A`]).toEqual({ query: 1, 'query_fail:empty record received': 1, query_last_time: expect.any(Number) });
      expect(stats[`${MISSING}|AAAA`]).toBeUndefined();
      // the proxy answers what Kong answers when the balancer has no address for its upstream (the request may reach
      // the other worker, which may still be applying the route: 404 until then)
      const answer = await waitFor(async () => {
        const r = await http('GET', `http://127.0.0.1:${node.port('proxy_listen')}/missing`);
        return r.status === 404 ? undefined : r;
      }, 'the /missing route on the worker that answers');
      expect([answer.status, answer.json]).toEqual([503, { message: 'failure to get a peer from the ring-balancer', request_id: expect.any(String) }]);
    });
  });

  describe('hybrid: control plane and data plane', () => {
    let cp: RunningNode;
    let dp: RunningNode;

    beforeAll(async () => {
      const files = clusterCertificate();
      cp = await startControlPlane(files, { extra: { new_dns_client: 'on', worker_processes: '1' } });
      dp = await startDataPlane(files, cp.port('cluster_listen'), { extra: { new_dns_client: 'on', resolver_address: `127.0.0.1:${dns.port}` } });
    });

    afterAll(async () => {
      if (dp) await stopNode(dp);
      if (cp) await stopNode(cp);
    });

    it("the data plane's status listener shows its resolver's counters; the control plane resolves no upstream name", async () => {
      await proxyThrough(cp.port('admin_listen'), 'hybrid-up', `${NAME}:${backendPort}`, '/hybrid');
      expect((await proxied(dp, '/hybrid/y')).text).toBe('backend saw /y');
      const fromDp = await http('GET', `http://127.0.0.1:${dp.port('status_listen')}/status/dns`);
      expect(fromDp.status).toBe(200);
      expect(fromDp.json).toEqual({ worker: { id: 0, count: 1 }, stats: expect.objectContaining(resolvedOnce) });
      for (const listener of ['admin_listen', 'status_listen']) {
        const fromCp = await http('GET', `http://127.0.0.1:${cp.port(listener)}/status/dns`);
        expect([fromCp.status, fromCp.json]).toEqual([200, { worker: { id: 0, count: 1 }, stats: {} }]);
      }
    });
  });
});

// rate-limiting `policy = local` on a real node with two data-plane workers: Kong counts per node, so the limit
// holds whichever worker answers. Each request goes on purpose to one worker or the other (the test finds which
// process holds each connection in /proc): per-worker counters would let 4 requests through here.
import { createServer, type Server } from 'node:http';
import { http } from '../support/http';
import { RawConnection, type RawResponse } from '../support/raw-http';
import { childPids, serverPidOf } from '../support/socket-owner';
import { waitFor } from '../support/wait';
import { loopbackConf, startNode, stopNode, tempPrefix, writeConf, type RunningNode } from '../support/cli-node';

jest.setTimeout(60_000);

describe('rate-limiting policy local on a node with worker_processes = 2', () => {
  let node: RunningNode;
  let upstream: Server;
  const connections: RawConnection[] = [];

  beforeAll(async () => {
    upstream = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', () => r()));
    const prefix = tempPrefix();
    node = await startNode(['-c', writeConf(prefix, loopbackConf(prefix, { worker_processes: '2' })), '-p', prefix]);
    const admin = `http://127.0.0.1:${node.port('admin_listen')}`;
    const port = (upstream.address() as import('node:net').AddressInfo).port;
    expect((await http('POST', `${admin}/services`, { body: { name: 's', url: `http://127.0.0.1:${port}` } })).status).toBe(201);
    expect((await http('POST', `${admin}/services/s/routes`, { body: { name: 'r', paths: ['/limited'] } })).status).toBe(201);
    // limited by a header, so the probes that wait for the config do not spend the identifier under test
    const plugin = await http('POST', `${admin}/routes/r/plugins`, {
      body: { name: 'rate-limiting', config: { minute: 3, policy: 'local', limit_by: 'header', header_name: 'x-who' } },
    });
    expect(plugin.status).toBe(201);
  });

  afterAll(async () => {
    for (const c of connections) c.close();
    if (node) await stopNode(node);
    await new Promise<void>((r) => upstream.close(() => r()));
  });

  it('the 4th request in a minute gets 429 with Kong body and headers, alternating between the two workers', async () => {
    const proxyPort = node.port('proxy_listen');
    const workers = childPids(node.child.pid!);
    expect(workers).toHaveLength(2);
    // one keep-alive connection held by each worker
    const byWorker = new Map<number, RawConnection>();
    for (let i = 0; i < 64 && byWorker.size < 2; i++) {
      const c = await RawConnection.open(proxyPort);
      connections.push(c);
      const owner = await waitFor(async () => serverPidOf(proxyPort, c.localPort, workers) ?? undefined, 'the worker holding a connection');
      if (!byWorker.has(owner)) byWorker.set(owner, c);
    }
    expect(byWorker.size).toBe(2);
    const [a, b] = [...byWorker.values()];
    // each worker serves the route with the plugin before the count starts
    for (const c of [a, b]) {
      await waitFor(async () => ((await c.request('/limited', { 'x-who': `probe-${Math.random()}` })).headers['x-ratelimit-limit-minute'] === '3' ? true : undefined), 'the plugin in each worker');
    }

    // the five requests must fall in one minute window
    await waitFor(async () => (new Date().getUTCSeconds() < 50 ? true : undefined), 'a minute with time left', 15_000, 200);
    const seen: RawResponse[] = [];
    for (const c of [a, b, a, b, a]) seen.push(await c.request('/limited', { 'x-who': 'tester' }));
    expect(seen.map((r) => r.status)).toEqual([200, 200, 200, 429, 429]);
    expect(seen.map((r) => r.headers['x-ratelimit-remaining-minute'])).toEqual(['2', '1', '0', '0', '0']);
    const refused = seen[3];
    expect(JSON.parse(refused.body)).toEqual({ message: 'API rate limit exceeded', ...(refused.headers['x-kong-request-id'] ? { request_id: refused.headers['x-kong-request-id'] } : {}) });
    expect(refused.headers['content-type']).toMatch(/^application\/json/);
    expect(refused.headers['x-ratelimit-limit-minute']).toBe('3');
    expect(refused.headers['ratelimit-limit']).toBe('3');
    expect(refused.headers['ratelimit-remaining']).toBe('0');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(refused.headers['retry-after']).toBe(refused.headers['ratelimit-reset']);
  });
});

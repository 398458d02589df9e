// A classic Kong cluster: two traditional nodes (Admin API and proxy each) on one PostgreSQL schema. A write
// through either node's Admin API reaches the other node's proxy (Kong polls cluster events every
// db_update_frequency = 5 s; here LISTEN/NOTIFY carries it at once).
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loopbackConf, startNode, stopNode, tempPrefix, writeConf, type RunningNode } from '../support/cli-node';
import { http } from '../support/http';
import { waitFor } from '../support/wait';
import { dropSchema, pgConf } from '../support/pg';

jest.setTimeout(90_000);

describe('two traditional nodes on one PostgreSQL schema', () => {
  const schema = `traditional_${randomBytes(4).toString('hex')}`;
  let a: RunningNode;
  let b: RunningNode;
  let upstream: Server;

  const start = () => {
    const prefix = tempPrefix();
    return startNode(['-c', writeConf(prefix, loopbackConf(prefix, pgConf(schema))), '-p', prefix]);
  };
  const proxyStatus = async (node: RunningNode, path: string) => (await http('GET', `http://127.0.0.1:${node.port('proxy_listen')}${path}`)).status;

  beforeAll(async () => {
    upstream = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', () => r()));
    a = await start();
    b = await start(); // after a: the schema and its migrations exist
  });
  afterAll(async () => {
    await Promise.all([a, b].filter(Boolean).map((n) => stopNode(n)));
    upstream?.close();
    await dropSchema(schema);
  });

  it('a route created through node A answers on node B within 2 s, and its deletion through B reaches A', async () => {
    const admin = (n: RunningNode) => `http://127.0.0.1:${n.port('admin_listen')}`;
    expect((await http('POST', `${admin(a)}/services`, { body: { name: 'shared', url: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}` } })).status).toBe(201);
    expect((await http('POST', `${admin(a)}/services/shared/routes`, { body: { name: 'shared', paths: ['/shared'] } })).status).toBe(201);
    const written = Date.now();
    await waitFor(async () => ((await proxyStatus(b, '/shared')) === 200 ? true : undefined), 'the route on node B', 2000);
    process.stdout.write(`[traditional] write on node A -> proxy of node B: ${Date.now() - written} ms\n`);
    expect(await proxyStatus(a, '/shared')).toBe(200);

    expect((await http('DELETE', `${admin(b)}/routes/shared`)).status).toBe(204);
    await waitFor(async () => ((await proxyStatus(a, '/shared')) === 404 ? true : undefined), 'the deletion on node A', 2000);
  });

  it('PUT /debug/cluster/log-level changes the level of both nodes; the control planes\' route answers 404 here', async () => {
    const admin = (n: RunningNode) => `http://127.0.0.1:${n.port('admin_listen')}`;
    expect((await http('PUT', `${admin(a)}/debug/cluster/control-planes-nodes/log-level/info`)).status).toBe(404);
    expect((await http('PUT', `${admin(a)}/debug/cluster/log-level/loud`)).json).toEqual({ message: 'unknown log level: loud' });
    const changed = await http('PUT', `${admin(a)}/debug/cluster/log-level/info?timeout=60`);
    expect([changed.status, changed.json]).toEqual([200, { message: 'log level changed' }]);
    expect((await http('GET', `${admin(a)}/debug/node/log-level`)).json).toEqual({ message: 'log level: info' });
    await waitFor(async () => ((await http('GET', `${admin(b)}/debug/node/log-level`)).json.message === 'log level: info' ? true : undefined), 'the level on node B', 3000);
    // the node-level route stays local
    expect((await http('PUT', `${admin(b)}/debug/node/log-level/debug?timeout=60`)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 300));
    expect((await http('GET', `${admin(a)}/debug/node/log-level`)).json).toEqual({ message: 'log level: info' });
  });
});

// Node-level endpoints of Kong's Admin API on a real traditional node with 2 workers: /debug/node/log-level (which
// must reach the workers), /timers, /status/dns, /cache, X-Kong-Admin-Latency, GET / configuration.
import { http } from '../support/http';
import { loopbackConf, startNode, stopNode, tempPrefix, writeConf, type RunningNode } from '../support/cli-node';
import { waitFor } from '../support/wait';

describe('node endpoints (traditional node, 2 workers)', () => {
  let node: RunningNode;
  let admin: string;
  let status: string;

  beforeAll(async () => {
    const prefix = tempPrefix();
    node = await startNode(['-c', writeConf(prefix, loopbackConf(prefix, { worker_processes: '2' })), '-p', prefix]);
    admin = `http://127.0.0.1:${node.port('admin_listen')}`;
    status = `http://127.0.0.1:${node.port('status_listen')}`;
  });

  afterAll(async () => {
    if (node) await stopNode(node);
  });

  const workerHealthLines = (target: string) =>
    node.logs.filter((line) => line.includes('"tollgate-dp"') && line.includes('upstream address health changed') && line.includes(target));

  describe('GET|PUT /debug/node/log-level', () => {
    it.each([
      ['/debug/node/log-level/verbose', 400, { message: 'unknown log level: verbose' }],
      ['/debug/node/log-level/info?timeout=-1', 400, { message: 'timeout must be greater than or equal to 0' }],
      ['/debug/node/log-level/notice', 200, { message: 'log level is already notice' }],
    ])('PUT %s -> %d', async (path, code, body) => {
      const res = await http('PUT', `${admin}${path}`);
      expect(res.status).toBe(code);
      expect(res.json).toEqual(body);
    });

    it("changes the level of the whole node: the workers' info lines appear only after the change", async () => {
      expect((await http('GET', `${admin}/debug/node/log-level`)).json).toEqual({ message: 'log level: notice' });
      await http('POST', `${admin}/upstreams`, { body: { name: 'levels.test' } });
      await http('POST', `${admin}/upstreams/levels.test/targets`, { body: { target: '10.0.0.1:80' } });
      await http('POST', `${admin}/upstreams/levels.test/targets`, { body: { target: '10.0.0.2:80' } });
      // a worker logs a health change at info: below notice, so not written yet
      expect((await http('PUT', `${admin}/upstreams/levels.test/targets/10.0.0.1:80/unhealthy`)).status).toBe(204);
      expect(workerHealthLines('10.0.0.1:80')).toEqual([]);

      const changed = await http('PUT', `${admin}/debug/node/log-level/info`, { body: { timeout: 120 } });
      expect(changed.status).toBe(200);
      expect(changed.json).toEqual({ message: 'log level changed' });
      expect((await http('GET', `${admin}/debug/node/log-level`)).json).toEqual({ message: 'log level: info' });
      expect((await http('GET', `${admin}/`)).json.configuration.log_level).toBe('info');
      expect((await http('PUT', `${admin}/upstreams/levels.test/targets/10.0.0.2:80/unhealthy`)).status).toBe(204);
      // each of the two workers applied the status to its balancer and logged it
      await waitFor(async () => (workerHealthLines('10.0.0.2:80').length === 2 ? true : undefined), 'both workers logging at info');
    });

    it('PUT /debug/cluster/log-level on a SQLite node (the only node on its database) changes this node', async () => {
      expect((await http('PUT', `${admin}/debug/cluster/log-level/warn?timeout=1`)).json).toEqual({ message: 'log level changed' });
      expect((await http('GET', `${admin}/debug/node/log-level`)).json).toEqual({ message: 'log level: warn' });
      expect((await http('PUT', `${admin}/debug/cluster/control-planes-nodes/log-level/warn`)).status).toBe(404);
      await waitFor(async () => ((await http('GET', `${admin}/debug/node/log-level`)).json.message === 'log level: notice' ? true : undefined), 'the level to revert', 5000);
    });

    it('a timeout brings the configured level back', async () => {
      expect((await http('PUT', `${admin}/debug/node/log-level/debug?timeout=1`)).json).toEqual({ message: 'log level changed' });
      expect((await http('GET', `${admin}/debug/node/log-level`)).json).toEqual({ message: 'log level: debug' });
      await waitFor(async () => ((await http('GET', `${admin}/debug/node/log-level`)).json.message === 'log level: notice' ? true : undefined), 'the level to revert', 5000);
    });
  });

  it('GET /timers answers in Kong\'s shape', async () => {
    const res = await http('GET', `${admin}/timers`);
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      worker: { id: 0, count: 2 },
      stats: {
        flamegraph: { running: '', pending: '', elapsed_time: '' },
        sys: { running: 0, runs: 0, pending: expect.any(Number), waiting: 0, total: expect.any(Number) },
        timers: {},
      },
    });
  });

  it.each([['admin'], ['status']])('GET /status/dns on the %s listener answers as Kong 3.10 with its legacy DNS client', async (which) => {
    const res = await http('GET', `${which === 'admin' ? admin : status}/status/dns`);
    expect(res.status).toBe(501);
    expect(res.json).toEqual({ message: 'not implemented with the legacy DNS client' });
  });

  it.each([
    ['GET', '/cache/my_key', 404, { message: 'Not found' }],
    ['DELETE', '/cache/my_key', 204, undefined],
    ['DELETE', '/cache', 204, undefined],
  ])('%s %s -> %d', async (method, path, code, body) => {
    const res = await http(method, `${admin}${path}`);
    expect(res.status).toBe(code);
    expect(res.json).toEqual(body);
  });

  it.each([
    ['GET', '/'],
    ['GET', '/services/nope'],
    ['POST', '/services'],
    ['GET', '/no/such/path'],
  ])('X-Kong-Admin-Latency is on %s %s (latency_tokens is in the default headers)', async (method, path) => {
    const res = await http(method, `${admin}${path}`, method === 'POST' ? { body: {} } : {});
    expect(res.headers['x-kong-admin-latency']).toMatch(/^\d+$/);
  });

  it("POST /plugins: ip-restriction takes Kong 3.10's default protocols, other plugins the http ones", async () => {
    const ip = await http('POST', `${admin}/plugins`, { body: { name: 'ip-restriction', config: { allow: ['10.0.0.0/8'] } } });
    expect(ip.status).toBe(201);
    expect(ip.json.protocols).toEqual(['http', 'https', 'tcp', 'tls', 'grpc', 'grpcs']);
    const given = await http('PATCH', `${admin}/plugins/${ip.json.id}`, { body: { protocols: ['http'] } });
    expect(given.json.protocols).toEqual(['http']);
    const cors = await http('POST', `${admin}/plugins`, { body: { name: 'cors' } });
    expect(cors.json.protocols).toEqual(['grpc', 'grpcs', 'http', 'https']);
  });

  it('GET /schemas/vaults/{name}: the env vault\'s config schema; an unknown vault is 404', async () => {
    const env = await http('GET', `${admin}/schemas/vaults/env`);
    expect(env.status).toBe(200);
    expect(env.json).toEqual({ fields: [{ config: { type: 'record', fields: [{ prefix: expect.objectContaining({ type: 'string', match: '^[A-Za-z_-][A-Za-z0-9_-]*$' }) }] } }] });
    const nope = await http('GET', `${admin}/schemas/vaults/hcv`);
    expect(nope.status).toBe(404);
    expect(nope.json).toEqual({ message: "No vault named 'hcv'" });
  });

  it.each([
    ['key-auth', ['consumer', 'protocols', 'config']],
    ['acme', ['consumer', 'service', 'route', 'protocols', 'config']],
    ['rate-limiting', ['protocols', 'config']],
  ])("GET /schemas/plugins/%s: the plugin's own fields, forbidden scopes as Kong's eq-null foreign fields", async (name, fields) => {
    const res = await http('GET', `${admin}/schemas/plugins/${name}`);
    expect(res.status).toBe(200);
    expect(res.json.fields.map((f: object) => Object.keys(f)[0])).toEqual(fields);
    if (fields[0] === 'consumer') {
      expect(res.json.fields[0].consumer).toEqual({
        type: 'foreign', reference: 'consumers', eq: null, description: 'Custom type for representing a foreign key with a null value allowed.',
      });
    }
  });

  // Kong 3.10: 26 bundled plugins declare protocols = typedefs.protocols_http, the others typedefs.protocols.
  it("POST|PATCH /plugins: a protocols_http plugin refuses stream protocols as Kong's subschema; the others take any", async () => {
    const refused = await http('POST', `${admin}/plugins`, { body: { name: 'key-auth', protocols: ['http', 'tcp'] } });
    expect(refused.status).toBe(400);
    expect(refused.json).toEqual({
      code: 2, name: 'schema violation',
      message: 'schema violation (protocols.2: expected one of: grpc, grpcs, http, https)',
      fields: { protocols: [null, 'expected one of: grpc, grpcs, http, https'] },
    });
    const correlation = await http('POST', `${admin}/plugins`, { body: { name: 'correlation-id', protocols: ['http'] } });
    expect(correlation.status).toBe(201);
    const patched = await http('PATCH', `${admin}/plugins/${correlation.json.id}`, { body: { protocols: ['udp'] } });
    expect(patched.status).toBe(400);
    expect(patched.json.fields).toEqual({ protocols: ['expected one of: grpc, grpcs, http, https'] });
    const tcpLog = await http('POST', `${admin}/plugins`, { body: { name: 'tcp-log', protocols: ['tcp', 'tls'], config: { host: '127.0.0.1', port: 9 } } });
    expect(tcpLog.status).toBe(201);
    expect(tcpLog.json.protocols).toEqual(['tcp', 'tls']);
    for (const id of [correlation.json.id, tcpLog.json.id]) expect((await http('DELETE', `${admin}/plugins/${id}`)).status).toBe(204);
    const keyAuth = await http('GET', `${admin}/schemas/plugins/key-auth`);
    expect(keyAuth.json.fields[1].protocols).toEqual({
      type: 'set', required: true, default: ['grpc', 'grpcs', 'http', 'https'], elements: { type: 'string', one_of: ['grpc', 'grpcs', 'http', 'https'] },
      description: 'A set of strings representing HTTP protocols.',
    });
    const tcpLogSchema = await http('GET', `${admin}/schemas/plugins/tcp-log`);
    expect(tcpLogSchema.json.fields[0].protocols.elements.one_of).toEqual(['grpc', 'grpcs', 'http', 'https', 'tcp', 'tls', 'tls_passthrough', 'udp']);
  });

  it("GET /schemas/keys and /schemas/key_sets: Kong 3.x's fields, keys and checks; the URL form key-sets is no entity name", async () => {
    const keys = await http('GET', `${admin}/schemas/keys`);
    expect(keys.status).toBe(200);
    expect(keys.json.fields.map((f: object) => Object.keys(f)[0])).toEqual(['id', 'set', 'name', 'kid', 'jwk', 'pem', 'tags', 'created_at', 'updated_at']);
    expect(keys.json).toMatchObject({
      endpoint_key: 'name', primary_key: ['id'], cache_key: ['kid', 'set'],
      entity_checks: [{ mutually_exclusive: ['jwk', 'pem'] }, { at_least_one_of: ['jwk', 'pem'] }],
    });
    expect(keys.json.fields[1].set).toMatchObject({ type: 'foreign', reference: 'key_sets', on_delete: 'cascade' });
    const sets = await http('GET', `${admin}/schemas/key_sets`);
    expect(sets.json.fields.map((f: object) => Object.keys(f)[0])).toEqual(['id', 'name', 'tags', 'created_at', 'updated_at']);
    expect(sets.json).toMatchObject({ endpoint_key: 'name', primary_key: ['id'] });
    const dashed = await http('GET', `${admin}/schemas/key-sets`);
    expect(dashed.status).toBe(404);
    expect(dashed.json).toEqual({ message: "No entity named 'key-sets'" });
  });

  it('GET / lists configuration.admin_gui_listeners (none: no GUI is served)', async () => {
    const res = await http('GET', `${admin}/`);
    expect(res.json.configuration.admin_gui_listeners).toEqual([]);
  });

  it('POST /status/ready status=draining -> 204, then GET answers 503 draining', async () => {
    // 503 "router builds not yet complete" until every worker applied the configuration (a loaded machine)
    const readyAnswer = await waitFor(async () => {
      const r = await http('GET', `${status}/status/ready`);
      return r.status === 200 ? r : undefined;
    }, 'the node to be ready', 15_000);
    expect(readyAnswer.json).toEqual({ message: 'ready' });
    expect((await http('POST', `${status}/status/ready`, { body: 'status=nothing', headers: { 'content-type': 'application/x-www-form-urlencoded' } })).status).toBe(400);
    const drain = await http('POST', `${status}/status/ready`, { body: 'status=draining', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(drain.status).toBe(204);
    const ready = await http('GET', `${status}/status/ready`);
    expect(ready.status).toBe(503);
    expect(ready.json).toEqual({ message: 'draining' });
  });
});

describe('X-Kong-Admin-Latency off', () => {
  it('is absent when `headers` leaves it out', async () => {
    const prefix = tempPrefix();
    const node = await startNode(['-c', writeConf(prefix, loopbackConf(prefix, { headers: 'server_tokens', proxy_listen: 'off' })), '-p', prefix]);
    try {
      const res = await http('GET', `http://127.0.0.1:${node.port('admin_listen')}/`);
      expect(res.status).toBe(200);
      expect(res.headers['x-kong-admin-latency']).toBeUndefined();
    } finally {
      await stopNode(node);
    }
  });
});

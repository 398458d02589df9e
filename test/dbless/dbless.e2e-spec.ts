// `database = off`: the real `tollgate start` serving a declarative file, the Admin API in DB-less mode
// (kong-admin-api.md §3.5, §6.2, §8.2, §8.3). Requires `npm run build`.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { loopbackConf, startNode, stopNode, tempPrefix, writeConf, type RunningNode } from '../support/cli-node';
import { http } from '../support/http';
import { startUpstream, waitFor } from '../hybrid/hybrid-support';

jest.setTimeout(60_000);

const ZEROS = '0'.repeat(32);

function serviceFile(upstreamPort: number, routeName: string, path: string): string {
  return [
    '_format_version: "3.0"',
    'services:',
    `- name: svc-${routeName}`,
    `  url: http://127.0.0.1:${upstreamPort}`,
    '  routes:',
    `  - name: ${routeName}`,
    `    paths: [${path}]`,
    'consumers:',
    '- username: alice',
    '',
  ].join('\n');
}

describe('database = off with declarative_config', () => {
  let node: RunningNode;
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  let admin: string;
  let proxy: string;
  let statusUrl: string;

  const proxyStatus = async (path: string) => (await http('GET', `${proxy}${path}`)).status;

  beforeAll(async () => {
    upstream = await startUpstream();
    const prefix = tempPrefix();
    const file = join(prefix, 'kong.yaml');
    writeFileSync(file, serviceFile(upstream.port, 'one', '/one'));
    const conf = writeConf(prefix, loopbackConf(prefix, { database: 'off', declarative_config: file }));
    node = await startNode(['-c', conf, '-p', prefix]);
    admin = `http://127.0.0.1:${node.port('admin_listen')}`;
    proxy = `http://127.0.0.1:${node.port('proxy_listen')}`;
    statusUrl = `http://127.0.0.1:${node.port('status_listen')}`;
  });

  afterAll(async () => {
    if (node) await stopNode(node);
    upstream?.server.close();
  });

  it('serves the file through the proxy and reads it on the Admin API', async () => {
    await waitFor(async () => (await proxyStatus('/one')) === 200, '/one through the proxy');
    expect((await http('GET', `${proxy}/one/x`)).text).toBe('upstream saw /x'); // strip_path defaults to true
    const services = await http('GET', `${admin}/services`);
    expect(services.status).toBe(200);
    expect(services.json.data.map((s: { name: string }) => s.name)).toEqual(['svc-one']);
    const route = await http('GET', `${admin}/routes/one`);
    expect(route.json.paths).toEqual(['/one']);
    expect(route.json.service).toEqual({ id: services.json.data[0].id });
    expect((await http('GET', `${statusUrl}/status/ready`)).status).toBe(200);
    expect((await http('GET', `${admin}/`)).json.configuration.database).toBe('off');
  });

  it('GET /status reports configuration_hash (the one the status listener shows) and no database', async () => {
    const status = await http('GET', `${admin}/status`);
    expect(status.status).toBe(200);
    expect(status.json.configuration_hash).toMatch(/^[0-9a-f]{32}$/);
    expect(status.json.configuration_hash).not.toBe(ZEROS);
    expect(status.json).not.toHaveProperty('database');
    expect(status.json.server.total_requests).toEqual(expect.any(Number));
    const listener = await http('GET', `${statusUrl}/status`);
    expect(listener.json.configuration_hash).toBe(status.json.configuration_hash);
  });

  it.each([
    ['POST', '/services', "cannot create 'services' entities when not using a database"],
    ['PUT', '/services/svc-one', "cannot create or update 'services' entities by 'name' when not using a database"],
    ['PATCH', '/routes/one', "cannot update 'routes' entities by 'name' when not using a database"],
    ['PATCH', '/routes/6f1e9ab0-43f5-4dbb-9d26-6b4d3c0c9d10', "cannot update 'routes' entities when not using a database"],
    ['DELETE', '/consumers/alice', "cannot remove 'consumers' entities by 'username' when not using a database"],
    ['POST', '/services/svc-one/routes', "cannot create 'routes' entities when not using a database"],
    ['POST', '/consumers/alice/key-auth', "cannot create 'keyauth_credentials' entities when not using a database"],
    ['DELETE', '/routes/one/', "cannot remove 'routes' entities by 'name' when not using a database"],
  ])('%s %s answers 405 code 12', async (method, path, message) => {
    const reply = await http(method, `${admin}${path}`, { body: { name: 'x', paths: ['/x'] } });
    expect(reply.status).toBe(405);
    expect(reply.json).toEqual({ code: 12, name: 'operation unsupported', message });
  });

  it('a refused write changes nothing', async () => {
    await http('DELETE', `${admin}/routes/one`);
    expect((await http('GET', `${admin}/routes/one`)).status).toBe(200);
    expect(await proxyStatus('/one')).toBe(200);
  });

  it('PUT /debug/node/log-level/{level} is 405 without a database, as Kong; GET still reports the level', async () => {
    const put = await http('PUT', `${admin}/debug/node/log-level/debug`);
    expect(put.status).toBe(405);
    expect(put.json).toEqual({ message: 'cannot change log level when not using a database' });
    expect((await http('GET', `${admin}/debug/node/log-level`)).json).toEqual({ message: 'log level: notice' });
  });

  it('POST /schemas/{entity}/validate still works (it writes nothing)', async () => {
    const reply = await http('POST', `${admin}/schemas/services/validate`, { body: { host: 'example.test' } });
    expect(reply.status).toBe(200);
  });

  it('GET /config returns the loaded config as YAML with every field, nulls included', async () => {
    const reply = await http('GET', `${admin}/config`);
    expect(reply.status).toBe(200);
    expect(Object.keys(reply.json)).toEqual(['config']);
    const doc = parseYaml(reply.json.config);
    expect(doc._format_version).toBe('3.0');
    expect(doc._transform).toBe(false);
    expect(doc.routes).toHaveLength(1);
    expect(doc.routes[0]).toMatchObject({ name: 'one', paths: ['/one'], hosts: null, tags: null });
    expect(doc.consumers[0]).toMatchObject({ username: 'alice', custom_id: null });
  });

  describe('POST /config', () => {
    it('loads a new config: 201 with the entity map, the new route answers and the old one 404s', async () => {
      const before = (await http('GET', `${admin}/status`)).json.configuration_hash;
      const table = {
        _format_version: '3.0',
        services: [{ name: 'svc-two', url: `http://127.0.0.1:${upstream.port}`, routes: [{ name: 'two', paths: ['/two'] }] }],
      };
      const reply = await http('POST', `${admin}/config`, { body: table });
      expect(reply.status).toBe(201);
      expect(Object.keys(reply.json).sort()).toEqual(['routes', 'services']);
      const [serviceId] = Object.keys(reply.json.services);
      expect(reply.json.services[serviceId]).toMatchObject({ id: serviceId, name: 'svc-two', host: '127.0.0.1', port: upstream.port });
      const [route] = Object.values(reply.json.routes) as Array<Record<string, unknown>>;
      expect(route).toMatchObject({ name: 'two', paths: ['/two'], service: { id: serviceId } });

      await waitFor(async () => (await proxyStatus('/two')) === 200, '/two through the proxy');
      expect(await proxyStatus('/one')).toBe(404);
      expect((await http('GET', `${admin}/routes/one`)).status).toBe(404);
      expect((await http('GET', `${admin}/consumers`)).json.data).toEqual([]);
      const after = (await http('GET', `${admin}/status`)).json.configuration_hash;
      expect(after).not.toBe(before);
      await waitFor(async () => (await http('GET', `${statusUrl}/status`)).json.configuration_hash === after, 'the workers to apply it');
    });

    // kong.yml as users write them (Supabase style): _comment on entities, shared values under _ignore anchors
    // merged with `<<`, YAML 1.1 booleans, and a regex path in Kong's dialect (inline flag, Rust named group)
    it('loads a kong.yml written for Kong: _comment, anchors and merge keys, yes/no, Kong regex paths', async () => {
      const yaml = [
        '_format_version: "3.0"',
        '_comment: shared service settings live under _ignore',
        '_ignore:',
        `- &svc { url: "http://127.0.0.1:${upstream.port}", retries: 2 }`,
        'services:',
        '- <<: *svc',
        '  _comment: the items API',
        '  name: svc-items',
        '  routes:',
        '  - name: items',
        '    _comment: case-insensitive, with a Rust-style named group',
        '    paths: ["~/(?i)items/(?P<item>[a-z]+)$"]',
        '    strip_path: no',
        '',
      ].join('\n');
      const reply = await http('POST', `${admin}/config`, { body: yaml, headers: { 'content-type': 'application/yaml' } });
      expect(reply.status).toBe(201);
      const [service] = Object.values(reply.json.services) as Array<Record<string, unknown>>;
      expect(service).toMatchObject({ name: 'svc-items', retries: 2, port: upstream.port });
      const [route] = Object.values(reply.json.routes) as Array<Record<string, unknown>>;
      expect(route).toMatchObject({ strip_path: false, paths: ['~/(?i)items/(?P<item>[a-z]+)$'] });
      await waitFor(async () => (await proxyStatus('/ITEMS/abc')) === 200, '/ITEMS/abc through the proxy');
      expect(await proxyStatus('/items/123')).toBe(404);
    });

    it('check_hash=1 with the same YAML text answers 304 and reloads nothing', async () => {
      const yaml = serviceFile(upstream.port, 'three', '/three');
      const headers = { 'content-type': 'application/yaml' };
      const first = await http('POST', `${admin}/config?check_hash=1`, { body: yaml, headers });
      expect(first.status).toBe(201);
      await waitFor(async () => (await proxyStatus('/three')) === 200, '/three through the proxy');
      const again = await http('POST', `${admin}/config?check_hash=1`, { body: yaml, headers });
      expect(again.status).toBe(304);
      expect(again.text).toBe('');
      // without check_hash the same text is loaded again
      expect((await http('POST', `${admin}/config`, { body: yaml, headers })).status).toBe(201);
    });

    it('accepts the config as a `config` string parameter (JSON key and form field)', async () => {
      const yaml = serviceFile(upstream.port, 'four', '/four');
      expect((await http('POST', `${admin}/config`, { body: { config: yaml } })).status).toBe(201);
      const form = new URLSearchParams({ config: serviceFile(upstream.port, 'five', '/five') }).toString();
      const reply = await http('POST', `${admin}/config`, { body: form, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      expect(reply.status).toBe(201);
      await waitFor(async () => (await proxyStatus('/five')) === 200, '/five through the proxy');
      expect(await proxyStatus('/four')).toBe(404);
    });

    it('a bad config is 400 code 14 with the flattened errors, and the old config keeps serving', async () => {
      const hash = (await http('GET', `${admin}/status`)).json.configuration_hash;
      const bad = {
        _format_version: '3.0',
        services: [
          { name: 'bad-port', host: 'example.test', port: 70000, routes: [{ name: 'r-bad', paths: ['no-slash'] }] },
          { name: 'fine', host: 'example.test' },
        ],
      };
      const reply = await http('POST', `${admin}/config?flatten_errors=1`, { body: bad });
      expect(reply.status).toBe(400);
      expect(reply.json.code).toBe(14);
      expect(reply.json.name).toBe('invalid declarative configuration');
      expect(reply.json.message).toMatch(/^declarative config is invalid: /);
      const flattened = reply.json.flattened_errors as Array<Record<string, any>>;
      expect(flattened.map((e) => [e.entity_type, e.entity_name])).toEqual([['service', 'bad-port'], ['route', 'r-bad']]);
      expect(flattened[0].errors).toEqual([{ type: 'field', field: 'port', message: 'value should be between 0 and 65535' }]);
      expect(flattened[1].errors).toEqual([{ type: 'field', field: 'paths.1', message: expect.stringContaining('should start with: /') }]);
      expect(flattened[1].entity.service).toEqual({ id: expect.any(String) });

      const unflattened = await http('POST', `${admin}/config`, { body: bad });
      expect(unflattened.status).toBe(400);
      expect(unflattened.json.fields.services[0].port).toBe('value should be between 0 and 65535');
      expect(unflattened.json).not.toHaveProperty('flattened_errors');

      expect((await http('GET', `${admin}/status`)).json.configuration_hash).toBe(hash);
      expect(await proxyStatus('/five')).toBe(200);
      expect((await http('GET', `${admin}/routes/five`)).status).toBe(200);
    });

    it.each([
      ['an unparsable YAML body', 'services: [unclosed', { 'content-type': 'application/yaml' }],
      ['a YAML body that is not a mapping', '- just\n- a list\n', { 'content-type': 'text/yaml' }],
    ])('%s is 400 code 14 with one `error` field', async (_what, body, headers) => {
      const reply = await http('POST', `${admin}/config`, { body, headers });
      expect(reply.status).toBe(400);
      expect(reply.json.code).toBe(14);
      expect(Object.keys(reply.json.fields)).toEqual(['error']);
      expect(reply.json.fields.error).toMatch(/^failed parsing declarative configuration: /);
    });

    it('documents built to exhaust the parser (deep nesting, an alias bomb) are 400 each time; the node keeps serving', async () => {
      const hash = (await http('GET', `${admin}/status`)).json.configuration_hash;
      const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]', 'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]', 'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
        'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]', 'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]', 'f: [*e,*e,*e,*e,*e,*e,*e,*e,*e]'].join('\n');
      // the same deep document twice: the second overflow used to end the node (in V8's regular-expression compiler)
      for (const [body, error] of [
        ['['.repeat(1000) + ']'.repeat(1000), 'failed parsing declarative configuration: nested deeper than 200 levels'],
        ['['.repeat(1000) + ']'.repeat(1000), 'failed parsing declarative configuration: nested deeper than 200 levels'],
        [Array.from({ length: 3000 }, (_, i) => `${' '.repeat(i)}a:`).join('\n') + ' x', 'failed parsing declarative configuration: nested deeper than 200 levels'],
        [bomb, 'failed parsing declarative configuration: Excessive alias count indicates a resource exhaustion attack'],
      ]) {
        const reply = await http('POST', `${admin}/config`, { body, headers: { 'content-type': 'application/yaml' } });
        expect([reply.status, reply.json.code, reply.json.fields?.error]).toEqual([400, 14, error]);
      }
      expect((await http('GET', `${admin}/status`)).json.configuration_hash).toBe(hash);
    });

    it('nothing usable is 400 "expected a declarative configuration"', async () => {
      const empty = await http('POST', `${admin}/config`);
      expect(empty.status).toBe(400);
      expect(empty.json).toEqual({ message: 'expected a declarative configuration' });
      const form = await http('POST', `${admin}/config`, { body: 'other=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      expect(form.json).toEqual({ message: 'expected a declarative configuration' });
    });
  });
});

describe('database = off without declarative_config', () => {
  let node: RunningNode;
  let upstream: Awaited<ReturnType<typeof startUpstream>>;

  beforeAll(async () => {
    upstream = await startUpstream();
    const prefix = tempPrefix();
    node = await startNode(['-c', writeConf(prefix, loopbackConf(prefix, { database: 'off' })), '-p', prefix]);
  });

  afterAll(async () => {
    if (node) await stopNode(node);
    upstream?.server.close();
  });

  it('starts empty: every proxy request 404s, not ready, configuration_hash all zeros; POST /config makes it ready', async () => {
    const admin = `http://127.0.0.1:${node.port('admin_listen')}`;
    const proxy = `http://127.0.0.1:${node.port('proxy_listen')}`;
    const status = `http://127.0.0.1:${node.port('status_listen')}`;
    expect((await http('GET', `${proxy}/anything`)).json).toMatchObject({ message: 'no Route matched with those values' });
    const ready = await http('GET', `${status}/status/ready`);
    expect(ready.status).toBe(503);
    expect(ready.json).toEqual({ message: 'no configuration available (empty configuration present)' });
    expect((await http('GET', `${admin}/status`)).json.configuration_hash).toBe(ZEROS);
    expect((await http('GET', `${admin}/services`)).json).toEqual({ data: [], next: null });

    const load = await http('POST', `${admin}/config`, { body: serviceFile(upstream.port, 'late', '/late'), headers: { 'content-type': 'application/yaml' } });
    expect(load.status).toBe(201);
    await waitFor(async () => (await http('GET', `${proxy}/late`)).status === 200, '/late through the proxy');
    await waitFor(async () => (await http('GET', `${status}/status/ready`)).status === 200, 'readiness');
    expect((await http('GET', `${admin}/status`)).json.configuration_hash).not.toBe(ZEROS);
  });
});

describe('database = off with a bad declarative_config', () => {
  it('refuses to start, naming the file and the errors', async () => {
    const prefix = tempPrefix();
    const file = join(prefix, 'bad.yaml');
    writeFileSync(file, '_format_version: "3.0"\nservices:\n- name: s\n  port: 99999\n');
    await expect(startNode(['-c', writeConf(prefix, loopbackConf(prefix, { database: 'off', declarative_config: file })), '-p', prefix]))
      .rejects.toThrow(/bad\.yaml is invalid: declarative config is invalid/);
  });
});

import request from 'supertest';
import { startTestControlPlane, type RunningControlPlane } from './control-plane';
import { KONG_BUNDLED_PLUGINS, KONG_BUNDLED_NAMES } from '../../support/kong-bundled-plugins';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
let cp: RunningControlPlane;

beforeAll(async () => {
  cp = await startTestControlPlane({ pg_password: 'hunter2', admin_api_key: 'shell-secret' });
});
afterAll(() => cp.stop());

const api = () => {
  const agent = request(cp.url);
  return {
    get: (path: string) => agent.get(path).set('Kong-Admin-Token', 'shell-secret'),
    post: (path: string) => agent.post(path).set('Kong-Admin-Token', 'shell-secret'),
    options: (path: string) => agent.options(path),
  };
};

describe('GET /', () => {
  test('reports Kong 3.10.0 community with our release, node id, plugins and redacted configuration', async () => {
    const res = await api().get('/');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(Object.keys(res.body).sort()).toEqual(
      ['configuration', 'edition', 'hostname', 'lua_version', 'node_id', 'pids', 'plugins', 'tagline', 'timers', 'tollgate_version', 'version'],
    );
    expect(res.body).toMatchObject({
      tagline: 'Welcome to kong',
      version: '3.10.0',
      edition: 'community',
      tollgate_version: require('../../../package.json').version,
      pids: { master: process.pid, workers: [process.pid] },
      plugins: { available_on_server: { 'key-auth': { version: '3.10.0', priority: 1250 } }, enabled_in_cluster: [] },
    });
    expect(res.body.node_id).toMatch(UUID);
    expect(res.body.timers).toEqual({ running: 0, pending: expect.any(Number) });
    expect(res.body.configuration.pg_password).toBe('******');
    expect(res.body.configuration.admin_api_key).toBe('******');
    expect(res.body.configuration.sources).toBeUndefined();
    expect(res.body.configuration.admin_listeners[0]).toMatchObject({ ip: '127.0.0.1', port: 0, ssl: false, http2: false, proxy_protocol: false });
  });

  test("available_on_server lists every Kong OSS 3.10 bundled plugin at Kong's priority", async () => {
    const available: Record<string, { version: string; priority: number }> = (await api().get('/')).body.plugins.available_on_server;
    expect(Object.fromEntries(Object.entries(available).map(([name, p]) => [name, p.priority]))).toEqual(KONG_BUNDLED_PLUGINS);
    expect(new Set(Object.values(available).map((p) => p.version))).toEqual(new Set(['3.10.0']));
  });

  test('node_id is stable across calls', async () => {
    const [a, b] = await Promise.all([api().get('/'), api().get('/')]);
    expect(a.body.node_id).toBe(b.body.node_id);
  });

  test('lists a plugin in enabled_in_cluster once an instance exists', async () => {
    expect((await api().post('/plugins').send({ name: 'key-auth' })).status).toBe(201);
    expect((await api().get('/')).body.plugins.enabled_in_cluster).toEqual(['key-auth']);
  });

  test('POST / is 405', async () => {
    const res = await api().post('/').send({});
    expect(res.status).toBe(405);
    expect(res.body).toEqual({ message: 'Method not allowed' });
  });
});

describe('GET /status', () => {
  test('database reachable, integer connection counters, memory in MiB', async () => {
    const res = await api().get('/status');
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['database', 'memory', 'server']);
    expect(res.body.database).toEqual({ reachable: true });
    const counters = ['connections_accepted', 'connections_active', 'connections_handled', 'connections_reading',
      'connections_waiting', 'connections_writing', 'total_requests'];
    expect(Object.keys(res.body.server).sort()).toEqual(counters);
    for (const key of counters) expect(Number.isInteger(res.body.server[key])).toBe(true);
    expect(res.body.server.connections_writing).toBe(1); // this very request
    expect(res.body.server.total_requests).toBeGreaterThan(0);
    expect(res.body.memory.lua_shared_dicts).toEqual({});
    expect(res.body.memory.workers_lua_vms).toEqual([{ http_allocated_gc: expect.stringMatching(/^\d+\.\d{2} MiB$/), pid: process.pid }]);
  });

  test.each([
    ['k', 3, /^\d+\.\d{3} KiB$/],
    ['G', 1, /^\d+\.\d GiB$/],
  ])('?unit=%s&scale=%i formats memory', async (unit, scale, pattern) => {
    const res = await api().get(`/status?unit=${unit}&scale=${scale}`);
    expect(res.body.memory.workers_lua_vms[0].http_allocated_gc).toMatch(pattern);
  });

  test('bad unit is 400', async () => {
    const res = await api().get('/status?unit=x');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ message: "invalid unit 'x' (expected 'k/K', 'm/M', or 'g/G')" });
  });
});

describe('GET /endpoints', () => {
  test('every served path in Kong form, sorted segment-wise', async () => {
    const res = await api().get('/endpoints');
    expect(res.status).toBe(200);
    const data: string[] = res.body.data;
    for (const path of ['/', '/endpoints', '/status', '/schemas/{name}', '/schemas/plugins/{name}', '/plugins/enabled', '/tags', '/tags/{tag}',
      '/services', '/services/{services}', '/services/{services}/routes', '/services/{services}/routes/{routes}', '/routes/{routes}/service']) {
      expect(data).toContain(path);
    }
    expect(data.some((p) => p.startsWith('/docs'))).toBe(false);
    expect(data.indexOf('/services/{services}')).toBeLessThan(data.indexOf('/services/{services}/routes'));
    expect(data.indexOf('/services')).toBeLessThan(data.indexOf('/services/{services}'));
  });
});

describe('GET /schemas/{name}', () => {
  test('services schema in Kong JSON form', async () => {
    const res = await api().get('/schemas/services');
    expect(res.status).toBe(200);
    expect(res.body.primary_key).toEqual(['id']);
    expect(res.body.endpoint_key).toBe('name');
    expect(res.body.fields.map((f: object) => Object.keys(f)[0])).toEqual(expect.arrayContaining(['id', 'name', 'host', 'port', 'retries']));
    expect(res.body.fields.find((f: Record<string, unknown>) => f.retries).retries).toMatchObject({ type: 'integer', default: 5 });
  });

  test.each(['nope', 'tags'])('unknown entity %s is 404', async (name) => {
    const res = await api().get(`/schemas/${name}`);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ message: `No entity named '${name}'` });
  });
});

describe('GET /schemas/plugins/{name}', () => {
  test("the plugin's own fields (Kong's subschema), not the whole plugins entity", async () => {
    const res = await api().get('/schemas/plugins/key-auth');
    expect(res.status).toBe(200);
    // the stand-in key-auth (TEST_PLUGINS) may be scoped to consumers: no `consumer` field (see test/plugins/plugin-schemas)
    expect(res.body.fields.map((f: object) => Object.keys(f)[0])).toEqual(['protocols', 'config']);
    expect(res.body.entity_checks).toEqual([]);
    const config = res.body.fields.find((f: Record<string, unknown>) => f.config).config;
    expect(config.type).toBe('record');
    expect(config.fields.map((f: object) => Object.keys(f)[0])).toEqual(['key_names', 'hide_credentials']);
  });

  test("ip-restriction's protocols default is Kong 3.10's", async () => {
    const res = await api().get('/schemas/plugins/ip-restriction');
    expect(res.body.fields[0].protocols.default).toEqual(['http', 'https', 'tcp', 'tls', 'grpc', 'grpcs']);
  });

  test('unknown plugin is 404', async () => {
    const res = await api().get('/schemas/plugins/nope');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ message: "No plugin named 'nope'" });
  });
});

describe('POST /schemas/{db_entity_name}/validate', () => {
  test('valid body', async () => {
    const res = await api().post('/schemas/services/validate').send({ host: 'example.com' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: 'schema validation successful' });
  });

  test('invalid body gets the schema violation', async () => {
    const res = await api().post('/schemas/services/validate').send({ port: 'x' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      code: 2,
      name: 'schema violation',
      message: '2 schema violations (host: required field missing; port: expected an integer)',
      fields: { host: 'required field missing', port: 'expected an integer' },
    });
  });

  test('nothing is stored', async () => {
    await api().post('/schemas/services/validate').send({ name: 'validated-only', host: 'example.com' });
    expect((await api().get('/services/validated-only')).status).toBe(404);
  });

  test('unknown entity is 404', async () => {
    const res = await api().post('/schemas/nope/validate').send({});
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ message: "No entity named 'nope'" });
  });
});

describe('POST /schemas/plugins/validate', () => {
  test('valid plugin', async () => {
    const res = await api().post('/schemas/plugins/validate').send({ name: 'key-auth', config: { key_names: ['k'] } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: 'schema validation successful' });
  });

  test('config violation', async () => {
    const res = await api().post('/schemas/plugins/validate').send({ name: 'key-auth', config: { hide_credentials: 'yes' } });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      code: 2,
      name: 'schema violation',
      message: 'schema violation (config.hide_credentials: expected a boolean)',
      fields: { config: { hide_credentials: 'expected a boolean' } },
    });
  });

  test('plugin not enabled', async () => {
    const res = await api().post('/schemas/plugins/validate').send({ name: 'nope' });
    expect(res.status).toBe(400);
    expect(res.body.fields).toEqual({ name: "plugin 'nope' not enabled; add it to the 'plugins' configuration property" });
  });
});

describe('GET /plugins/enabled', () => {
  test('lists the plugins this server runs: `plugins = bundled`, sorted', async () => {
    const res = await api().get('/plugins/enabled');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      enabled_plugins: [...KONG_BUNDLED_NAMES],
    });
  });
});

describe('GET /tags', () => {
  let ids: Record<string, string>;
  beforeAll(async () => {
    const a = await api().post('/services').send({ name: 'tagged-a', host: 'a.test', tags: ['blue', 'green'] });
    const b = await api().post('/consumers').send({ username: 'tagged-b', tags: ['blue'] });
    ids = { a: a.body.id, b: b.body.id };
  });

  test('every tag of every entity, in tag order', async () => {
    const res = await api().get('/tags');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      data: [
        { entity_name: 'consumers', entity_id: ids.b, tag: 'blue' },
        { entity_name: 'services', entity_id: ids.a, tag: 'blue' },
        { entity_name: 'services', entity_id: ids.a, tag: 'green' },
      ],
      next: null,
    });
  });

  test('pages with offset and next', async () => {
    const first = await api().get('/tags?size=2');
    expect(first.body.data).toHaveLength(2);
    expect(first.body.next).toBe(`/tags?offset=${encodeURIComponent(first.body.offset)}&size=2`);
    const second = await api().get(first.body.next);
    expect(second.body).toEqual({ data: [{ entity_name: 'services', entity_id: ids.a, tag: 'green' }], next: null });
  });

  test.each([
    ['size=0', { code: 9, name: 'invalid size', message: 'size must be an integer between 1 and 1000' }],
    ['size=x', { code: 9, name: 'invalid size', message: 'size must be a number' }],
    ['offset=!!', { code: 7, name: 'invalid offset', message: "'!!' is not a valid offset: bad base64 encoding" }],
  ])('?%s is 400', async (query, body) => {
    const res = await api().get(`/tags?${query}`);
    expect(res.status).toBe(400);
    expect(res.body).toEqual(body);
  });
});

describe('GET /tags/{tag}', () => {
  test('only entities with that tag', async () => {
    const res = await api().get('/tags/green');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ data: [{ entity_name: 'services', entity_id: expect.stringMatching(UUID), tag: 'green' }], next: null });
  });

  test('unknown tag is an empty page', async () => {
    expect((await api().get('/tags/absent')).body).toEqual({ data: [], next: null });
  });

  test('invalid tag is 400 invalid unique tag', async () => {
    const res = await api().get('/tags/a%2Cb');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ code: 10, name: 'invalid unique tag', message: "invalid tag 'a,b': expected printable ascii (except `,` and `/`) or valid utf-8 sequences" });
  });
});

describe('CORS', () => {
  test('responses echo the Origin and allow credentials', async () => {
    const res = await api().get('/status').set('Origin', 'https://gui.example');
    expect(res.headers['access-control-allow-origin']).toBe('https://gui.example');
    expect(res.headers['access-control-allow-credentials']).toBe('true');
    expect(res.headers.vary).toBe('Origin'); // an echoed Origin: a shared cache must not serve it to another origin
  });

  test('without Origin the allowed origin is *', async () => {
    const res = await api().get('/status');
    expect(res.headers['access-control-allow-origin']).toBe('*');
  });

  test.each([
    ['/', 'GET, HEAD, OPTIONS'],
    ['/services', 'GET, HEAD, OPTIONS, POST'],
    ['/services/abc', 'DELETE, GET, HEAD, OPTIONS, PATCH, PUT'],
  ])('OPTIONS %s preflight is 204 with the route methods (no token needed)', async (path, methods) => {
    const res = await api()
      .options(path)
      .set('Origin', 'https://gui.example')
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'content-type,kong-admin-token');
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect(res.headers.allow).toBe(methods);
    expect(res.headers['access-control-allow-methods']).toBe(methods);
    expect(res.headers['access-control-allow-headers']).toBe('content-type,kong-admin-token');
    expect(res.headers['access-control-allow-origin']).toBe('https://gui.example');
    expect(res.headers['access-control-allow-credentials']).toBe('true');
  });

  test('OPTIONS without requested headers allows Content-Type', async () => {
    const res = await api().options('/status').set('Kong-Admin-Token', 'shell-secret');
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-headers']).toBe('Content-Type');
  });

  test('OPTIONS on an unknown path is 404', async () => {
    const res = await api().options('/nope').set('Kong-Admin-Token', 'shell-secret');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ message: 'Not found' });
  });
});

// Kong's spec/02-integration/04-admin_api/23-cors_spec.lua: with admin_gui_url set, every Admin API answer (preflight
// or not, with or without Origin) names the GUI's origin, its path dropped. Kong 3.9+ takes several URLs: an Origin
// that is one of theirs is named back, any other gets the first.
describe('CORS with admin_gui_url', () => {
  let gui: RunningControlPlane;
  let two: RunningControlPlane;
  beforeAll(async () => {
    [gui, two] = await Promise.all([
      startTestControlPlane({ admin_gui_url: 'http://admin.api:9100/path/to/any/way' }),
      startTestControlPlane({ admin_gui_url: 'http://localhost:8002/manager, https://gui.example:8445/manager' }),
    ]);
  });
  afterAll(() => Promise.all([gui.stop(), two.stop()]));

  test.each([
    ['GET', 'http://example.com', 200],
    ['GET', undefined, 200],
    ['OPTIONS', 'http://example.com', 204],
    ['OPTIONS', undefined, 204],
  ])('%s / with Origin %s names the admin_gui_url origin', async (method, origin, status) => {
    const req = method === 'GET' ? request(gui.url).get('/') : request(gui.url).options('/');
    const res = origin ? await req.set('Origin', origin) : await req;
    expect(res.status).toBe(status);
    expect(res.headers['access-control-allow-origin']).toBe('http://admin.api:9100');
    expect(res.headers['access-control-allow-credentials']).toBe('true');
    expect(res.headers.vary).toBeUndefined(); // the same answer for every Origin
  });

  test.each([
    ['https://gui.example:8445', 'https://gui.example:8445'],
    ['http://localhost:8002', 'http://localhost:8002'],
    ['http://example.com', 'http://localhost:8002'],
    [undefined, 'http://localhost:8002'],
  ])('two admin_gui_url entries: Origin %s is answered %s, and the answer varies on Origin', async (origin, expected) => {
    for (const req of [request(two.url).get('/services'), request(two.url).options('/services')]) {
      const res = origin ? await req.set('Origin', origin) : await req;
      expect(res.headers['access-control-allow-origin']).toBe(expected);
      expect(res.headers.vary).toBe('Origin');
    }
  });

  test('GET / reports admin_gui_url in the configuration, as the list Kong 3.9+ keeps', async () => {
    expect((await request(gui.url).get('/')).body.configuration.admin_gui_url).toEqual(['http://admin.api:9100/path/to/any/way']);
    expect((await request(two.url).get('/')).body.configuration.admin_gui_url).toEqual(['http://localhost:8002/manager', 'https://gui.example:8445/manager']);
  });
});

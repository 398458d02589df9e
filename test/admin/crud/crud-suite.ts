// The Admin API CRUD suite, run once per database (crud.sqlite / crud.postgres). Titles are routes; bodies are
// compared exactly (generated ids and timestamps are taken from the response they first appear in).
import request from 'supertest';
import type { ChangeEvent } from '../../../apps/admin/src/persistence';
import { startAdmin, testDatabase, type AdminTestApp, type DatabaseKind, type TestDatabase } from './harness';
import { targetsSuite } from './targets-suite';
import { certificatesSuite } from './certificates-suite';
import { lookupsSuite } from './lookups-suite';
import { keysVaultsSuite } from './keys-vaults-suite';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MAX_BODY = 64 * 1024;

const serviceDefaults = {
  retries: 5,
  protocol: 'http',
  port: 80,
  path: null,
  connect_timeout: 60000,
  write_timeout: 60000,
  read_timeout: 60000,
  tags: null,
  client_certificate: null,
  tls_verify: null,
  tls_verify_depth: null,
  ca_certificates: null,
  enabled: true,
};

const routeDefaults = {
  name: null,
  protocols: ['http', 'https'],
  methods: null,
  hosts: null,
  paths: null,
  headers: null,
  https_redirect_status_code: 426,
  regex_priority: 0,
  strip_path: true,
  path_handling: 'v0',
  preserve_host: false,
  request_buffering: true,
  response_buffering: true,
  snis: null,
  sources: null,
  destinations: null,
  tags: null,
  service: null,
};

const violation = (fields: Record<string, unknown>, message: string) => ({ code: 2, name: 'schema violation', message, fields });

export function crudSuite(kind: DatabaseKind): void {
  let db: TestDatabase;
  let admin: AdminTestApp;
  const events: ChangeEvent[] = [];
  const api = () => request(admin.http);

  beforeAll(async () => {
    db = testDatabase(kind);
    admin = await startAdmin(db.settings, MAX_BODY);
    admin.dao.onChange((event) => events.push(event));
  });

  afterAll(async () => {
    await admin?.close();
    await db?.cleanup();
  });

  const createService = async (body: Record<string, unknown>) => {
    const res = await api().post('/services').send(body);
    expect(res.status).toBe(201);
    return res.body as Record<string, unknown> & { id: string };
  };

  describe('POST /services', () => {
    it('creates from the url shorthand and answers 201 with every field', async () => {
      const res = await api().post('/services').send({ name: 'orders', url: 'https://orders.internal:8443/v1' });
      expect(res.status).toBe(201);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(res.body.id).toMatch(UUID);
      expect(res.body.created_at).toBe(res.body.updated_at);
      expect(res.body).toEqual({
        ...serviceDefaults,
        id: res.body.id,
        created_at: res.body.created_at,
        updated_at: res.body.updated_at,
        name: 'orders',
        protocol: 'https',
        host: 'orders.internal',
        port: 8443,
        path: '/v1',
      });
    });

    it('keeps a client-supplied id', async () => {
      const id = '6f1a2b3c-4d5e-4f60-8a9b-0c1d2e3f4a5b';
      const res = await api().post('/services').send({ id, host: 'a.test' });
      expect(res.status).toBe(201);
      expect(res.body.id).toBe(id);
    });

    it('refuses an id that is not a string, as Kong, instead of replacing it (null still generates one)', async () => {
      for (const id of [123, { a: 1 }, true]) {
        const res = await api().post('/services').send({ id, host: 'a.test' });
        expect([res.status, res.body.message, res.body.fields]).toEqual([400, 'schema violation (id: expected a string)', { id: 'expected a string' }]);
      }
      const generated = await api().post('/services').send({ id: null, host: 'a.test' });
      expect(generated.status).toBe(201);
      expect(generated.body.id).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('answers 409 on a duplicate name', async () => {
      await createService({ name: 'dup', host: 'a.test' });
      const res = await api().post('/services').send({ name: 'dup', host: 'b.test' });
      expect(res.status).toBe(409);
      expect(res.body).toEqual({
        code: 5,
        name: 'unique constraint violation',
        message: `UNIQUE violation detected on '{name="dup"}'`,
        fields: { name: 'dup' },
      });
    });

    it('answers 400 on a duplicate id', async () => {
      const service = await createService({ host: 'a.test' });
      const res = await api().post('/services').send({ id: service.id, host: 'b.test' });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        code: 3,
        name: 'primary key violation',
        message: `primary key violation on key '{id="${service.id}"}'`,
        fields: { id: service.id },
      });
    });

    it.each([
      ['a string where an integer belongs', { host: 'a.test', port: '80' }, violation({ port: 'expected an integer' }, 'schema violation (port: expected an integer)')],
      ['an unknown field', { host: 'a.test', colour: 'red' }, violation({ colour: 'unknown field' }, 'schema violation (colour: unknown field)')],
      ['no host', {}, violation({ host: 'required field missing' }, 'schema violation (host: required field missing)')],
      ['a bad uuid', { id: 'not-a-uuid', host: 'a.test' }, violation({ id: 'expected a valid UUID' }, 'schema violation (id: expected a valid UUID)')],
      ['a JSON array body', [1, 2], violation({ '@entity': ['expected a record'] }, 'schema violation (expected a record)')],
      ['a url Kong cannot split', { url: 'invalid url' }, violation({ host: 'required field missing', path: 'should start with: /' }, '2 schema violations (host: required field missing; path: should start with: /)')],
    ])('answers 400 for %s', async (_title, body, expected) => {
      const res = await api().post('/services').send(body as object);
      expect(res.status).toBe(400);
      expect(res.body).toEqual(expected);
    });

    it('answers 400 on malformed JSON', async () => {
      const res = await api().post('/services').set('Content-Type', 'application/json').send('{"name": ');
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ message: 'Cannot parse JSON body' });
    });

    it('answers 400 on an empty JSON body', async () => {
      const res = await api().post('/services').set('Content-Type', 'application/json').send('');
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ message: 'Cannot parse JSON body' });
    });

    it('answers 415 on an unsupported content type', async () => {
      const res = await api().post('/services').set('Content-Type', 'text/plain').send('host=a.test');
      expect(res.status).toBe(415);
      expect(res.body).toEqual({ message: 'Unsupported Media Type' });
    });

    it('answers 413 on a body over the size limit', async () => {
      const res = await api().post('/services').send({ name: 'big', host: 'a.test', tags: ['x'.repeat(MAX_BODY)] });
      expect(res.status).toBe(413);
      expect(res.body).toEqual({ message: 'Request size limit exceeded' });
    });

    it('decodes urlencoded forms with coercion', async () => {
      const res = await api().post('/services').type('form').send('name=form-svc&host=f.test&port=8080&enabled=false&tags[]=a&tags[]=b&path=');
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ name: 'form-svc', host: 'f.test', port: 8080, enabled: false, tags: ['a', 'b'], path: null });
    });

    it('decodes multipart forms', async () => {
      const res = await api().post('/services').field('name', 'multi-svc').field('host', 'm.test').field('retries', '3');
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ name: 'multi-svc', host: 'm.test', retries: 3 });
    });
  });

  describe('GET /services/{id}', () => {
    it('reads by id and by name', async () => {
      const service = await createService({ name: 'reader', host: 'r.test' });
      const byId = await api().get(`/services/${service.id}`);
      expect(byId.status).toBe(200);
      expect(byId.body).toEqual(service);
      const byName = await api().get('/services/reader');
      expect(byName.body).toEqual(service);
    });

    it('answers 404 Not found for a missing entity', async () => {
      for (const key of ['00000000-0000-4000-8000-000000000000', 'nobody']) {
        const res = await api().get(`/services/${key}`);
        expect(res.status).toBe(404);
        expect(res.body).toEqual({ message: 'Not found' });
      }
    });

    it('answers 400 invalid primary key on an entity without endpoint key', async () => {
      const res = await api().get('/ca_certificates/not-a-uuid');
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        code: 1,
        name: 'invalid primary key',
        message: `invalid primary key: '{id="expected a valid UUID"}'`,
        fields: { id: 'expected a valid UUID' },
      });
    });

    it('serves HEAD without a body', async () => {
      const service = await createService({ host: 'h.test' });
      const res = await api().head(`/services/${service.id}`);
      expect(res.status).toBe(200);
      expect(res.text).toBeUndefined();
    });
  });

  describe('PUT /services/{id}', () => {
    it('creates by name with that name and answers 200', async () => {
      const res = await api().put('/services/put-me').send({ name: 'ignored', host: 'p.test' });
      expect(res.status).toBe(200);
      expect(res.body.name).toBe('put-me');
      expect(res.body.id).toMatch(UUID);
    });

    it('creates by id, then replaces in full', async () => {
      const id = '1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d';
      const created = await api().put(`/services/${id}`).send({ host: 'one.test', retries: 1, tags: ['t'] });
      expect(created.status).toBe(200);
      expect(created.body).toMatchObject({ id, host: 'one.test', retries: 1, tags: ['t'] });
      const replaced = await api().put(`/services/${id}`).send({ host: 'two.test' });
      expect(replaced.status).toBe(200);
      expect(replaced.body).toEqual({ ...serviceDefaults, id, name: null, host: 'two.test', created_at: replaced.body.created_at, updated_at: replaced.body.updated_at });
    });

    it('answers 400 on validation errors', async () => {
      const res = await api().put('/services/bad-put').send({ host: 'p.test', port: 70000 });
      expect(res.status).toBe(400);
      expect(res.body).toEqual(violation({ port: 'value should be between 0 and 65535' }, 'schema violation (port: value should be between 0 and 65535)'));
    });
  });

  describe('PATCH /services/{id}', () => {
    it('merges the given fields and answers 200', async () => {
      const service = await createService({ name: 'patchy', host: 'p.test', retries: 2 });
      const res = await api().patch('/services/patchy').send({ retries: 7 });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ ...service, retries: 7, updated_at: res.body.updated_at });
    });

    it('answers 404 with the not found error for a missing entity', async () => {
      const id = '00000000-0000-4000-8000-000000000001';
      const res = await api().patch(`/services/${id}`).send({ retries: 1 });
      expect(res.status).toBe(404);
      expect(res.body).toEqual({
        code: 6,
        name: 'not found',
        message: `could not find the entity with primary key '{id="${id}"}'`,
        fields: { id },
      });
      const byName = await api().patch('/services/ghost').send({ retries: 1 });
      expect(byName.body).toEqual({ code: 6, name: 'not found', message: `could not find the entity with '{name="ghost"}'`, fields: { name: 'ghost' } });
    });
  });

  describe('DELETE /services/{id}', () => {
    it('answers 204 and removes; 204 again when absent', async () => {
      const service = await createService({ host: 'd.test' });
      const first = await api().delete(`/services/${service.id}`);
      expect(first.status).toBe(204);
      expect(first.text).toBe('');
      expect((await api().get(`/services/${service.id}`)).status).toBe(404);
      expect((await api().delete(`/services/${service.id}`)).status).toBe(204);
      expect((await api().delete('/services/never-was')).status).toBe(204);
    });

    it('answers 400 while routes reference the service', async () => {
      const service = await createService({ host: 'ref.test' });
      await api().post(`/services/${service.id}/routes`).send({ paths: ['/ref'] }).expect(201);
      const res = await api().delete(`/services/${service.id}`);
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        code: 4,
        name: 'foreign key violation',
        message: "an existing 'routes' entity references this 'services' entity",
        fields: { '@referenced_by': 'routes' },
      });
    });
  });

  describe('GET /services', () => {
    let tagged: Array<{ id: string; tags: string[] }>;

    beforeAll(async () => {
      tagged = [];
      for (const tags of [['pg-a'], ['pg-a', 'pg-b'], ['pg-b'], ['pg-a', 'pg-b', 'pg-c']]) {
        tagged.push((await createService({ host: 'tag.test', tags })) as never);
      }
    });

    const idsFor = (predicate: (tags: string[]) => boolean) =>
      tagged.filter((s) => predicate(s.tags)).map((s) => s.id).sort();

    it('pages in id order with next and offset', async () => {
      const all = await api().get('/services?size=1000');
      expect(all.status).toBe(200);
      expect(all.body.next).toBeNull();
      expect('offset' in all.body).toBe(false);
      const ids = all.body.data.map((s: { id: string }) => s.id);
      expect(ids).toEqual([...ids].sort());
      const first = await api().get('/services?size=2');
      expect(first.body.data.map((s: { id: string }) => s.id)).toEqual(ids.slice(0, 2));
      const token = Buffer.from(JSON.stringify([ids[1]])).toString('base64').replace(/=+$/, '');
      expect(first.body.offset).toBe(token);
      expect(first.body.next).toBe(`/services?offset=${encodeURIComponent(token)}&size=2`);
      const second = await api().get(first.body.next);
      expect(second.body.data.map((s: { id: string }) => s.id)).toEqual(ids.slice(2, 4));
    });

    it('filters by tags: a,b is AND, a/b is OR', async () => {
      const and = await api().get('/services?tags=pg-a,pg-b');
      expect(and.body.data.map((s: { id: string }) => s.id)).toEqual(idsFor((t) => t.includes('pg-a') && t.includes('pg-b')));
      const or = await api().get('/services?tags=pg-c/pg-b');
      expect(or.body.data.map((s: { id: string }) => s.id)).toEqual(idsFor((t) => t.includes('pg-c') || t.includes('pg-b')));
      const paged = await api().get('/services?tags=pg-a&size=1');
      expect(paged.body.next).toBe(`/services?offset=${encodeURIComponent(paged.body.offset)}&tags=pg-a&size=1`);
      const none = await api().get('/services?tags=nothing-has-this');
      expect(none.text).toBe('{"data":[],"next":null}');
    });

    it.each([
      ['size=abc', { code: 9, name: 'invalid size', message: 'size must be a number' }],
      ['size=0', { code: 9, name: 'invalid size', message: 'size must be an integer between 1 and 1000' }],
      ['size=1001', { code: 9, name: 'invalid size', message: 'size must be an integer between 1 and 1000' }],
      ['size=1.5', { code: 9, name: 'invalid size', message: 'size must be an integer between 1 and 1000' }],
      ['size=1&size=abc', { code: 9, name: 'invalid size', message: 'size must be a number' }],
      ['size=1&size=2', { code: 9, name: 'invalid size', message: 'size must be a number' }],
      ['offset=x', { code: 7, name: 'invalid offset', message: "'x' is not a valid offset: bad base64 encoding" }],
      ['offset=bm90anNvbg', { code: 7, name: 'invalid offset', message: "'bm90anNvbg' is not a valid offset: bad json encoding" }],
      ['tags=', { code: 11, name: 'invalid options', message: 'invalid option (tags: cannot be null)', options: { tags: 'cannot be null' } }],
      ['tags=a,b/c', { code: 11, name: 'invalid options', message: 'invalid option (tags: invalid filter syntax)', options: { tags: 'invalid filter syntax' } }],
      ['tags=a,b,c,d,e,f', { code: 11, name: 'invalid options', message: 'invalid option (tags: cannot query more than 5 tags)', options: { tags: 'cannot query more than 5 tags' } }],
    ])('answers 400 for %s', async (query, expected) => {
      const res = await api().get(`/services?${query}`);
      expect(res.status).toBe(400);
      expect(res.body).toEqual(expected);
    });
  });

  describe('routing', () => {
    it('answers 405 for a known path with another method', async () => {
      for (const [method, path] of [['patch', '/services'], ['delete', '/consumers'], ['post', '/services/x']] as const) {
        const res = await api()[method](path);
        expect(res.status).toBe(405);
        expect(res.body).toEqual({ message: 'Method not allowed' });
      }
    });

    it('answers 404 for an unknown path and for disabled endpoints', async () => {
      for (const path of ['/nope', '/targets', '/services/a/b/c']) {
        const res = await api().get(path);
        expect(res.status).toBe(404);
        expect(res.body).toEqual({ message: 'Not found' });
      }
    });

    it('serves a trailing slash as the bare path', async () => {
      const res = await api().get('/services/');
      expect(res.status).toBe(200);
      expect(Array.isArray(res.body.data)).toBe(true);
    });

    it('answers OPTIONS with 204 and the sorted Allow list', async () => {
      const collection = await api().options('/services');
      expect(collection.status).toBe(204);
      expect(collection.headers.allow).toBe('GET, HEAD, OPTIONS, POST');
      const item = await api().options('/services/x');
      expect(item.headers.allow).toBe('DELETE, GET, HEAD, OPTIONS, PATCH, PUT');
    });
  });

  describe('POST /routes', () => {
    // Kong 3.x (traditional_compatible): regexes in the dialect both PCRE and Rust's regex crate accept; prefixes
    // checked only for percent-encoding and normal form. Rows from Kong's router and routes schema specs.
    it.each<[string, number, Record<string, unknown> | null]>([
      ['~/items/(?P<item>[a-z]+)', 201, null],
      ['~/(?i)admin', 201, null],
      ['~/a\\z', 201, null],
      ['~/users/x/(?<name>\\w+)', 201, null],
      ['/kong(-ee){0,1}.com', 201, null],
      ['~(?i)/admin', 400, { paths: ['should start with: / (fixed path) or ~/ (regex path)'] }],
      ['~/users/(foo/profile', 400, { paths: ['invalid regex: \'/users/(foo/profile\' (PCRE returned: pcre2_compile() failed: missing closing parenthesis in "/users/(foo/profile")'] }],
      ['~/a(?=b)', 400, { '@entity': ['Router Expression failed validation: regex parse error: /a(?=b): look-around, including look-ahead and look-behind, is not supported'] }],
      ['/a/./b', 400, { paths: ["non-normalized path, consider use '/a/b' instead"] }],
    ])('paths [%j] -> %d', async (path, status, fields) => {
      const res = await api().post('/routes').send({ paths: [path] });
      expect(res.status).toBe(status);
      if (fields) expect(res.body.fields).toEqual(fields);
      else {
        expect(res.body.paths).toEqual([path]);
        await api().delete(`/routes/${res.body.id}`).expect(204);
      }
    });

    it('checks the foreign key exists', async () => {
      const id = '00000000-0000-4000-8000-000000000002';
      const res = await api().post('/routes').send({ paths: ['/x'], service: { id } });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        code: 4,
        name: 'foreign key violation',
        message: `the foreign key '{id="${id}"}' does not reference an existing 'services' entity.`,
        fields: { service: { id } },
      });
    });

    it('resolves a foreign key given by name, or answers code 13', async () => {
      const service = await createService({ name: 'by-name', host: 'n.test' });
      const ok = await api().post('/routes').send({ paths: ['/n'], service: { name: 'by-name' } });
      expect(ok.status).toBe(201);
      expect(ok.body.service).toEqual({ id: service.id });
      const bad = await api().post('/routes').send({ paths: ['/n'], service: { name: 'x' } });
      expect(bad.status).toBe(400);
      const detail = `the foreign key cannot be resolved with '{name="x"}' for an existing 'services' entity`;
      expect(bad.body).toEqual({
        code: 13,
        name: 'foreign keys unresolved',
        message: `foreign key unresolved (service.name: ${detail})`,
        fields: { service: { name: detail } },
      });
    });

    it('decodes Kong form keys: service.id, paths[n], headers.x', async () => {
      const service = await createService({ host: 'form.test' });
      const res = await api()
        .post('/routes')
        .type('form')
        .send(`service.id=${service.id}&paths[1]=/a&paths[2]=/b&methods=GET&methods=POST&headers.x-foo=bar&strip_path=false`);
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        ...routeDefaults,
        id: res.body.id,
        created_at: res.body.created_at,
        updated_at: res.body.updated_at,
        paths: ['/a', '/b'],
        methods: ['GET', 'POST'],
        headers: { 'x-foo': ['bar'] },
        strip_path: false,
        service: { id: service.id },
      });
    });
  });

  describe('nested: /services/{s}/routes and /routes/{r}/service', () => {
    it('POST /services/{s}/routes sets the parent from the URL', async () => {
      const service = await createService({ name: 'parent-svc', host: 'ps.test' });
      const other = await createService({ host: 'other.test' });
      const res = await api().post('/services/parent-svc/routes').send({ paths: ['/p'], service: { id: other.id } });
      expect(res.status).toBe(201);
      expect(res.body.service).toEqual({ id: service.id });
    });

    it('GET /services/{s}/routes lists only that service\'s routes', async () => {
      const service = await createService({ name: 'lister', host: 'l.test' });
      const ids: string[] = [];
      for (const path of ['/l1', '/l2', '/l3']) ids.push((await api().post('/services/lister/routes').send({ paths: [path] })).body.id);
      const res = await api().get('/services/lister/routes?size=2');
      expect(res.status).toBe(200);
      expect(res.body.data.map((r: { id: string }) => r.id)).toEqual(ids.sort().slice(0, 2));
      expect(res.body.next).toBe(`/services/lister/routes?offset=${encodeURIComponent(res.body.offset)}`);
      expect(res.body.data.every((r: { service: { id: string } }) => r.service.id === service.id)).toBe(true);
    });

    it('GET /services/{s}/routes/{r} answers 404 for a child of another parent', async () => {
      const a = await createService({ host: 'a.test' });
      const b = await createService({ host: 'b.test' });
      const route = (await api().post(`/services/${a.id}/routes`).send({ paths: ['/own'] })).body;
      expect((await api().get(`/services/${a.id}/routes/${route.id}`)).status).toBe(200);
      const res = await api().get(`/services/${b.id}/routes/${route.id}`);
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ message: 'Not found' });
      expect((await api().get(`/services/missing-parent/routes`)).status).toBe(404);
    });

    it('GET /routes/{r}/service returns the parent; DELETE is 405', async () => {
      const service = await createService({ host: 'up.test' });
      const route = (await api().post(`/services/${service.id}/routes`).send({ paths: ['/up'] })).body;
      const res = await api().get(`/routes/${route.id}/service`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual(service);
      const del = await api().delete(`/routes/${route.id}/service`);
      expect(del.status).toBe(405);
      expect(del.body).toEqual({ message: 'Method not allowed' });
      const orphan = (await api().post('/routes').send({ paths: ['/orphan'] })).body;
      expect((await api().get(`/routes/${orphan.id}/service`)).status).toBe(404);
    });
  });

  describe('POST /plugins', () => {
    it('creates with config defaults, rejects the same scope twice with the cache key body', async () => {
      const service = await createService({ host: 'plug.test' });
      const res = await api().post(`/services/${service.id}/plugins`).send({ name: 'rate-limiting', config: { minute: 5 } });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        id: res.body.id,
        created_at: res.body.created_at,
        updated_at: res.body.updated_at,
        name: 'rate-limiting',
        instance_name: null,
        route: null,
        service: { id: service.id },
        consumer: null,
        config: { minute: 5, hour: null, policy: 'local' },
        protocols: ['grpc', 'grpcs', 'http', 'https'],
        enabled: true,
        tags: null,
      });
      const dup = await api().post('/plugins').send({ name: 'rate-limiting', service: { id: service.id } });
      expect(dup.status).toBe(409);
      expect(dup.body).toEqual({
        code: 5,
        name: 'unique constraint violation',
        message: `UNIQUE violation detected on '{consumer=null,name="rate-limiting",route=null,service={id="${service.id}"}}'`,
        fields: { consumer: null, name: 'rate-limiting', route: null, service: { id: service.id } },
      });
    });

    it('PATCH /plugins/{id} deep-merges config, also from form keys', async () => {
      const plugin = (await api().post('/plugins').send({ name: 'rate-limiting', config: { minute: 1, hour: 10 } })).body;
      const res = await api().patch(`/plugins/${plugin.id}`).type('form').send('config.minute=3');
      expect(res.status).toBe(200);
      expect(res.body.config).toEqual({ minute: 3, hour: 10, policy: 'local' });
      await api().delete(`/plugins/${plugin.id}`).expect(204);
    });

    it('answers 400 for a plugin that is not enabled', async () => {
      const res = await api().post('/plugins').send({ name: 'no-such-plugin' });
      expect(res.status).toBe(400);
      const message = "plugin 'no-such-plugin' not enabled; add it to the 'plugins' configuration property";
      expect(res.body).toEqual(violation({ name: message }, `schema violation (name: ${message})`));
    });
  });

  describe('cascades', () => {
    it('DELETE /routes/{r} removes its plugins', async () => {
      const route = (await api().post('/routes').send({ paths: ['/cascade'] })).body;
      const plugin = (await api().post(`/routes/${route.id}/plugins`).send({ name: 'key-auth' })).body;
      expect(plugin.route).toEqual({ id: route.id });
      await api().delete(`/routes/${route.id}`).expect(204);
      expect((await api().get(`/plugins/${plugin.id}`)).status).toBe(404);
    });

    it('DELETE /upstreams/{u} removes its targets; targets are unique per upstream', async () => {
      const upstream = (await api().post('/upstreams').send({ name: 'pool.internal' })).body;
      const target = await api().post('/upstreams/pool.internal/targets').send({ target: '10.0.0.1' });
      expect(target.status).toBe(201);
      expect(target.body.target).toBe('10.0.0.1:8000');
      expect(target.body.upstream).toEqual({ id: upstream.id });
      const dup = await api().post('/upstreams/pool.internal/targets').send({ target: '10.0.0.1:8000' });
      expect(dup.status).toBe(409);
      expect(dup.body.fields).toEqual({ target: '10.0.0.1:8000', upstream: { id: upstream.id } });
      expect((await api().get(`/upstreams/pool.internal/targets/10.0.0.1:8000`)).body.id).toBe(target.body.id);
      await api().delete('/upstreams/pool.internal').expect(204);
      expect(await admin.dao.get('targets', target.body.id)).toBeNull();
    });

    it('DELETE /consumers/{c} removes its credentials and plugins', async () => {
      const consumer = (await api().post('/consumers').send({ username: 'carol', custom_id: 'c-1' })).body;
      const key = await api().post('/consumers/carol/key-auth').send({ key: 'secret-key' });
      expect(key.status).toBe(201);
      expect(key.body.consumer).toEqual({ id: consumer.id });
      const listed = await api().get('/consumers?custom_id=c-1');
      expect(listed.body).toEqual({ data: [consumer], next: null });
      expect((await api().get('/consumers?custom_id=')).body).toEqual({ message: 'custom_id must be an unempty string' });
      await api().delete('/consumers/carol').expect(204);
      expect(await admin.dao.get('keyauth_credentials', key.body.id)).toBeNull();
    });
  });

  describe('Dao', () => {
    it('emits committed writes on changes$ and exports every entity', async () => {
      events.length = 0;
      const service = await createService({ host: 'events.test' });
      await api().patch(`/services/${service.id}`).send({ retries: 1 });
      await api().delete(`/services/${service.id}`);
      await api().post('/services').send({ port: 'bad' });
      // each event names who wrote: the Admin API client (what config releases record as their source)
      const origin = { type: 'admin', client_ip: '127.0.0.1', api_key: null };
      expect(events).toEqual([
        { entity: 'services', op: 'create', id: service.id, origin },
        { entity: 'services', op: 'update', id: service.id, origin },
        { entity: 'services', op: 'delete', id: service.id, origin },
      ]);
      const snapshot = await admin.dao.exportAll();
      expect(snapshot._format_version).toBe('3.0');
      const listed = await api().get('/services?size=1000');
      expect(snapshot.services).toEqual(listed.body.data);
      expect(Array.isArray(snapshot.keyauth_credentials)).toBe(true);
    });
  });

  targetsSuite(() => admin);
  certificatesSuite(() => admin);
  keysVaultsSuite(() => admin);
  lookupsSuite(() => admin);
}

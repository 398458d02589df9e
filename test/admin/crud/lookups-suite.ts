// Endpoint-key validation (code 10), the query-argument limit, the tags index behind `/tags`, and the plugin
// protocol checks that read other rows (kong-admin-api.md §1.4, §2.1, §3.3, §4, §5).
import request from 'supertest';
import type { AdminTestApp } from './harness';

const violation = (fields: Record<string, unknown>, message: string) => ({ code: 2, name: 'schema violation', message, fields });

export function lookupsSuite(admin: () => AdminTestApp): void {
  const api = () => request(admin().http);

  describe('invalid endpoint keys', () => {
    it.each([
      ['get', '/upstreams/1.2.3.4', 'name', "Invalid name ('1.2.3.4'); no ip addresses allowed"],
      ['patch', '/upstreams/pool.test:80', 'name', "Invalid name ('pool.test:80'); no port allowed"],
      ['delete', '/services/bad%20name', 'name', "invalid value 'bad name': the only accepted ascii characters are alphanumerics or ., -, _, and ~"],
      ['put', '/routes/a%2Cb', 'name', "invalid value 'a,b': the only accepted ascii characters are alphanumerics or ., -, _, and ~"],
    ] as const)('%s %s answers 400 code 10', async (method, path, field, message) => {
      const res = await api()[method](path).send({});
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ code: 10, name: `invalid unique ${field}`, message });
    });

    it('accepts UTF-8 names raw or percent-encoded', async () => {
      const created = await api().put('/services/caf%C3%A9').send({ host: 'utf8.test' });
      expect(created.status).toBe(200);
      expect(created.body.name).toBe('café');
      expect((await api().get('/services/caf%C3%A9')).body.id).toBe(created.body.id);
    });
  });

  describe('query argument limit', () => {
    const query = (count: number) => Array.from({ length: count }, (_, i) => `a${i}=1`).join('&');

    it('answers 400 Too many arguments above 1000 query arguments', async () => {
      const res = await api().get(`/services?${query(1001)}`);
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ message: 'Too many arguments' });
      expect((await api().post(`/services?${query(1001)}`).send({ host: 'x.test' })).body).toEqual({ message: 'Too many arguments' });
    });

    it('serves exactly 1000', async () => {
      expect((await api().get(`/services?${query(1000)}`)).status).toBe(200);
    });

    it('answers 400 Too many arguments above 1000 form arguments', async () => {
      const res = await api().post('/services').type('form').send(query(1001));
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ message: 'Too many arguments' });
    });
  });

  describe('hostile input', () => {
    it('answers Cannot parse JSON body above 1000 levels of nesting, as Kong', async () => {
      const deep = (levels: number) => '{"config":'.repeat(levels) + '1' + '}'.repeat(levels);
      const res = await api().post('/services').set('Content-Type', 'application/json').send(deep(1001));
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ message: 'Cannot parse JSON body' });
      const ok = await api().post('/services').set('Content-Type', 'application/json').send(deep(1000));
      expect(ok.body).toEqual(violation({ config: 'unknown field', host: 'required field missing' }, '2 schema violations (config: unknown field; host: required field missing)'));
    });

    it('treats an @entity body key as an unknown field', async () => {
      const res = await api().post('/routes').send({ paths: ['/x'], '@entity': 1 });
      expect(res.status).toBe(400);
      expect(res.body).toEqual(violation({ '@entity': ['unknown field'] }, 'schema violation (unknown field)'));
    });

    it.each(['/consumers/%FF/acls', '/services/%', '/services/%zz', '/certificates/%C0%AF/snis'])('answers 400 Bad request for the undecodable path %s', async (path) => {
      const res = await api().get(path);
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ message: 'Bad request' });
    });

    it('keeps __proto__ form keys as plain unknown fields', async () => {
      const res = await api().post('/services').type('form').send('host=proto.test&__proto__.host=evil&__proto__[port]=1');
      expect(res.status).toBe(400);
      expect(res.text).toBe('{"code":2,"name":"schema violation","message":"schema violation (__proto__: unknown field)","fields":{"__proto__":"unknown field"}}');
      expect(({} as Record<string, unknown>).host).toBeUndefined();
    });

    it('accepts a multipart field with an empty name', async () => {
      const res = await api().post('/services').field('', '8').field('host', 'empty-name.test');
      expect(res.status).toBe(400);
      expect(res.body).toEqual(violation({ '': 'unknown field' }, 'schema violation (: unknown field)'));
    });

    it('rejects a huge form index (a sparse array) instead of allocating it', async () => {
      const res = await api().post('/routes').type('form').send('paths[99999999]=/a');
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ code: 2, name: 'schema violation', message: 'schema violation (paths: expected an array)', fields: { paths: 'expected an array' } });
    });
  });

  describe('Dao.listTags (GET /tags, /tags/{tag})', () => {
    const mine: Array<{ entity_name: string; entity_id: string; tag: string }> = [];

    beforeAll(async () => {
      const service = (await api().post('/services').send({ host: 'tags.test', tags: ['ltag-b', 'ltag-a'] })).body;
      const consumer = (await api().post('/consumers').send({ username: 'tagged-consumer', tags: ['ltag-a'] })).body;
      mine.push(
        { entity_name: 'consumers', entity_id: consumer.id, tag: 'ltag-a' },
        { entity_name: 'services', entity_id: service.id, tag: 'ltag-a' },
        { entity_name: 'services', entity_id: service.id, tag: 'ltag-b' },
      );
    });

    it('lists one tag in Kong shape and pages with an offset', async () => {
      const dao = admin().dao;
      expect(await dao.listTags('ltag-b')).toEqual({ data: [mine[2]], next: null });
      const first = await dao.listTags('ltag-a', { size: 1 });
      expect(first.data).toEqual([mine[0]]);
      expect(first.next).toBe(`/tags/ltag-a?offset=${encodeURIComponent(first.offset!)}`);
      const second = await dao.listTags('ltag-a', { size: 1, offset: first.offset });
      expect(second).toEqual({ data: [mine[1]], next: null });
    });

    it('lists every tag ordered by tag, entity name and id', async () => {
      const all = await admin().dao.listTags(undefined, { size: 1000 });
      const rows = all.data.filter((row) => row.tag.startsWith('ltag-'));
      expect(rows).toEqual(mine);
      const keys = all.data.map((row) => [row.tag, row.entity_name, row.entity_id].join('\u0000'));
      expect(keys).toHaveLength(new Set(keys).size);
    });

    it('forgets tags when an entity is deleted or retagged', async () => {
      const service = (await api().post('/services').send({ host: 'retag.test', tags: ['ltag-gone'] })).body;
      await api().patch(`/services/${service.id}`).send({ tags: ['ltag-new'] }).expect(200);
      expect((await admin().dao.listTags('ltag-gone')).data).toEqual([]);
      await api().delete(`/services/${service.id}`).expect(204);
      expect((await admin().dao.listTags('ltag-new')).data).toEqual([]);
    });

    it.each([
      ['a tag with a comma', 'a,b', { code: 10, name: 'invalid unique tag', message: "invalid tag 'a,b': expected printable ascii (except `,` and `/`) or valid utf-8 sequences" }],
    ])('rejects %s with code 10', async (_title, tag, expected) => {
      await expect(admin().dao.listTags(tag)).rejects.toMatchObject({ status: 400, body: expected });
    });

    it('rejects a bad offset with code 7', async () => {
      await expect(admin().dao.listTags(undefined, { offset: '!!' })).rejects.toMatchObject({
        status: 400,
        body: { code: 7, name: 'invalid offset', message: "'!!' is not a valid offset: bad base64 encoding" },
      });
      const notOurs = Buffer.from('["a","b","not-a-uuid"]').toString('base64');
      await expect(admin().dao.listTags(undefined, { offset: notOurs })).rejects.toMatchObject({ status: 400, body: { code: 7 } });
    });
  });

  describe('POST /plugins protocol checks', () => {
    const ROUTE_MESSAGE = "must match the associated route's protocols";
    const SERVICE_MESSAGE = "must match the protocols of at least one route pointing to this Plugin's service";

    it("requires the plugin's protocols to overlap its route's", async () => {
      const route = (await api().post('/routes').send({ protocols: ['https'], paths: ['/proto-route'] })).body;
      const bad = await api().post(`/routes/${route.id}/plugins`).send({ name: 'key-auth', protocols: ['http'] });
      expect(bad.status).toBe(400);
      expect(bad.body).toEqual(violation({ protocols: ROUTE_MESSAGE }, `schema violation (protocols: ${ROUTE_MESSAGE})`));
      const ok = await api().post(`/routes/${route.id}/plugins`).send({ name: 'key-auth', protocols: ['http', 'https'] });
      expect(ok.status).toBe(201);
      const patched = await api().patch(`/plugins/${ok.body.id}`).send({ protocols: ['grpc'] });
      expect(patched.status).toBe(400);
      expect(patched.body.fields).toEqual({ protocols: ROUTE_MESSAGE });
      const put = await api().put(`/plugins/${ok.body.id}`).send({ name: 'key-auth', route: { id: route.id }, protocols: ['grpcs'] });
      expect(put.status).toBe(400);
      expect(put.body.fields).toEqual({ protocols: ROUTE_MESSAGE });
    });

    it("requires a service plugin's protocols to overlap at least one of the service's routes", async () => {
      const service = (await api().post('/services').send({ host: 'proto.test' })).body;
      const lonely = await api().post(`/services/${service.id}/plugins`).send({ name: 'key-auth', protocols: ['tcp'] });
      expect(lonely.status).toBe(201); // no routes yet: nothing to match
      await api().delete(`/plugins/${lonely.body.id}`).expect(204);
      await api().post(`/services/${service.id}/routes`).send({ protocols: ['grpc'], paths: ['/g'] }).expect(201);
      await api().post(`/services/${service.id}/routes`).send({ protocols: ['http'], paths: ['/h'] }).expect(201);
      const bad = await api().post(`/services/${service.id}/plugins`).send({ name: 'key-auth', protocols: ['https'] });
      expect(bad.status).toBe(400);
      expect(bad.body).toEqual(violation({ protocols: SERVICE_MESSAGE }, `schema violation (protocols: ${SERVICE_MESSAGE})`));
      expect((await api().post(`/services/${service.id}/plugins`).send({ name: 'key-auth', protocols: ['grpc'] })).status).toBe(201);
    });
  });
}

// Targets under /upstreams/{u}/targets (kong-admin-api.md §1.6, §3.4): newest first with numeric offsets,
// `/all`, PUT as an update, default port added to a target given in the URL, float-second timestamps.
import request from 'supertest';
import type { AdminTestApp } from './harness';

export function targetsSuite(admin: () => AdminTestApp): void {
  const api = () => request(admin().http);

  // Kong Manager's upstreams spec pins these messages: the choices are listed in Kong's order, which for path
  // is not the hash_on enum's.
  describe('POST /upstreams with hash_fallback repeating hash_on', () => {
    it.each([
      ['consumer', 'none, ip, header, cookie, path, query_arg, uri_capture'],
      ['ip', 'none, consumer, header, cookie, path, query_arg, uri_capture'],
      ['path', 'none, consumer, header, cookie, query_arg, ip, uri_capture'],
    ])('hash_on %s answers 400 listing Kong\'s choices', async (kind, choices) => {
      const res = await api().post('/upstreams').send({ name: `fallback-${kind}.internal`, hash_on: kind, hash_fallback: kind });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        code: 2,
        name: 'schema violation',
        message: `2 schema violations (failed conditional validation given value of field 'hash_on'; hash_fallback: expected one of: ${choices})`,
        fields: { '@entity': ["failed conditional validation given value of field 'hash_on'"], hash_fallback: `expected one of: ${choices}` },
      });
    });
  });

  // Kong 3.10's upstreams shorthand_fields: algorithm first (least-connections and latency clear hash_on), then
  // hash_on (none -> round-robin, anything else -> consistent-hashing), on every write.
  describe("POST|PATCH /upstreams: Kong's algorithm/hash_on normalisation", () => {
    it.each<[string, Record<string, unknown>, Record<string, unknown>]>([
      ['consistent-hashing without a hash', { algorithm: 'consistent-hashing', hash_on: 'none' }, { algorithm: 'round-robin', hash_on: 'none' }],
      ['round-robin with a hash', { algorithm: 'round-robin', hash_on: 'ip' }, { algorithm: 'consistent-hashing', hash_on: 'ip' }],
      ['least-connections with a hash', { algorithm: 'least-connections', hash_on: 'ip' }, { algorithm: 'least-connections', hash_on: 'none' }],
      ['latency with a hash', { algorithm: 'latency', hash_on: 'consumer' }, { algorithm: 'latency', hash_on: 'none' }],
      ['a hash alone', { hash_on: 'header', hash_on_header: 'x-h' }, { algorithm: 'consistent-hashing', hash_on: 'header' }],
      ['consistent-hashing alone', { algorithm: 'consistent-hashing' }, { algorithm: 'consistent-hashing', hash_on: 'none' }],
    ])('POST with %s', async (_title, body, stored) => {
      const name = `norm-${Math.random().toString(36).slice(2, 10)}.internal`;
      const res = await api().post('/upstreams').send({ name, ...body });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject(stored);
      expect((await api().get(`/upstreams/${name}`)).body).toMatchObject(stored);
    });

    it('PATCH applies the same rules to the fields it names', async () => {
      await api().post('/upstreams').send({ name: 'norm-patch.internal' }).expect(201);
      const hashed = await api().patch('/upstreams/norm-patch.internal').send({ hash_on: 'ip' });
      expect(hashed.status).toBe(200);
      expect(hashed.body).toMatchObject({ algorithm: 'consistent-hashing', hash_on: 'ip' });
      const least = await api().patch('/upstreams/norm-patch.internal').send({ algorithm: 'least-connections' });
      expect(least.status).toBe(200);
      expect(least.body).toMatchObject({ algorithm: 'least-connections', hash_on: 'none' });
    });

    it("an unknown algorithm lists Kong's values in Kong's order", async () => {
      const res = await api().post('/upstreams').send({ name: 'norm-bad.internal', algorithm: 'random' });
      expect(res.status).toBe(400);
      expect(res.body.fields).toEqual({ algorithm: 'expected one of: consistent-hashing, least-connections, round-robin, latency' });
    });
  });

  describe('POST /upstreams/{u}/targets', () => {
    it('answers 201 with weight 100, the default port and float-second timestamps', async () => {
      const upstream = (await api().post('/upstreams').send({ name: 'floats.internal' })).body;
      const res = await api().post('/upstreams/floats.internal/targets').send({ target: '10.1.0.1', tags: ['t1'] });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        id: res.body.id,
        created_at: res.body.created_at,
        updated_at: res.body.updated_at,
        upstream: { id: upstream.id },
        target: '10.1.0.1:8000',
        weight: 100,
        tags: ['t1'],
      });
      // millisecond precision: three decimals at most, and close to now
      expect(Math.round(res.body.created_at * 1000) / 1000).toBe(res.body.created_at);
      expect(Math.abs(res.body.created_at - Date.now() / 1000)).toBeLessThan(60);
      const supplied = await api().post('/upstreams/floats.internal/targets').send({ target: '10.1.0.2:81', created_at: 1712345678.123, weight: 0 });
      expect(supplied.status).toBe(201);
      expect(supplied.body).toMatchObject({ created_at: 1712345678.123, weight: 0 });
      expect((await api().get(`/upstreams/floats.internal/targets/${supplied.body.id}`)).body.created_at).toBe(1712345678.123);
    });

    it.each([
      [{ target: '10.1.0.3', weight: 65536 }, { weight: 'value should be between 0 and 65535' }, 'schema violation (weight: value should be between 0 and 65535)'],
      [{ target: '10.1.0.3', weight: 1.5 }, { weight: 'expected an integer' }, 'schema violation (weight: expected an integer)'],
      [{ target: 'hostname:1.0' }, { target: "Invalid target ('hostname:1.0'); not a valid hostname or ip address" }, "schema violation (target: Invalid target ('hostname:1.0'); not a valid hostname or ip address)"],
      [{ target: '123' }, { target: "Invalid target ('123'); not a valid hostname or ip address" }, "schema violation (target: Invalid target ('123'); not a valid hostname or ip address)"],
    ])('answers 400 for %j', async (body, fields, message) => {
      await api().put('/upstreams/bad-targets.internal').send({});
      const res = await api().post('/upstreams/bad-targets.internal/targets').send(body);
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ code: 2, name: 'schema violation', message, fields });
    });

    it('coerces a form weight', async () => {
      await api().put('/upstreams/form-targets.internal').send({});
      const res = await api().post('/upstreams/form-targets.internal/targets').type('form').send('target=10.9.0.1:9000&weight=7');
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ target: '10.9.0.1:9000', weight: 7 });
    });
  });

  describe('GET /upstreams/{u}/targets', () => {
    const ids: string[] = [];

    beforeAll(async () => {
      await api().put('/upstreams/paged.internal').send({});
      // explicit created_at values make "newest first" deterministic
      for (const [target, createdAt] of [['10.2.0.1', 1700000000.001], ['10.2.0.2', 1700000000.003], ['10.2.0.3', 1700000000.002]] as const) {
        ids.push((await api().post('/upstreams/paged.internal/targets').send({ target, created_at: createdAt })).body.id);
      }
    });

    it('lists newest first with a numeric offset', async () => {
      const first = await api().get('/upstreams/paged.internal/targets?size=2');
      expect(first.status).toBe(200);
      expect(first.body.data.map((t: { id: string }) => t.id)).toEqual([ids[1], ids[2]]);
      expect(first.body.offset).toBe('2');
      expect(first.body.next).toBe('/upstreams/paged.internal/targets?offset=2');
      const second = await api().get(`${first.body.next}&size=2`);
      expect(second.body.data.map((t: { id: string }) => t.id)).toEqual([ids[0]]);
      expect(second.body.next).toBeNull();
      expect('offset' in second.body).toBe(false);
    });

    it('GET /upstreams/{u}/targets/all lists the same rows with its own next link', async () => {
      const res = await api().get('/upstreams/paged.internal/targets/all?size=1');
      expect(res.status).toBe(200);
      expect(res.body.data.map((t: { id: string }) => t.id)).toEqual([ids[1]]);
      expect(res.body.next).toBe('/upstreams/paged.internal/targets/all?offset=1');
      const all = await api().get('/upstreams/paged.internal/targets/all');
      expect(all.body).toEqual((await api().get('/upstreams/paged.internal/targets')).body);
      expect(all.body.data).toHaveLength(3);
      const post = await api().post('/upstreams/paged.internal/targets/all').send({});
      expect(post.status).toBe(405);
      expect(post.body).toEqual({ message: 'Method not allowed' });
    });

    it('answers 400 code 7 on an offset that is not a number', async () => {
      const res = await api().get('/upstreams/paged.internal/targets?offset=abc');
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ code: 7, name: 'invalid offset', message: "'abc' is not a valid offset: must be a number" });
    });
  });

  describe('/upstreams/{u}/targets/{t}', () => {
    it('GET adds the default port to a target given in the URL', async () => {
      await api().put('/upstreams/by-address.internal').send({});
      const target = (await api().post('/upstreams/by-address.internal/targets').send({ target: 'backend.test' })).body;
      for (const key of ['backend.test', 'backend.test:8000', target.id]) {
        const res = await api().get(`/upstreams/by-address.internal/targets/${key}`);
        expect(res.status).toBe(200);
        expect(res.body).toEqual(target);
      }
      expect((await api().get('/upstreams/by-address.internal/targets/backend.test:8001')).status).toBe(404);
    });

    it('answers 400 code 10 for a target key that cannot be a target', async () => {
      await api().put('/upstreams/bad-key.internal').send({});
      const res = await api().get('/upstreams/bad-key.internal/targets/hostname:1.0');
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ code: 10, name: 'invalid unique target', message: "Invalid target ('hostname:1.0'); not a valid hostname or ip address" });
    });

    it('PUT updates like PATCH and never creates', async () => {
      await api().put('/upstreams/put-target.internal').send({});
      const target = (await api().post('/upstreams/put-target.internal/targets').send({ target: '10.3.0.1', weight: 10, tags: ['keep'] })).body;
      const res = await api().put('/upstreams/put-target.internal/targets/10.3.0.1').send({ weight: 20 });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ ...target, weight: 20, updated_at: res.body.updated_at });
      const missing = await api().put('/upstreams/put-target.internal/targets/10.3.0.9').send({ weight: 20 });
      expect(missing.status).toBe(404);
      expect(missing.body).toEqual({ message: 'Not found' });
      expect((await api().get('/upstreams/put-target.internal/targets')).body.data).toHaveLength(1);
    });

    it('answers 404 for a target of another upstream; DELETE answers 204', async () => {
      await api().put('/upstreams/owner-a.internal').send({});
      await api().put('/upstreams/owner-b.internal').send({});
      const target = (await api().post('/upstreams/owner-a.internal/targets').send({ target: '10.4.0.1' })).body;
      const other = await api().get(`/upstreams/owner-b.internal/targets/${target.id}`);
      expect(other.status).toBe(404);
      expect(other.body).toEqual({ message: 'Not found' });
      expect((await api().delete('/upstreams/owner-a.internal/targets/10.4.0.1')).status).toBe(204);
      expect((await api().get(`/upstreams/owner-a.internal/targets/${target.id}`)).status).toBe(404);
    });
  });
}

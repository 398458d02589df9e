// Certificates and their SNIs (kong-admin-api.md §1.7, §3.3 "Custom behaviours"): the transient `snis` field,
// addressing a certificate by SNI name, and PUT by an unknown name creating the certificate.
import request from 'supertest';
import { issueCertificate, type PemPair } from '@tollgate/pki';
import type { AdminTestApp } from './harness';

export function certificatesSuite(admin: () => AdminTestApp): void {
  const api = () => request(admin().http);
  let pair: PemPair;
  let other: PemPair;

  beforeAll(() => {
    pair = issueCertificate({ commonName: 'suite.test', days: 30 });
    other = issueCertificate({ commonName: 'other.test', days: 30 });
  });

  const snisOf = async (certificateId: string) =>
    ((await api().get(`/certificates/${certificateId}/snis?size=1000`)).body.data as Array<{ name: string }>).map((s) => s.name).sort();

  describe('POST /certificates', () => {
    it('creates SNI rows from `snis` and lists the names sorted', async () => {
      const res = await api().post('/certificates').send({ ...pair, snis: ['b.cert.test', 'a.cert.test'], tags: ['c'] });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        id: res.body.id,
        created_at: res.body.created_at,
        updated_at: res.body.updated_at,
        cert: pair.cert,
        key: pair.key,
        cert_alt: null,
        key_alt: null,
        tags: ['c'],
        snis: ['a.cert.test', 'b.cert.test'],
      });
      const sni = await api().get('/snis/a.cert.test');
      expect(sni.status).toBe(200);
      expect(sni.body).toMatchObject({ name: 'a.cert.test', certificate: { id: res.body.id } });
      expect((await api().get(`/certificates/${res.body.id}`)).body).toEqual(res.body);
      expect(await snisOf(res.body.id)).toEqual(['a.cert.test', 'b.cert.test']);
    });

    it('answers [] for a certificate without SNIs', async () => {
      const res = await api().post('/certificates').send(pair);
      expect(res.status).toBe(201);
      expect(res.body.snis).toEqual([]);
    });

    it('rejects a duplicated name and a name owned by another certificate', async () => {
      const dup = await api().post('/certificates').send({ ...pair, snis: ['dup.cert.test', 'dup.cert.test'] });
      expect(dup.status).toBe(400);
      expect(dup.body).toEqual({
        code: 2,
        name: 'schema violation',
        message: 'schema violation (snis: dup.cert.test is duplicated)',
        fields: { snis: 'dup.cert.test is duplicated' },
      });
      const owner = (await api().post('/certificates').send({ ...pair, snis: ['owned.cert.test'] })).body;
      const taken = await api().post('/certificates').send({ ...other, snis: ['owned.cert.test'] });
      expect(taken.status).toBe(400);
      const message = `owned.cert.test already associated with existing certificate '${owner.id}'`;
      expect(taken.body).toEqual({ code: 2, name: 'schema violation', message: `schema violation (snis: ${message})`, fields: { snis: message } });
      // the failed create left nothing behind
      expect((await api().get('/snis/dup.cert.test')).status).toBe(404);
    });
  });

  // Kong's spec 01-schema/11-snis_spec.lua pins these messages.
  describe('POST /snis', () => {
    it.each([
      ['*.a.*', 'only one wildcard must be specified'],
      ['*.*.wildcard.*', 'only one wildcard must be specified'],
      ['a.*.com', 'wildcard must be leftmost or rightmost character'],
      ['10.0.0.1', 'must not be an IP'],
      ['a.com:443', 'must not have a port'],
    ])('answers 400 for the name %s', async (name, message) => {
      const cert = (await api().post('/certificates').send(pair)).body;
      const res = await api().post('/snis').send({ name, certificate: { id: cert.id } });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ code: 2, name: 'schema violation', message: `schema violation (name: ${message})`, fields: { name: message } });
    });

    it('accepts a leftmost or rightmost wildcard', async () => {
      const cert = (await api().post('/certificates').send(pair)).body;
      for (const name of ['*.wild.cert.test', 'wild.cert.*']) {
        const res = await api().post('/snis').send({ name, certificate: { id: cert.id } });
        expect(res.status).toBe(201);
        expect(res.body.name).toBe(name);
      }
    });
  });

  describe('/certificates/{sni}', () => {
    it('GET, PATCH and /snis address a certificate by one of its SNI names', async () => {
      const created = (await api().post('/certificates').send({ ...pair, snis: ['named.cert.test'] })).body;
      const byName = await api().get('/certificates/named.cert.test');
      expect(byName.status).toBe(200);
      expect(byName.body).toEqual(created);
      const patched = await api().patch('/certificates/named.cert.test').send({ tags: ['patched'] });
      expect(patched.status).toBe(200);
      expect(patched.body).toEqual({ ...created, tags: ['patched'], updated_at: patched.body.updated_at });
      const nested = await api().get('/certificates/named.cert.test/snis');
      expect(nested.body.data.map((s: { name: string }) => s.name)).toEqual(['named.cert.test']);
    });

    it.each(['get', 'patch', 'delete'] as const)('%s by an unknown name answers 404 SNI not found', async (method) => {
      const res = await api()[method]('/certificates/nobody.cert.test').send({});
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ message: 'SNI not found' });
    });

    it('answers 400 code 10 for a name that cannot be an SNI', async () => {
      const res = await api().get('/certificates/10.0.0.1');
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ code: 10, name: 'invalid unique name', message: 'must not be an IP' });
    });

    it('PUT by an unknown name creates the certificate with that name; PUT again merges the name into snis', async () => {
      const created = await api().put('/certificates/fresh.cert.test').send(pair);
      expect(created.status).toBe(200);
      expect(created.body).toMatchObject({ cert: pair.cert, snis: ['fresh.cert.test'] });
      const replaced = await api().put('/certificates/fresh.cert.test').send({ ...other, snis: ['z.cert.test'] });
      expect(replaced.status).toBe(200);
      expect(replaced.body).toMatchObject({ id: created.body.id, cert: other.cert, snis: ['fresh.cert.test', 'z.cert.test'] });
      expect(await snisOf(created.body.id)).toEqual(['fresh.cert.test', 'z.cert.test']);
    });

    it('PUT by name accepts a form with a single snis value', async () => {
      const res = await api()
        .put('/certificates/form.cert.test')
        .type('form')
        .send({ cert: pair.cert, key: pair.key, snis: 'form2.cert.test' });
      expect(res.status).toBe(200);
      expect(res.body.snis).toEqual(['form.cert.test', 'form2.cert.test']);
    });
  });

  describe('PUT and PATCH /certificates/{id}', () => {
    it('PATCH without snis keeps them, with null removes them; PUT without snis removes them', async () => {
      const cert = (await api().post('/certificates').send({ ...pair, snis: ['keep.cert.test'] })).body;
      const kept = await api().patch(`/certificates/${cert.id}`).send({ tags: ['x'] });
      expect(kept.body.snis).toEqual(['keep.cert.test']);
      const replaced = await api().patch(`/certificates/${cert.id}`).send({ snis: ['new.cert.test', 'keep.cert.test'] });
      expect(replaced.body.snis).toEqual(['keep.cert.test', 'new.cert.test']);
      const cleared = await api().patch(`/certificates/${cert.id}`).send({ snis: null });
      expect(cleared.status).toBe(200);
      expect(cleared.body.snis).toEqual([]);
      expect((await api().get('/snis/keep.cert.test')).status).toBe(404);
      await api().patch(`/certificates/${cert.id}`).send({ snis: ['again.cert.test'] }).expect(200);
      const put = await api().put(`/certificates/${cert.id}`).send(pair);
      expect(put.status).toBe(200);
      expect(put.body.snis).toEqual([]);
      expect(await snisOf(cert.id)).toEqual([]);
    });

    it('DELETE removes the certificate and its SNIs', async () => {
      const cert = (await api().post('/certificates').send({ ...pair, snis: ['gone.cert.test'] })).body;
      expect((await api().delete('/certificates/gone.cert.test')).status).toBe(204);
      expect((await api().get(`/certificates/${cert.id}`)).status).toBe(404);
      expect((await api().get('/snis/gone.cert.test')).status).toBe(404);
    });
  });
}

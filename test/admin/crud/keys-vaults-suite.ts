// Kong 3.x's vaults, keys and key-sets through the generic CRUD (kong-admin-api specs 19-vaults, 21-admin-api-keys):
// Kong's field and entity checks, endpoint keys, the key-set cascade, and references stored as given.
import { generateKeyPairSync } from 'node:crypto';
import request from 'supertest';
import type { AdminTestApp } from './harness';

const violation = (fields: Record<string, unknown>, message: string) => ({ code: 2, name: 'schema violation', message, fields });

export function keysVaultsSuite(admin: () => AdminTestApp): void {
  const api = () => request(admin().http);
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = (kid: string) => JSON.stringify({ ...ec.publicKey.export({ format: 'jwk' }), kid });
  const pem = {
    public_key: ec.publicKey.export({ type: 'spki', format: 'pem' }) as string,
    private_key: ec.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
  };

  describe('POST /vaults', () => {
    it('stores an env vault addressed by its prefix', async () => {
      const res = await api().post('/vaults').send({ prefix: 'my-env', name: 'env', description: 'from the environment', config: { prefix: 'SECRETS_' } });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ prefix: 'my-env', name: 'env', description: 'from the environment', config: { prefix: 'SECRETS_' }, tags: null });
      expect((await api().get('/vaults/my-env')).body.id).toBe(res.body.id);
    });

    it.each([
      ['an unknown vault', { prefix: 'aws-one', name: 'aws' }, violation({ name: "vault 'aws' is not installed" }, "schema violation (name: vault 'aws' is not installed)")],
      ['the name of a bundled vault as prefix', { prefix: 'env', name: 'env' }, violation({ prefix: 'must not be one of: env' }, 'schema violation (prefix: must not be one of: env)')],
      ['a prefix that is no host label', { prefix: 'My_Vault', name: 'env' }, violation({ prefix: 'invalid value: My_Vault' }, 'schema violation (prefix: invalid value: My_Vault)')],
      ['a prefix ending with a dash', { prefix: 'vault-', name: 'env' }, violation({ prefix: 'invalid value: vault-' }, 'schema violation (prefix: invalid value: vault-)')],
      ['a bad env prefix', { prefix: 'bad-env', name: 'env', config: { prefix: '1X' } }, violation({ config: { prefix: 'invalid value: 1X' } }, 'schema violation (config.prefix: invalid value: 1X)')],
      ['no prefix', { name: 'env' }, violation({ prefix: 'required field missing' }, 'schema violation (prefix: required field missing)')],
    ])('answers 400 for %s', async (_title, body, expected) => {
      const res = await api().post('/vaults').send(body);
      expect(res.status).toBe(400);
      expect(res.body).toEqual(expected);
    });
  });

  describe('references in referenceable fields', () => {
    it('a certificate whose cert and key are references is stored and returned as written', async () => {
      const res = await api().post('/certificates').send({ cert: '{vault://env/tls-cert}', key: '{vault://my-env/tls-key/pem}' });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ cert: '{vault://env/tls-cert}', key: '{vault://my-env/tls-key/pem}' });
      expect((await api().get(`/certificates/${res.body.id}`)).body.key).toBe('{vault://my-env/tls-key/pem}');
    });

    it('a field Kong does not mark referenceable still checks its value', async () => {
      const res = await api().post('/services').send({ host: '{vault://env/host}' });
      expect(res.status).toBe(400);
      expect(res.body.fields).toEqual({ host: 'invalid value: {vault://env/host}' });
    });
  });

  describe('POST /key-sets and /keys', () => {
    it('creates a set and keys in it (JWK and PEM); deleting the set deletes its keys', async () => {
      const set = await api().post('/key-sets').send({ name: 'signing' });
      expect(set.status).toBe(201);
      expect(set.body).toMatchObject({ name: 'signing', tags: null });
      const j = await api().post('/keys').send({ name: 'jwk-1', kid: 'k1', jwk: jwk('k1'), set: { id: set.body.id } });
      expect(j.status).toBe(201);
      expect(j.body).toMatchObject({ name: 'jwk-1', kid: 'k1', jwk: jwk('k1'), pem: null, set: { id: set.body.id } });
      const p = await api().post('/key-sets/signing/keys').send({ name: 'pem-1', kid: 'k2', pem });
      expect(p.status).toBe(201);
      expect(p.body).toMatchObject({ kid: 'k2', pem, jwk: null, set: { id: set.body.id } });
      expect((await api().get('/key-sets/signing/keys')).body.data.map((k: { name: string }) => k.name).sort()).toEqual(['jwk-1', 'pem-1']);
      expect((await api().get('/keys/jwk-1')).body.id).toBe(j.body.id);
      expect((await api().patch('/keys/pem-1').send({ name: 'changeme_pem' })).body.name).toBe('changeme_pem');
      expect((await api().delete('/key-sets/signing')).status).toBe(204);
      expect((await api().get(`/keys/${j.body.id}`)).status).toBe(404);
      expect((await api().get(`/keys/${p.body.id}`)).status).toBe(404);
    });

    it.each([
      ['a JWK that is no key', { kid: '36', jwk: '{"kid": "36"}' }, violation({ '@entity': ['could not load JWK, likely not a valid key'] }, 'schema violation (could not load JWK, likely not a valid key)')],
      ['a JWK whose kid differs', { kid: 'a', jwk: jwk('b') }, violation({ '@entity': ['kid in jwk.kid must be equal to keys.kid'] }, 'schema violation (kid in jwk.kid must be equal to keys.kid)')],
      ['a JWK that is no JSON', { kid: 'a', jwk: 'nope' }, violation({ '@entity': ['could not json decode jwk string'] }, 'schema violation (could not json decode jwk string)')],
      ['both formats', { kid: 'a', jwk: jwk('a'), pem }, violation({ '@entity': ["only one or none of these fields must be set: 'jwk', 'pem'"] }, "schema violation (only one or none of these fields must be set: 'jwk', 'pem')")],
      ['no key at all', { kid: 'a' }, violation({ '@entity': ["at least one of these fields must be non-empty: 'jwk', 'pem'"] }, "schema violation (at least one of these fields must be non-empty: 'jwk', 'pem')")],
      ['a PEM pair that does not belong together', { kid: 'a', pem: { public_key: other.publicKey.export({ type: 'spki', format: 'pem' }), private_key: pem.private_key } }, violation({ pem: 'public key does not match private key' }, 'schema violation (pem: public key does not match private key)')],
      ['a public key that is no PEM', { kid: 'a', pem: { public_key: 'nope' } }, violation({ pem: 'could not load public key' }, 'schema violation (pem: could not load public key)')],
      ['an empty PEM record', { kid: 'a', pem: {} }, violation({ pem: { '@entity': ["at least one of these fields must be non-empty: 'private_key', 'public_key'"] } }, 'schema violation (pem.@entity: {"at least one of these fields must be non-empty: \'private_key\', \'public_key\'"})')],
      ['no kid', { jwk: jwk('a') }, violation({ kid: 'required field missing' }, 'schema violation (kid: required field missing)')],
    ])('POST /keys answers 400 for %s', async (_title, body, expected) => {
      const res = await api().post('/keys').send(body);
      expect(res.status).toBe(400);
      expect(res.body).toEqual(expected);
    });

    // Kong Manager's keys spec pins the first case: a key repeating both name and kid reports the name.
    it.each([
      ['name and kid', { name: 'dup-a', kid: 'kid-a' }, { name: 'dup-a', kid: 'kid-a' }, { name: 'dup-a' }, `UNIQUE violation detected on '{name="dup-a"}'`],
      ['kid only (no set)', { name: 'dup-b', kid: 'kid-b' }, { name: 'dup-b2', kid: 'kid-b' }, { kid: 'kid-b', set: null }, `UNIQUE violation detected on '{kid="kid-b",set=null}'`],
    ])('POST /keys repeating %s answers 409 naming it', async (_title, existing, body, fields, message) => {
      expect((await api().post('/keys').send({ ...existing, pem })).status).toBe(201);
      const res = await api().post('/keys').send({ ...body, pem });
      expect(res.status).toBe(409);
      expect(res.body).toEqual({ code: 5, name: 'unique constraint violation', message, fields });
    });

    it('a JWK given as a vault reference is accepted unchecked', async () => {
      const res = await api().post('/keys').send({ kid: 'r1', jwk: '{vault://env/signing-jwk}' });
      expect(res.status).toBe(201);
      expect(res.body.jwk).toBe('{vault://env/signing-jwk}');
    });
  });
}

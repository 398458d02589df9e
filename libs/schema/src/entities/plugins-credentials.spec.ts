import { acls, basicauth_credentials, FieldList, hashBasicAuthPassword, jwt_secrets, keyauth_credentials, plugins, validateEntity } from '../index';

const CONSUMER = { id: '84a73fc8-a5c3-4e1a-a4b2-b4a0c0cbb5e2' };
const SERVICE = { id: '7fca84d6-7d37-4a74-a7b0-93e576089a41' };
const pluginSchemas = new Map<string, FieldList>([
  ['rate-limiting', [['minute', { type: 'number', gt: 0 }], ['policy', { type: 'string', default: 'local', one_of: ['local', 'redis'] }]]],
  ['key-auth', [['key_names', { type: 'array', elements: { type: 'string' }, default: ['apikey'] }]]],
]);
const insert = (input: Record<string, unknown>) => validateEntity(plugins, input, { mode: 'insert', pluginSchemas });

describe('plugins', () => {
  test('defaults: protocols, enabled, config from the plugin schema, scoping null', () => {
    expect(insert({ name: 'key-auth', service: SERVICE })).toMatchObject({
      ok: true,
      value: { name: 'key-auth', instance_name: null, route: null, consumer: null, service: SERVICE, config: { key_names: ['apikey'] },
        protocols: ['grpc', 'grpcs', 'http', 'https'], enabled: true, tags: null },
    });
  });

  test.each<[Record<string, unknown>, unknown]>([
    [{ name: 'nope' }, { name: "plugin 'nope' not enabled; add it to the 'plugins' configuration property" }],
    [{}, { name: 'required field missing' }],
    [{ name: 'rate-limiting', config: 'x' }, { config: 'expected a record' }],
    [{ name: 'rate-limiting', config: { minute: 0, bogus: 1 } }, { config: { bogus: 'unknown field', minute: 'value must be greater than 0' } }],
    [{ name: 'rate-limiting', protocols: ['http', 'ftp'] }, { protocols: [null, 'expected one of: grpc, grpcs, http, https, tcp, tls, tls_passthrough, udp'] }],
    [{ name: 'rate-limiting', enabled: 'yes' }, { enabled: 'expected a boolean' }],
    [{ name: 'rate-limiting', instance_name: 'a b' }, { instance_name: "invalid value 'a b': the only accepted ascii characters are alphanumerics or ., -, _, and ~" }],
    [{ name: 'rate-limiting', route: { id: 'x' } }, { route: { id: 'expected a valid UUID' } }],
  ])('%j', (input, fields) => {
    const result = insert(input);
    expect(result.ok ? null : result.fields).toEqual(fields);
  });

  test('without any plugin schemas every name is "not enabled"', () => {
    expect(validateEntity(plugins, { name: 'key-auth' }, { mode: 'insert' })).toEqual({
      ok: false, fields: { name: "plugin 'key-auth' not enabled; add it to the 'plugins' configuration property" },
    });
  });
});

describe('credentials', () => {
  test('key-auth generates a key; consumer is required', () => {
    expect(validateEntity(keyauth_credentials, { consumer: CONSUMER }, { mode: 'insert' })).toMatchObject({
      ok: true, value: { key: expect.stringMatching(/^[0-9a-f]{32}$/), ttl: null, consumer: CONSUMER },
    });
    expect(validateEntity(keyauth_credentials, { key: 'k' }, { mode: 'insert' })).toEqual({ ok: false, fields: { consumer: 'required field missing' } });
  });

  test('basic-auth hashes the password once', () => {
    const created = validateEntity(basicauth_credentials, { consumer: CONSUMER, username: 'u', password: 'pw' }, { mode: 'insert' });
    const hashed = hashBasicAuthPassword('pw', CONSUMER.id);
    expect(created).toMatchObject({ ok: true, value: { password: hashed } });
    const previous = (created as { value: Record<string, unknown> }).value;
    expect(validateEntity(basicauth_credentials, { username: 'v' }, { mode: 'update', previous })).toMatchObject({ ok: true, value: { password: hashed, username: 'v' } });
    expect(validateEntity(basicauth_credentials, { password: 'new' }, { mode: 'update', previous })).toMatchObject({ ok: true, value: { password: hashBasicAuthPassword('new', CONSUMER.id) } });
  });

  test('jwt: secret and key generated; asymmetric algorithms need a valid public key', () => {
    expect(validateEntity(jwt_secrets, { consumer: CONSUMER }, { mode: 'insert' })).toMatchObject({
      ok: true, value: { algorithm: 'HS256', key: expect.any(String), secret: expect.any(String), rsa_public_key: null },
    });
    const cond = ["failed conditional validation given value of field 'algorithm'"];
    expect(validateEntity(jwt_secrets, { consumer: CONSUMER, algorithm: 'RS256' }, { mode: 'insert' })).toEqual({
      ok: false, fields: { '@entity': cond, rsa_public_key: 'required field missing' },
    });
    expect(validateEntity(jwt_secrets, { consumer: CONSUMER, algorithm: 'ES256', rsa_public_key: 'x' }, { mode: 'insert' })).toEqual({
      ok: false, fields: { '@entity': cond, rsa_public_key: 'invalid key' },
    });
    expect(validateEntity(jwt_secrets, { consumer: CONSUMER, algorithm: 'XX' }, { mode: 'insert' })).toEqual({
      ok: false, fields: { algorithm: 'expected one of: HS256, HS384, HS512, RS256, RS384, RS512, ES256, ES384, ES512, PS256, PS384, PS512, EdDSA' },
    });
  });

  test('acls need a group', () => {
    expect(validateEntity(acls, { consumer: CONSUMER }, { mode: 'insert' })).toEqual({ ok: false, fields: { group: 'required field missing' } });
    expect(validateEntity(acls, { consumer: CONSUMER, group: 'admins' }, { mode: 'insert' }).ok).toBe(true);
  });
});

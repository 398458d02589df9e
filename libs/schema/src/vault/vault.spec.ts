import { parseReference, resolveReference, type VaultContext } from './index';

const ctx = (env: NodeJS.ProcessEnv, vaults: Array<{ prefix: string; name: string; config?: Record<string, unknown> }> = []): VaultContext => ({
  env,
  vaults: new Map(vaults.map((v) => [v.prefix, v])),
});

describe('parseReference (kong/pdk/vault.lua parse_reference)', () => {
  test.each<[string, unknown]>([
    ['{vault://env/my-secret}', { name: 'env', resource: 'my-secret' }],
    ['{vault://env/my-secret/json-key}', { name: 'env', resource: 'my-secret', key: 'json-key' }],
    ['{vault://env/a/b/c}', { name: 'env', resource: 'a/b', key: 'c' }],
    ['{vault://env/dir/}', { name: 'env', resource: 'dir' }],
    ['{vault://env/s?prefix=APP_#2}', { name: 'env', resource: 's', config: { prefix: 'APP_' }, version: 2 }],
    ['{vault://env/}', { error: 'reference url has empty path [{vault://env/}]' }],
    ['{vault://env}', { error: 'reference url is missing path [{vault://env}]' }],
    ['{vault:///x}', { error: 'reference url is missing host [{vault:///x}]' }],
    ['{vault://env/x#v1}', { error: 'reference url has invalid version [{vault://env/x#v1}]' }],
    ['vault://env/x', { error: 'not a reference [vault://env/x]' }],
  ])('%s', (reference, expected) => {
    expect(parseReference(reference)).toEqual(expected);
  });
});

describe('resolveReference with the env vault (kong/vaults/env)', () => {
  const env = { MY_SECRET: 'plain', APP_DB: '{"user":"u","port":5432}', APP_DB_PREVIOUS: 'old', SECRETS_TOKEN: 't0k' };
  test.each<[string, unknown]>([
    ['{vault://env/my-secret}', { ok: true, value: 'plain' }],
    ['{vault://env/MY_SECRET}', { ok: true, value: 'plain' }],
    ['{vault://env/app-db/user}', { ok: true, value: 'u' }],
    ['{vault://env/app-db#2}', { ok: true, value: 'old' }],
    ['{vault://env/db?prefix=app_}', { ok: true, value: '{"user":"u","port":5432}' }],
    ['{vault://my-env/token}', { ok: true, value: 't0k' }],
    ['{vault://env/app-db/port}', { ok: false, error: 'unexpected number value in JSON secret for subfield port' }],
    ['{vault://env/app-db/nope}', { ok: false, error: 'subfield nope not found in JSON secret' }],
    ['{vault://env/missing}', { ok: false, error: 'could not get value from external vault (no value found (missing))' }],
    ['{vault://other/x}', { ok: false, error: 'could not find vault (other)' }],
  ])('%s', (reference, expected) => {
    expect(resolveReference(reference, ctx(env, [{ prefix: 'my-env', name: 'env', config: { prefix: 'SECRETS_' } }]))).toEqual(expected);
  });
});

// Kong 3.x keys and key-sets (kong/db/schema/entities/keys.lua, key_sets.lua): a key is a JWK (a JSON string) or a
// PEM pair, optionally in a set; Kong's checks load the key material, here with node:crypto.
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { EntityCheck, EntitySchema, FieldDef } from '../types';
import * as t from '../fields/typedefs';
import { MSG } from '../fields/messages';
import { atLeastOneOf } from './checks';
import { isReference } from '../vault/reference';

const KEY_FORMATS = ['jwk', 'pem'];

const present = (value: unknown) => value !== null && value !== undefined;

const mutuallyExclusive = (fields: readonly string[]): EntityCheck => ({
  fields,
  kongJson: { mutually_exclusive: fields },
  check: (e) => (fields.filter((f) => present(e[f])).length > 1 ? [{ message: `only one or none of these fields must be set: ${MSG.quoted(fields)}` }] : []),
});

function load(make: () => KeyObject): KeyObject | null {
  try {
    return make();
  } catch {
    return null;
  }
}

/** typedefs.pem's custom_validator: each key loads, and a pair belongs together. */
function checkPemPair(value: unknown): string | undefined {
  const { private_key: priv, public_key: pub } = value as { private_key?: unknown; public_key?: unknown };
  if (isReference(priv) || isReference(pub)) return undefined;
  const pubKey = typeof pub === 'string' ? load(() => createPublicKey({ key: pub, format: 'pem' })) : undefined;
  if (pubKey === null) return 'could not load public key';
  const privKey = typeof priv === 'string' ? load(() => createPrivateKey({ key: priv, format: 'pem' })) : undefined;
  if (privKey === null) return 'could not load private key';
  if (pubKey && privKey) {
    const derived = createPublicKey(privKey).export({ type: 'spki', format: 'pem' });
    if (derived !== pubKey.export({ type: 'spki', format: 'pem' })) return 'public key does not match private key';
  }
  return undefined;
}

const pem: FieldDef = {
  type: 'record',
  fields: [
    ['private_key', { type: 'string', referenceable: true, description: 'PEM private key.', example: '-----BEGIN PRIVATE KEY-----\n...' }],
    ['public_key', { type: 'string', referenceable: true, description: 'PEM public key.', example: '-----BEGIN PUBLIC KEY-----\n...' }],
  ],
  entity_checks: [atLeastOneOf(['private_key', 'public_key'])],
  nullable: true,
  custom: checkPemPair,
  description: 'A pair of PEM-encoded public and private keys, which can be either a string or a reference to a credential in Kong Vault. If provided as strings, they must be valid PEM-encoded keys.',
  example: { public_key: '-----BEGIN PUBLIC KEY-----\n...' },
};

/** Kong's custom_entity_check over jwk, pem and kid. */
const keyMaterial: EntityCheck = {
  fields: ['jwk', 'pem', 'kid'],
  check: (e) => {
    if (typeof e.jwk === 'string') {
      let jwk: unknown;
      try {
        jwk = JSON.parse(e.jwk);
      } catch {
        return [{ message: 'could not json decode jwk string' }];
      }
      if (jwk === null || typeof jwk !== 'object' || Array.isArray(jwk)) return [{ message: 'could not json decode jwk string' }];
      const record = jwk as Record<string, unknown>;
      if (record.kid !== e.kid) return [{ message: 'kid in jwk.kid must be equal to keys.kid' }];
      const make = typeof record.d === 'string' ? createPrivateKey : createPublicKey;
      if (!load(() => make({ key: record as never, format: 'jwk' }))) return [{ message: 'could not load JWK, likely not a valid key' }];
    }
    const p = e.pem as Record<string, unknown> | null | undefined;
    if (p && typeof p === 'object' && !present(p.private_key) && !present(p.public_key)) {
      return [{ message: 'need to supply a PEM formatted public and/or private key.' }];
    }
    return [];
  },
};

export const key_sets: EntitySchema = {
  name: 'key_sets',
  adminPath: '/key-sets',
  primaryKey: ['id'],
  endpointKey: 'name',
  description: 'A named set of keys (for example one JWKS).',
  fields: [
    ['id', t.uuid],
    ['name', { type: 'string', unique: true, description: 'The name to associate with the given Key Set.', example: 'signing-keys' }],
    ['tags', t.tags],
    ['created_at', t.autoTimestampS],
    ['updated_at', t.autoUpdatedS],
  ],
};

export const keys: EntitySchema = {
  name: 'keys',
  adminPath: '/keys',
  primaryKey: ['id'],
  endpointKey: 'name',
  cacheKey: ['kid', 'set'],
  description: 'A key, as a JSON Web Key or a PEM pair, optionally part of a key set.',
  fields: [
    ['id', t.uuid],
    ['set', t.foreign('key_sets', { on_delete: 'cascade', description: 'The id of the Key Set with which to associate the key.', example: { id: '6e1ae4b7-4b8c-4f5e-9a4c-2b2f3c8d9e10' } })],
    ['name', { type: 'string', unique: true, description: 'The name to associate with the given keys.', example: 'signing-key-1' }],
    ['kid', { type: 'string', required: true, description: 'A unique identifier for a key.', example: 'key-1' }],
    ['jwk', { type: 'string', referenceable: true, description: 'A JSON Web Key represented as a string.', example: '{"kty":"EC","kid":"key-1","crv":"P-256","x":"...","y":"..."}' }],
    ['pem', pem],
    ['tags', t.tags],
    ['created_at', t.autoTimestampS],
    ['updated_at', t.autoUpdatedS],
  ],
  entityChecks: [mutuallyExclusive(KEY_FORMATS), atLeastOneOf(KEY_FORMATS), keyMaterial],
};

// Plugin-owned credential entities (key-auth, basic-auth, jwt, acl), nested under consumers as Kong does.
import { createHash } from 'node:crypto';
import { EntitySchema, FieldDef } from '../types';
import * as t from '../fields/typedefs';
import { conditional } from './checks';
import { checkPublicKeyPem } from './pem';

const consumer: FieldDef = t.foreign('consumers', {
  required: true, on_delete: 'cascade', description: 'Consumer owning this credential.', example: { id: '84a73fc8-a5c3-4e1a-a4b2-b4a0c0cbb5e2' },
});
const created = t.autoTimestampS;

export const keyauth_credentials: EntitySchema = {
  name: 'keyauth_credentials',
  adminPath: '/key-auths',
  nestedName: 'key-auth',
  plugin: 'key-auth',
  primaryKey: ['id'],
  endpointKey: 'key',
  cacheKey: ['key'],
  ttl: true,
  description: 'An API key identifying a consumer to the key-auth plugin.',
  fields: [
    ['id', t.uuid],
    ['created_at', created],
    ['consumer', consumer],
    ['key', { type: 'string', unique: true, auto: true, description: 'The API key; generated when not given.', example: 'd5e7f0c1a2b34c5d9e8f7a6b5c4d3e2f' }],
    ['ttl', { type: 'integer', between: [0, 100000000], description: 'Seconds until the key expires; null never expires.', example: 3600 }],
    ['tags', t.tags],
  ],
};

/** Kong's basic-auth storage: hex SHA-1 of password .. consumer id. */
export function hashBasicAuthPassword(password: string, consumerId: string): string {
  return createHash('sha1').update(password + consumerId).digest('hex');
}

export const basicauth_credentials: EntitySchema = {
  name: 'basicauth_credentials',
  adminPath: '/basic-auths',
  nestedName: 'basic-auth',
  plugin: 'basic-auth',
  primaryKey: ['id'],
  endpointKey: 'username',
  cacheKey: ['username'],
  description: 'A username and password identifying a consumer to the basic-auth plugin.',
  fields: [
    ['id', t.uuid],
    ['created_at', created],
    ['consumer', consumer],
    ['username', { type: 'string', required: true, unique: true, description: 'Login name.', example: 'alice' }],
    ['password', { type: 'string', required: true, description: 'Password; stored and returned only as a salted SHA-1 hash.', example: 's3cr3t-passw0rd' }],
    ['tags', t.tags],
  ],
  // hash only a new clear-text password: an unchanged stored hash stays as it is
  transform: (entity, previous) => {
    if (previous && entity.password === previous.password) return entity;
    const consumerId = (entity.consumer as { id: string }).id;
    return { ...entity, password: hashBasicAuthPassword(entity.password as string, consumerId) };
  },
};

const ASYMMETRIC = ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512', 'PS256', 'PS384', 'PS512', 'EdDSA'];

export const jwt_secrets: EntitySchema = {
  name: 'jwt_secrets',
  adminPath: '/jwts',
  nestedName: 'jwt',
  plugin: 'jwt',
  primaryKey: ['id'],
  endpointKey: 'key',
  cacheKey: ['key'],
  description: 'A JWT issuer key with its HMAC secret or public key, for the jwt plugin.',
  fields: [
    ['id', t.uuid],
    ['created_at', created],
    ['consumer', consumer],
    ['key', { type: 'string', unique: true, auto: true, description: 'Value matched against the token claim (iss by default); generated when not given.', example: 'a36c3049b36249a3c9f8891cb127243c' }],
    ['secret', { type: 'string', auto: true, description: 'HMAC secret; generated when not given.', example: 'e71829c351aa4242c2719cbfbe671c09' }],
    ['rsa_public_key', { type: 'string', description: 'PEM public key for RS/ES/PS/EdDSA algorithms.', example: '-----BEGIN PUBLIC KEY-----\n...\n-----END PUBLIC KEY-----' }],
    ['algorithm', { type: 'string', default: 'HS256', one_of: ['HS256', 'HS384', 'HS512', ...ASYMMETRIC], description: 'Signing algorithm of tokens for this key.', example: 'HS256' }],
    ['tags', t.tags],
  ],
  entityChecks: [
    conditional({
      ifField: 'algorithm',
      when: (v) => ASYMMETRIC.includes(v as string),
      thenField: 'rsa_public_key',
      then: (v) => (v === null || v === undefined ? 'required field missing' : checkPublicKeyPem(v)),
    }),
  ],
};

export const acls: EntitySchema = {
  name: 'acls',
  adminPath: '/acls',
  nestedName: 'acls',
  plugin: 'acl',
  primaryKey: ['id'],
  cacheKey: ['consumer', 'group'],
  scopedEndpointKey: 'group',
  description: 'A group membership of a consumer, for the acl plugin.',
  fields: [
    ['id', t.uuid],
    ['created_at', created],
    ['consumer', consumer],
    ['group', { type: 'string', required: true, description: 'Group name.', example: 'admins' }],
    ['tags', t.tags],
  ],
};

export const hmacauth_credentials: EntitySchema = {
  name: 'hmacauth_credentials',
  adminPath: '/hmac-auths',
  nestedName: 'hmac-auth',
  plugin: 'hmac-auth',
  primaryKey: ['id'],
  endpointKey: 'username',
  cacheKey: ['username'],
  description: 'A username and shared secret signing requests for the hmac-auth plugin.',
  fields: [
    ['id', t.uuid],
    ['created_at', created],
    ['consumer', consumer],
    ['username', { type: 'string', required: true, unique: true, description: 'Username sent in the signature.', example: 'alice' }],
    ['secret', { type: 'string', auto: true, description: 'HMAC secret; generated when not given.', example: 'Xc2Rnm2HZGHZc9PbAPzbKRKJVDWEwpmS' }],
    ['tags', t.tags],
  ],
};

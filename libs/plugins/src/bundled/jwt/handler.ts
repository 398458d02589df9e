// jwt: a signed token whose key claim (iss) names a jwt_secrets credential.
import { createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import type { Row } from '@tollgate/declarative/snapshot';
import { alreadyAuthenticated, authenticateAnonymous, setConsumer } from '../../auth/consumer-headers';
import { ownerOf } from '../../entity-directory';
import type { PluginContext, PluginHandler } from '../../types';
import { KONG_VERSION } from '../common';
import { SUPPORTED_ALGORITHMS as SUPPORTED, verifySignature } from './signature';
import { decodeToken, findToken, MULTIPLE, type DecodedToken } from './token';

interface Conf {
  uri_param_names: string[];
  cookie_names: string[];
  key_claim_name: string;
  secret_is_base64: boolean;
  claims_to_verify: string[] | null;
  anonymous: string | null;
  run_on_preflight: boolean;
  maximum_expiration: number;
  header_names: string[];
  challenge: Record<string, string>;
}

// one KeyObject per credential row and encoding, built on first use (rows are immutable per snapshot)
const keyCache = new WeakMap<Row, Map<boolean, KeyObject>>();

export const handler: PluginHandler<Conf> = {
  name: 'jwt',
  priority: 1450,
  version: KONG_VERSION,
  prepare: (config) => ({
    ...(config as unknown as Conf),
    challenge: { 'www-authenticate': `Bearer realm="${(config.realm as string | null) ?? 'service'}"` },
  }),
  access(kong, conf) {
    if (!conf.run_on_preflight && kong.request.method === 'OPTIONS') return;
    if (alreadyAuthenticated(kong, conf.anonymous)) return;
    const token = findToken(kong, conf);
    if (token === MULTIPLE) return kong.response.error(401, 'Multiple tokens provided', conf.challenge);
    if (token === undefined) return fallback(kong, conf, 401, 'Unauthorized');
    let decoded: DecodedToken;
    try {
      decoded = decodeToken(token);
    } catch (err) {
      return kong.response.error(401, `Bad token; ${(err as Error).message}`, conf.challenge);
    }
    const claim = decoded.claims[conf.key_claim_name];
    if (claim === undefined || claim === null) return fallback(kong, conf, 401, `No mandatory '${conf.key_claim_name}' in claims`);
    if (typeof claim !== 'string' || claim === '') return fallback(kong, conf, 401, `Invalid '${conf.key_claim_name}' in claims`);
    const secret = kong.entities.jwt.get(claim);
    if (!secret) return fallback(kong, conf, 401, `No credentials found for given '${conf.key_claim_name}'`);
    const algorithm = secret.algorithm as string;
    if (decoded.header.alg !== algorithm || !SUPPORTED.has(algorithm)) return fallback(kong, conf, 403, 'Invalid algorithm');
    let key: KeyObject;
    try {
      key = keyFor(secret, conf.secret_is_base64);
    } catch {
      return fallback(kong, conf, 401, 'Invalid key/secret');
    }
    if (!verifySignature(token, algorithm, key)) return fallback(kong, conf, 401, 'Invalid signature');
    afterSignature(kong, conf, decoded, secret);
  },
};

function afterSignature(kong: PluginContext, conf: Conf, decoded: DecodedToken, secret: Row): void {
  const errors = claimErrors(decoded.claims, conf);
  if (errors) {
    if (conf.anonymous) return void authenticateAnonymous(kong, conf.anonymous);
    return kong.response.exit(401, errors, conf.challenge);
  }
  const consumer = ownerOf(kong.entities, secret);
  if (!consumer) return fallback(kong, conf, 401, `Could not find consumer for '${conf.key_claim_name}=${secret.key}'`);
  kong.ctx.authenticated_jwt_token = decoded.token;
  setConsumer(kong, consumer, secret, secret.key as string);
}

/** Kong's registered-claims checks: `{exp: "token expired"}` style errors, or undefined. */
function claimErrors(claims: Record<string, unknown>, conf: Conf): Record<string, string> | undefined {
  const errors: Record<string, string> = {};
  const now = Date.now() / 1000;
  for (const name of conf.claims_to_verify ?? []) {
    const v = claims[name];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'number') errors[name] = 'must be a number';
    else if (name === 'exp' && v <= now) errors.exp = 'token expired';
    else if (name === 'nbf' && v > now) errors.nbf = 'token not valid yet';
  }
  if (conf.maximum_expiration > 0 && errors.exp === undefined) {
    const exp = claims.exp;
    if (typeof exp !== 'number') errors.exp = 'must exist';
    else if (exp - now > conf.maximum_expiration) errors.exp = 'exceeds maximum allowed expiration';
  }
  return Object.keys(errors).length ? errors : undefined;
}

function keyFor(secret: Row, base64: boolean): KeyObject {
  let byEncoding = keyCache.get(secret);
  if (!byEncoding) keyCache.set(secret, (byEncoding = new Map()));
  let key = byEncoding.get(base64);
  if (!key) {
    const alg = secret.algorithm as string;
    if (alg.startsWith('HS')) {
      const raw = String(secret.secret ?? '');
      key = createSecretKey(base64 ? Buffer.from(raw, 'base64') : Buffer.from(raw));
    } else {
      key = createPublicKey(String(secret.rsa_public_key));
    }
    byEncoding.set(base64, key);
  }
  return key;
}

function fallback(kong: PluginContext, conf: Conf, status: number, message: string): void {
  if (conf.anonymous) {
    authenticateAnonymous(kong, conf.anonymous);
    return;
  }
  kong.response.error(status, message, status === 401 ? conf.challenge : undefined);
}

// jwt: a signed token whose key claim (iss by default) names a jwt_secrets credential. Kong's order of checks
// and its messages; the signature itself is verified by jose, so the access phase is async from that point.
import type { Row } from '@tollgate/declarative/snapshot';
import { alreadyAuthenticated, authenticateAnonymous, setConsumer } from '../../auth/consumer-headers';
import { ownerOf } from '../../entity-directory';
import type { PluginContext, PluginHandler } from '../../types';
import { KONG_VERSION } from '../common';
import { claimErrors } from './claims';
import { decodeToken, findToken, MULTIPLE, type DecodedToken } from './token';
import { keyFor, verifySignature, type VerificationKey } from './verify';

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
    if (token === MULTIPLE) return fail(kong, conf, 401, 'Multiple tokens provided');
    if (token === undefined) return fail(kong, conf, 401, 'Unauthorized');
    let decoded: DecodedToken;
    try {
      decoded = decodeToken(token);
    } catch (err) {
      return fail(kong, conf, 401, `Bad token; ${(err as Error).message}`);
    }
    const name = conf.key_claim_name;
    let keyId = decoded.claims[name];
    if (keyId === undefined || keyId === false) keyId = decoded.header[name]; // Kong: claims[k] or header[k]
    if (keyId === undefined || keyId === null || keyId === false) return fail(kong, conf, 401, `No mandatory '${name}' in claims`);
    if (typeof keyId !== 'string' || keyId === '') return fail(kong, conf, 401, `Invalid '${name}' in claims`);
    const secret = kong.entities.jwt.get(keyId);
    if (!secret) return fail(kong, conf, 401, `No credentials found for given '${name}'`);
    const algorithm = (secret.algorithm as string | null) ?? 'HS256';
    if (decoded.header.alg !== algorithm) return fail(kong, conf, 403, 'Invalid algorithm');
    return verifyAndAuthenticate(kong, conf, decoded, secret, algorithm, keyFor(secret, conf.secret_is_base64));
  },
};

async function verifyAndAuthenticate(
  kong: PluginContext, conf: Conf, decoded: DecodedToken, secret: Row, algorithm: string, keyState: VerificationKey | Promise<VerificationKey>,
): Promise<void> {
  const key = keyState instanceof Promise ? await keyState : keyState;
  if (key === null) return fail(kong, conf, 401, 'Invalid key/secret');
  if (!(await verifySignature(decoded.token, algorithm, key))) return fail(kong, conf, 401, 'Invalid signature');
  const errors = claimErrors(decoded.claims, conf.claims_to_verify, conf.maximum_expiration);
  if (errors) {
    if (conf.anonymous) return void authenticateAnonymous(kong, conf.anonymous);
    return kong.response.exit(401, errors, conf.challenge);
  }
  const consumer = ownerOf(kong.entities, secret);
  if (!consumer) return fail(kong, conf, 401, `Could not find consumer for '${conf.key_claim_name}=${secret.key}'`);
  kong.ctx.authenticated_jwt_token = decoded.token;
  setConsumer(kong, consumer, secret, secret.key as string);
}

/** Every failure falls back to the anonymous consumer when one is configured, as Kong's access(). */
function fail(kong: PluginContext, conf: Conf, status: number, message: string): void {
  if (conf.anonymous) {
    authenticateAnonymous(kong, conf.anonymous);
    return;
  }
  kong.response.error(status, message, status === 401 ? conf.challenge : undefined);
}

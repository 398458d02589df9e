// hmac-auth: requests signed with a consumer's shared secret (Kong's kong/plugins/hmac-auth).
import { alreadyAuthenticated, authenticateAnonymous, setConsumer } from '../../auth/consumer-headers';
import { ownerOf } from '../../entity-directory';
import type { PluginContext, PluginHandler } from '../../types';
import { KONG_VERSION } from '../common';
import { digestMatches, parseHmacHeader, signatureMatches, signingString } from './signature';

interface Conf {
  hide_credentials: boolean;
  clock_skew: number;
  anonymous: string | null;
  validate_request_body: boolean;
  enforce_headers: string[];
  algorithms: string[];
  challenge: Record<string, string>;
}

const NOT_VALID = 'HMAC signature cannot be verified';
const NOT_SAME = 'HMAC signature does not match';
const NO_DATE = 'HMAC signature cannot be verified, a valid date or x-date header is required for HMAC Authentication';

export const handler: PluginHandler<Conf> = {
  name: 'hmac-auth',
  priority: 1030,
  version: KONG_VERSION,
  prepare: (config) => ({
    ...(config as unknown as Conf),
    challenge: { 'www-authenticate': config.realm ? `hmac realm="${config.realm as string}"` : 'hmac' },
  }),
  async access(kong, conf) {
    if (conf.anonymous) {
      // logical OR: an earlier plugin's credential wins; a failure here falls back to the anonymous consumer
      if (alreadyAuthenticated(kong, conf.anonymous)) return;
      if ((await authenticate(kong, conf)) !== true) authenticateAnonymous(kong, conf.anonymous);
      return;
    }
    const failure = await authenticate(kong, conf);
    if (failure !== true) kong.response.error(401, failure, conf.challenge);
  },
};

/** true, or the 401 message. */
async function authenticate(kong: PluginContext, conf: Conf): Promise<true | string> {
  const req = kong.request;
  const authorization = req.getHeader('authorization');
  const proxyAuthorization = req.getHeader('proxy-authorization');
  if (authorization === undefined && proxyAuthorization === undefined) return 'Unauthorized';
  if (!withinSkew(req.getHeader('x-date'), conf.clock_skew) && !withinSkew(req.getHeader('date'), conf.clock_skew)) return NO_DATE;

  let params = parseHmacHeader(proxyAuthorization);
  if (params) {
    if (conf.hide_credentials) req.clearHeader('proxy-authorization');
  } else {
    params = parseHmacHeader(authorization);
    if (conf.hide_credentials) req.clearHeader('authorization');
  }
  if (!params || !validParams(params.headers, params.algorithm, conf)) return NOT_VALID;

  const credential = kong.entities.hmacauth.get(params.username);
  if (!credential || typeof credential.secret !== 'string') return NOT_VALID;
  const query = req.rawQuery;
  const data = signingString({
    method: req.method,
    pathWithQuery: query === '' ? req.rawPath : `${req.rawPath}?${query}`,
    httpVersion: req.httpVersion,
    header: (name) => headerValue(kong, name),
  }, params.headers);
  if (!signatureMatches(params.algorithm, credential.secret, data, params.signature)) return NOT_SAME;
  if (conf.validate_request_body && !digestMatches(req.getHeader('digest'), await req.readBody())) return NOT_SAME;

  const consumer = ownerOf(kong.entities, credential);
  if (!consumer) return NOT_VALID;
  setConsumer(kong, consumer, credential, credential.username as string);
  return true;
}

/** A header as signed: repeated headers are joined the way the client saw them. */
function headerValue(kong: PluginContext, name: string): string | undefined {
  const raw = kong.request.headers[name.toLowerCase()];
  if (raw === undefined) return undefined;
  return Array.isArray(raw) ? raw.join(', ') : raw;
}

function validParams(signed: readonly string[], algorithm: string, conf: Conf): boolean {
  for (const required of conf.enforce_headers) if (!signed.includes(required)) return false;
  return conf.algorithms.includes(algorithm);
}

function withinSkew(date: string | undefined, skew: number): boolean {
  if (!date) return false;
  const at = Date.parse(date);
  if (Number.isNaN(at)) return false;
  return Math.abs(Math.floor(Date.now() / 1000) - Math.floor(at / 1000)) <= skew;
}

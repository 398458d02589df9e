// acme: certificates from an ACME CA (Let's Encrypt, ...). Kong's priority 1705 (before the auth plugins, which
// would otherwise block the CA's validation requests). access: answers HTTP-01 challenges on plain http;
// certificate: a handshake naming an allowed host without a certificate starts an order in the background (the
// default certificate is served meanwhile) and, in DB-less mode, serves the certificate kept in storage.
import { createSecureContext, type SecureContext } from 'node:tls';
import type { PluginHandler } from '../../types';
import { KONG_VERSION } from '../common';
import { domainMatcher, type AcmeConf } from './conf';
import { acmeHost } from './link';
import { storageSink } from './certificates';
import { KEYS } from './storage';

const CHALLENGE_PATH = /^\/\.well-known\/acme-challenge\/(.+)/;

interface Prepared {
  readonly conf: AcmeConf;
  readonly allowed: (host: string) => boolean;
}

/** Kong's certificate cache: a stored certificate for an hour, a miss for 5 s (so an order is asked for at most that often). */
const HIT_TTL_MS = 3600_000;
const MISS_TTL_MS = 5_000;
const cache = new Map<string, { ctx: SecureContext | null; until: number }>();

async function storedCertificate(conf: AcmeConf, host: string): Promise<SecureContext | null> {
  const key = `${conf.storage}|${host}`;
  const hit = cache.get(key);
  if (hit && hit.until > Date.now()) return hit.ctx;
  const certkey = await storageSink(acmeHost().storage(conf)).load(host);
  const ctx = certkey ? createSecureContext({ cert: certkey.cert, key: certkey.key }) : null;
  cache.set(key, { ctx, until: Date.now() + (ctx ? HIT_TTL_MS : MISS_TTL_MS) });
  if (!ctx) acmeHost().requestOrder(host, conf);
  return ctx;
}

export const handler: PluginHandler<Prepared> = {
  name: 'acme',
  priority: 1705,
  version: KONG_VERSION,
  prepare: (config) => {
    const conf = config as unknown as AcmeConf;
    return { conf, allowed: domainMatcher(conf) };
  },

  certificate(serverName, { conf, allowed }, { known }) {
    // a handshake without SNI names no host to look up or order (Kong's acme returns when ssl.server_name() is nil)
    if (known || serverName === '') return null;
    const host = serverName.toLowerCase();
    if (!allowed(host)) return null;
    return storedCertificate(conf, host).catch(() => null);
  },

  async access(kong, { conf, allowed }) {
    if (kong.request.scheme !== 'http') return; // HTTP-01 validation only comes to the http port
    // Kong's kong.request.get_host(): without the port (validators send `Host: name:port` off port 80)
    const host = kong.request.host.replace(/:\d+$/, '').toLowerCase();
    if (!host || !allowed(host)) return;
    const m = CHALLENGE_PATH.exec(kong.request.rawPath);
    if (!m) return;
    // Kong's sanity check token (POST /acme with test_http_challenge_flow)
    if (m[1] === 'x') return kong.response.exit(404, 'Not found\n');
    let value: string | null;
    try {
      value = await acmeHost().storage(conf).get(KEYS.challenge(m[1]));
    } catch (err) {
      kong.log.error(`failed to read acme challenge: ${(err as Error).message}`);
      return kong.response.error(500, 'An unexpected error occurred');
    }
    if (value === null) return kong.response.error(404, 'Not found');
    kong.response.exit(200, `${value}\n`, { 'content-type': 'text/plain' });
  },
};

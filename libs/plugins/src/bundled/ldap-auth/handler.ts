// ldap-auth: `Authorization: ldap base64(user:password)` checked by binding to an LDAP server (Kong's
// kong/plugins/ldap-auth). Bind results, good and bad, are cached per worker for cache_ttl seconds.
import { createHash } from 'node:crypto';
import { alreadyAuthenticated, authenticateAnonymous, setConsumer } from '../../auth/consumer-headers';
import type { PluginContext, PluginHandler } from '../../types';
import { KONG_VERSION } from '../common';
import { ldapBind, type BindTarget } from './bind';

interface Conf extends BindTarget {
  cache_ttl: number;
  hide_credentials: boolean;
  anonymous: string | null;
  header_type: string;
  challenge: Record<string, string>;
  scheme: RegExp;
}

// credential cache key -> bind result and its expiry (ms); bounded so a password-guessing client cannot grow it
const cache = new Map<string, { ok: boolean; until: number }>();
const CACHE_MAX = 10_000;

export const handler: PluginHandler<Conf> = {
  name: 'ldap-auth',
  priority: 1200,
  version: KONG_VERSION,
  prepare: (config) => {
    const headerType = String(config.header_type ?? 'ldap');
    // Kong capitalises the default scheme in its challenge only (backwards compatibility)
    const scheme = headerType === 'ldap' ? 'LDAP' : headerType;
    const escaped = headerType.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return {
      ...(config as unknown as Conf),
      challenge: { 'www-authenticate': config.realm ? `${scheme} realm="${config.realm as string}"` : scheme },
      scheme: new RegExp(`^\\s*${escaped}\\s+`),
    };
  },
  async access(kong, conf) {
    if (conf.anonymous && alreadyAuthenticated(kong, conf.anonymous)) return;
    let ok: boolean;
    try {
      ok = await authenticate(kong, conf);
    } catch (err) {
      // an unreachable LDAP server is Kong's 500 in both flows (its cache loader raises)
      kong.log.error(`ldap-auth: ${(err as Error).message}`);
      return kong.response.error(500, 'An unexpected error occurred');
    }
    if (ok) return;
    if (conf.anonymous) authenticateAnonymous(kong, conf.anonymous);
    else kong.response.error(401, 'Unauthorized', conf.challenge);
  },
};

async function authenticate(kong: PluginContext, conf: Conf): Promise<boolean> {
  const authorization = kong.request.getHeader('authorization');
  const proxyAuthorization = kong.request.getHeader('proxy-authorization');
  if (authorization === undefined && proxyAuthorization === undefined) return false;
  let username: string | undefined;
  for (const header of [proxyAuthorization, authorization]) {
    const creds = header === undefined ? undefined : credentialsOf(header, conf);
    if (creds && (await check(conf, creds.username, creds.password))) {
      username = creds.username;
      break;
    }
  }
  if (username === undefined) return false;
  if (conf.hide_credentials) {
    kong.request.clearHeader('authorization');
    kong.request.clearHeader('proxy-authorization');
  }
  // Kong authenticates a credential without a consumer: the headers carry the LDAP username only
  setConsumer(kong, null, { id: cacheKey(conf, username, ''), username }, username);
  return true;
}

function credentialsOf(value: string, conf: Conf): { username: string; password: string } | undefined {
  const m = conf.scheme.exec(value.toLowerCase());
  if (!m) return undefined;
  const decoded = Buffer.from(value.slice(m[0].length), 'base64').toString();
  const pair = /^(.*?):(.+)$/s.exec(decoded);
  return pair ? { username: pair[1], password: pair[2] } : undefined;
}

function cacheKey(conf: Conf, username: string, password: string): string {
  const text = `${conf.ldap_host.toLowerCase()}:${conf.ldap_port}:${conf.base_dn}:${conf.attribute}:${conf.cache_ttl}:${username}:${password}`;
  return `ldap_auth_cache:${createHash('sha256').update(text).digest('hex')}`;
}

async function check(conf: Conf, username: string, password: string): Promise<boolean> {
  const key = cacheKey(conf, username, password);
  const hit = cache.get(key);
  const now = Date.now();
  if (hit && hit.until > now) return hit.ok;
  const ok = await ldapBind(conf, username, password);
  if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value as string);
  cache.set(key, { ok, until: now + conf.cache_ttl * 1000 });
  return ok;
}

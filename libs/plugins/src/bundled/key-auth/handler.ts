// key-auth: an API key from a header, the query string or the body identifies the consumer.
import type { Row } from '@tollgate/declarative/snapshot';
import { alreadyAuthenticated, authenticateAnonymous, setConsumer } from '../../auth/consumer-headers';
import { ownerOf } from '../../entity-directory';
import type { PluginContext, PluginHandler } from '../../types';
import { KONG_VERSION } from '../common';

interface Conf {
  key_names: string[];
  hide_credentials: boolean;
  anonymous: string | null;
  key_in_header: boolean;
  key_in_query: boolean;
  key_in_body: boolean;
  run_on_preflight: boolean;
  challenge: Record<string, string>;
  /** key_names lower-cased once (header lookups), same order. */
  headerNames: string[];
}

const NO_KEY = 'No API key found in request';
const UNAUTHORIZED = 'Unauthorized';
const DUPLICATE = 'Duplicate API key found';

export const handler: PluginHandler<Conf> = {
  name: 'key-auth',
  priority: 1250,
  version: KONG_VERSION,
  prepare: (config) => ({
    ...(config as unknown as Conf),
    challenge: { 'www-authenticate': `Key realm="${(config.realm as string | null) ?? 'kong'}"` },
    headerNames: ((config.key_names as string[] | undefined) ?? []).map((n) => n.toLowerCase()),
  }),
  access(kong, conf) {
    if (!conf.run_on_preflight && kong.request.method === 'OPTIONS') return;
    if (alreadyAuthenticated(kong, conf.anonymous)) return;
    const found = keyFromHeadersOrQuery(kong, conf);
    if (found === DUPLICATE) return kong.response.error(400, DUPLICATE);
    if (found !== undefined || !conf.key_in_body) return conclude(kong, conf, found);
    return kong.request.readBody().then((body) => conclude(kong, conf, keyFromBody(kong, conf, body)));
  },
};

function keyFromHeadersOrQuery(kong: PluginContext, conf: Conf): string | undefined {
  for (let i = 0; i < conf.key_names.length; i++) {
    const name = conf.key_names[i];
    if (conf.key_in_header) {
      const v = kong.request.getHeader(conf.headerNames[i]);
      if (v !== undefined && v !== '') {
        if (conf.hide_credentials) kong.request.clearHeader(conf.headerNames[i]);
        return v;
      }
    }
    if (conf.key_in_query) {
      const query = kong.request.getQuery();
      const values = query.get(name);
      if (values && values.length > 1) return DUPLICATE;
      if (values && values[0] !== '') {
        if (conf.hide_credentials) {
          const copy = new Map(query);
          copy.delete(name);
          kong.request.setQuery(copy);
        }
        return values[0];
      }
    }
  }
  return undefined;
}

function keyFromBody(kong: PluginContext, conf: Conf, body: Buffer): string | undefined {
  const type = kong.request.getHeader('content-type') ?? '';
  let params: Record<string, unknown> = {};
  try {
    if (type.includes('application/json')) params = JSON.parse(body.toString() || '{}');
    else if (type.includes('application/x-www-form-urlencoded')) params = Object.fromEntries(new URLSearchParams(body.toString()));
  } catch {
    return undefined;
  }
  for (const name of conf.key_names) {
    const v = params[name];
    if (typeof v === 'string' && v !== '') {
      if (conf.hide_credentials) {
        delete params[name];
        kong.request.setBody(type.includes('json') ? JSON.stringify(params) : new URLSearchParams(params as Record<string, string>).toString());
      }
      return v;
    }
  }
  return undefined;
}

function conclude(kong: PluginContext, conf: Conf, key: string | undefined): void {
  if (key === undefined) return fallback(kong, conf, NO_KEY);
  const credential = kong.entities.keyauth.get(key);
  const consumer = credential && !expired(credential) ? ownerOf(kong.entities, credential) : undefined;
  if (!credential || !consumer) return fallback(kong, conf, UNAUTHORIZED);
  setConsumer(kong, consumer, credential, credential.id);
}

function fallback(kong: PluginContext, conf: Conf, message: string): void {
  if (conf.anonymous) {
    authenticateAnonymous(kong, conf.anonymous);
    return;
  }
  kong.response.error(401, message, conf.challenge);
}

/** Keys with a ttl expire ttl seconds after creation (Kong's ttl DAOs). */
function expired(credential: Row): boolean {
  const ttl = credential.ttl as number | null;
  if (!ttl) return false;
  return (credential.created_at as number) + ttl <= Date.now() / 1000;
}

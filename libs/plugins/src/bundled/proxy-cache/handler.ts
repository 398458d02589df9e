// proxy-cache (memory strategy): answers cacheable requests from the node-wide cache (../../node-cache), as
// Kong 3.10's plugin does. access computes Kong's cache key and serves a Hit, or marks the request Miss/Refresh
// (Bypass when it cannot be cached); header_filter decides whether the upstream's answer may be stored;
// body_filter stores it. Entries are Kong's JSON object (status, headers, body, body_len, timestamp, ttl,
// version, req_body), so GET /proxy-cache/{key} shows what Kong shows.
import type { PluginContext, PluginHandler } from '../../types';
import { KONG_VERSION } from '../common';
import { nodeCache } from '../../node-cache';
import { buildCacheKey, parseArgs } from './cache-key';
import { numeric, parseDirectives, resourceTtl, type Directives } from './cache-control';
import { mediaTypeMatches, parseMediaType, type MediaType } from './content-type';

/** Kong's CACHE_VERSION: an entry of another layout is purged and the request bypasses the cache. */
export const CACHE_VERSION = 1;

/** What a cache entry holds (Kong's shape; body_encoding only for bodies that are not UTF-8 text). */
export interface CachedResponse {
  status: number;
  headers: Record<string, string | string[]>;
  body: string;
  body_len: number;
  timestamp: number;
  ttl: number;
  version: number;
  /** Absent when the request had no body (Kong's cjson drops nil). */
  req_body?: string;
  body_encoding?: 'base64';
}

interface Conf {
  readonly responseCodes: ReadonlySet<number>;
  readonly methods: ReadonlySet<string>;
  readonly contentTypes: readonly MediaType[];
  readonly cacheTtl: number;
  readonly storageTtl: number | null;
  readonly cacheControl: boolean;
  readonly ignoreUriCase: boolean;
  readonly varyQueryParams: readonly string[] | null;
  readonly varyHeaders: readonly string[] | null;
  readonly showAge: boolean;
  readonly showStatus: boolean;
  readonly showKey: boolean;
}

/** Per request, from access to body_filter: the request is to be stored under `key`. */
interface Pending {
  readonly key: string;
  readonly reqBody: string | null;
  headers?: Record<string, string | string[]>;
  ttl?: number;
}

const STATE = 'proxy-cache';

/**
 * Hop-by-hop headers (and Content-Length, which the answer gets anew) are not replayed from an entry, nor any
 * ratelimit-remaining header: a stored count would be a lie.
 */
const NOT_REPLAYED = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailers', 'transfer-encoding', 'upgrade', 'content-length']);
const replayable = (name: string) => !NOT_REPLAYED.has(name.toLowerCase()) && !name.toLowerCase().includes('ratelimit-remaining');

/** Kong writes these two into the entry under these names (its own header case). */
const KONG_NAMES: Readonly<Record<string, string>> = { 'x-cache-status': 'X-Cache-Status', 'x-cache-key': 'X-Cache-Key' };

const nowS = () => Math.floor(Date.now() / 1000);

/** Kong sends a diagnostic header when its response_headers flag is on, or the client sent Kong-Debug. */
function diagnostic(kong: PluginContext, shown: boolean): boolean {
  return shown || kong.request.getHeader('kong-debug') !== undefined;
}

function markStatus(kong: PluginContext, conf: Conf, status: 'Miss' | 'Refresh' | 'Bypass'): void {
  if (diagnostic(kong, conf.showStatus)) kong.response.setHeader('X-Cache-Status', status);
}

function cacheableRequest(kong: PluginContext, conf: Conf, cc: Directives): boolean {
  if (!conf.methods.has(kong.request.method)) return false;
  // Kong's check also names ngx.var.authorization, a variable nginx does not define: only the directives count
  return !(conf.cacheControl && (cc.has('no-store') || cc.has('no-cache')));
}

function cacheableResponse(kong: PluginContext, conf: Conf, cc: Directives): boolean {
  if (!conf.responseCodes.has(kong.response.getStatus())) return false;
  const headers = kong.response.getHeaders();
  const type = headers['content-type'];
  if (typeof type !== 'string' || type === '') return false; // absent, empty or repeated: not examined, as Kong
  const actual = parseMediaType(type);
  if (actual === null || !conf.contentTypes.some((expected) => mediaTypeMatches(actual, expected))) return false;
  if (!conf.cacheControl) return true;
  if (cc.has('private') || cc.has('no-store') || cc.has('no-cache')) return false;
  return resourceTtl(cc, lastOf(headers.expires), nowS()) > 0;
}

const lastOf = (v: string | string[] | undefined) => (Array.isArray(v) ? v[v.length - 1] : v);

/** ngx.var.request cut at the first '?': `GET /p HTTP/1.1` without a query string, `GET /p` with one. */
function requestLine(kong: PluginContext): string {
  const r = kong.request;
  return r.rawQuery !== '' ? `${r.method} ${r.rawPath}` : `${r.method} ${r.rawPath} HTTP/${r.httpVersion}`;
}

function hasBody(kong: PluginContext): boolean {
  const h = kong.request.headers;
  return (h['content-length'] !== undefined && h['content-length'] !== '0') || h['transfer-encoding'] !== undefined;
}

async function access(kong: PluginContext, conf: Conf): Promise<void> {
  const cc = parseDirectives(kong.request.headers['cache-control']);
  if (!cacheableRequest(kong, conf, cc)) return markStatus(kong, conf, 'Bypass');

  let uri = requestLine(kong);
  if (conf.ignoreUriCase) uri = uri.toLowerCase();
  const headers = kong.request.headers;
  const key = buildCacheKey({
    consumerId: (kong.client.consumer?.id as string | undefined) ?? null,
    routeId: kong.route?.id ?? null,
    method: kong.request.method,
    uri,
    query: parseArgs(kong.request.rawQuery),
    headers: (name) => headers[name],
  }, conf);
  if (diagnostic(kong, conf.showKey)) kong.response.setHeader('X-Cache-Key', key);

  const cache = nodeCache();
  const text = await cache.get(key);
  const entry = text === null ? null : decode(text);
  if (entry === null) {
    // rfc7234 5.2.1.7: the client wants only what is cached
    if (conf.cacheControl && cc.has('only-if-cached')) return kong.response.exit(504);
    const reqBody = hasBody(kong) ? (await kong.request.readBody()).toString('utf8') : null;
    return pend(kong, conf, key, reqBody, 'Miss');
  }
  if (entry.version !== CACHE_VERSION) {
    kong.log.info(`cache format mismatch, purging ${key}`);
    await cache.delete(key);
    return pend(kong, conf, key, null, 'Bypass');
  }

  const age = nowS() - entry.timestamp;
  if (conf.cacheControl) {
    const maxAge = numeric(cc, 'max-age');
    const maxStale = numeric(cc, 'max-stale');
    const minFresh = numeric(cc, 'min-fresh');
    if ((maxAge !== undefined && age > maxAge) || (maxStale !== undefined && age - entry.ttl > maxStale) || (minFresh !== undefined && entry.ttl - age < minFresh)) {
      return pend(kong, conf, key, null, 'Refresh');
    }
  } else if (age > conf.cacheTtl) {
    // an entry may be stored for storage_ttl, longer than it may be served
    return pend(kong, conf, key, null, 'Refresh');
  }

  kong.ctx.proxy_cache_hit = { res: entry, req: { body: entry.req_body } };
  kong.ctx.KONG_PROXIED = true; // the answer stands for the upstream's: latency headers as for a proxied one
  const out: Record<string, string | string[]> = {};
  for (const name of Object.keys(entry.headers)) {
    const lower = name.toLowerCase();
    if (lower === 'age' || lower === 'x-cache-status' || lower === 'x-cache-key' || !replayable(name)) continue;
    out[name] = entry.headers[name];
  }
  if (diagnostic(kong, conf.showAge)) out.age = String(age);
  if (diagnostic(kong, conf.showStatus)) out['X-Cache-Status'] = 'Hit';
  if (diagnostic(kong, conf.showKey)) out['X-Cache-Key'] = key;
  const body = entry.body_encoding === 'base64' ? Buffer.from(entry.body, 'base64') : entry.body;
  kong.response.exit(entry.status, body, out);
}

function decode(text: string): CachedResponse | null {
  try {
    return JSON.parse(text) as CachedResponse;
  } catch {
    return null;
  }
}

function pend(kong: PluginContext, conf: Conf, key: string, reqBody: string | null, status: 'Miss' | 'Refresh' | 'Bypass'): void {
  kong.ctx[STATE] = { key, reqBody } satisfies Pending;
  markStatus(kong, conf, status);
}

export const handler: PluginHandler<Conf> = {
  name: 'proxy-cache',
  priority: 100,
  version: KONG_VERSION,
  prepare: (config) => {
    const headers = config.response_headers as Record<string, boolean> | null;
    const list = (v: unknown) => (Array.isArray(v) && v.length > 0 ? (v as string[]) : null);
    return {
      responseCodes: new Set(config.response_code as number[]),
      methods: new Set(config.request_method as string[]),
      contentTypes: (config.content_type as string[]).map(parseMediaType).filter((t): t is MediaType => t !== null),
      cacheTtl: (config.cache_ttl as number | null) ?? 300,
      storageTtl: (config.storage_ttl as number | null) ?? null,
      cacheControl: config.cache_control === true,
      ignoreUriCase: config.ignore_uri_case === true,
      varyQueryParams: list(config.vary_query_params),
      varyHeaders: list(config.vary_headers),
      showAge: headers?.age !== false,
      showStatus: headers?.['X-Cache-Status'] !== false,
      showKey: headers?.['X-Cache-Key'] !== false,
    };
  },
  access,
  header_filter(kong, conf) {
    const pending = kong.ctx[STATE] as Pending | undefined;
    if (pending === undefined) return; // not cacheable, or served from the cache
    const cc = parseDirectives(kong.response.getHeaders()['cache-control']);
    if (!cacheableResponse(kong, conf, cc)) {
      markStatus(kong, conf, 'Bypass');
      kong.ctx[STATE] = undefined;
      return;
    }
    const headers: Record<string, string | string[]> = {};
    const all = kong.response.getHeaders();
    for (const name of Object.keys(all)) headers[KONG_NAMES[name] ?? name] = all[name];
    pending.headers = headers;
    pending.ttl = conf.cacheControl ? resourceTtl(cc, lastOf(all.expires), nowS()) : conf.cacheTtl;
  },
  body_filter(kong, conf) {
    const pending = kong.ctx[STATE] as Pending | undefined;
    if (pending?.headers === undefined) return;
    kong.ctx[STATE] = undefined;
    const raw = kong.response.getBody() ?? Buffer.alloc(0);
    const text = raw.toString('utf8');
    const utf8 = Buffer.byteLength(text) === raw.length && Buffer.from(text).equals(raw);
    const entry: CachedResponse = {
      status: kong.response.getStatus(),
      headers: pending.headers,
      body: utf8 ? text : raw.toString('base64'),
      body_len: raw.length,
      timestamp: nowS(),
      ttl: pending.ttl!,
      version: CACHE_VERSION,
      ...(pending.reqBody === null ? {} : { req_body: pending.reqBody }),
      ...(utf8 ? {} : { body_encoding: 'base64' as const }),
    };
    const storageTtl = conf.storageTtl ?? (conf.cacheControl ? pending.ttl! : conf.cacheTtl);
    nodeCache().set(pending.key, JSON.stringify(entry), storageTtl);
  },
};

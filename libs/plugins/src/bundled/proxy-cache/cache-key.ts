// Kong's proxy-cache key (kong/plugins/proxy-cache/cache_key.lua), so keys an operator computed for Kong, or
// reads from X-Cache-Key, address the same entries here: the SHA-256 hex of
//   <consumer id>:<route id> | <method> | <request line up to '?'> | <query part> | <header part>
// where the prefix is the route id alone without a consumer and `default` without a route, the query part is
// `name=value` pairs joined with ':' (every argument sorted by name, or the vary_query_params in their order),
// and the header part the vary_headers likewise (nothing when none are configured).
import { createHash } from 'node:crypto';

/** An argument as Kong's get_query gives it: a value, `true` for a name without '=', or repeated values. */
export type ArgValue = string | true | string[];

export interface KeyParts {
  readonly consumerId: string | null;
  readonly routeId: string | null;
  readonly method: string;
  /** ngx.var.request with everything from the first '?' removed (`GET /path HTTP/1.1`, or `GET /path`). */
  readonly uri: string;
  readonly query: ReadonlyMap<string, ArgValue>;
  /** Header values by lower-case name. */
  readonly headers: (name: string) => string | string[] | undefined;
}

export interface KeyConfig {
  readonly varyQueryParams: readonly string[] | null;
  readonly varyHeaders: readonly string[] | null;
}

function joined(field: string, value: ArgValue | undefined, out: string[]): void {
  if (value === undefined) return;
  if (value === true) out.push(field);
  else if (Array.isArray(value)) out.push(`${field}=${[...value].sort().join(',')}`);
  else out.push(`${field}=${value}`);
}

export function paramsKey(query: ReadonlyMap<string, ArgValue>, vary: readonly string[] | null): string {
  const out: string[] = [];
  const fields = vary && vary.length > 0 ? vary : [...query.keys()].sort();
  for (const f of fields) joined(f, query.get(f), out);
  return out.join(':');
}

export function headersKey(headers: KeyParts['headers'], vary: readonly string[] | null): string {
  if (!vary || vary.length === 0) return '';
  const out: string[] = [];
  // Kong's header table answers any case and '_' for '-'
  for (const f of vary) joined(f, headers(f.toLowerCase().replace(/_/g, '-')), out);
  return out.join(':');
}

export function prefixOf(consumerId: string | null, routeId: string | null): string {
  if (consumerId && routeId) return `${consumerId}:${routeId}`;
  return routeId ?? 'default';
}

export function buildCacheKey(p: KeyParts, conf: KeyConfig): string {
  const text = `${prefixOf(p.consumerId, p.routeId)}|${p.method}|${p.uri}|${paramsKey(p.query, conf.varyQueryParams)}|${headersKey(p.headers, conf.varyHeaders)}`;
  return createHash('sha256').update(text).digest('hex');
}

/** ngx.req.get_uri_args over the raw query string: '+' and %XX decoded, repeated names collected. */
export function parseArgs(rawQuery: string): Map<string, ArgValue> {
  const out = new Map<string, ArgValue>();
  if (rawQuery === '') return out;
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = decode(eq < 0 ? part : part.slice(0, eq));
    if (name === '') continue;
    const value: string | true = eq < 0 ? true : decode(part.slice(eq + 1));
    const prev = out.get(name);
    if (prev === undefined) out.set(name, value);
    else {
      const list = Array.isArray(prev) ? prev : [String(prev)];
      list.push(String(value));
      out.set(name, list);
    }
  }
  return out;
}

function decode(text: string): string {
  const plain = text.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(plain);
  } catch {
    return plain; // a stray '%' is kept as written, as nginx does
  }
}

// The value consistent-hashing hashes, read from the request per hash_on / hash_fallback.
import { randomUUID } from 'node:crypto';
import type { BalancerContext, Row } from './types';

export type HashOn = 'none' | 'consumer' | 'ip' | 'header' | 'cookie' | 'path' | 'query_arg' | 'uri_capture';

interface HashSource {
  readonly on: HashOn;
  /** Lower-cased header name, cookie name, query arg name or capture name, per `on`. */
  readonly key: string | null;
}

export interface HashSpec {
  readonly primary: HashSource;
  readonly fallback: HashSource;
  readonly cookiePath: string;
}

export function compileHashSpec(upstream: Row): HashSpec {
  const on = ((upstream.hash_on as string | null) ?? 'none') as HashOn;
  const fb = ((upstream.hash_fallback as string | null) ?? 'none') as HashOn;
  return {
    primary: { on, key: keyFor(on, upstream, 'hash_on') },
    // Cookie forbids a fallback (the schema enforces it; this keeps the runtime honest too).
    fallback: { on: on === 'cookie' ? 'none' : fb, key: keyFor(fb, upstream, 'hash_fallback') },
    cookiePath: (upstream.hash_on_cookie_path as string | null) ?? '/',
  };
}

function keyFor(on: HashOn, u: Row, prefix: 'hash_on' | 'hash_fallback'): string | null {
  switch (on) {
    case 'header':
      return ((u[`${prefix}_header`] as string | null) ?? '').toLowerCase() || null;
    case 'cookie':
      return (u.hash_on_cookie as string | null) ?? null;
    case 'query_arg':
      return (u[`${prefix}_query_arg`] as string | null) ?? null;
    case 'uri_capture':
      return (u[`${prefix}_uri_capture`] as string | null) ?? null;
    default:
      return null;
  }
}

/** Returns the hash input ('' when none of the sources has a value). May set ctx.setCookie. */
export function hashInput(spec: HashSpec, ctx: BalancerContext): string {
  const first = readSource(spec.primary, ctx, spec.cookiePath);
  if (first !== '') return first;
  return readSource(spec.fallback, ctx, spec.cookiePath);
}

function readSource(src: HashSource, ctx: BalancerContext, cookiePath: string): string {
  switch (src.on) {
    case 'none':
      return '';
    case 'consumer':
      return ctx.consumerId ?? ctx.credentialId ?? '';
    case 'ip':
      return ctx.clientIp;
    case 'path':
      return ctx.path;
    case 'header': {
      const v = ctx.headers[src.key!];
      if (v === undefined) return '';
      // Several values of one header are combined into one string.
      return typeof v === 'string' ? v : v.join('');
    }
    case 'uri_capture':
      return ctx.captures?.[src.key!] ?? '';
    case 'query_arg':
      return queryArg(ctx.query, src.key!);
    case 'cookie': {
      const found = cookieValue(ctx.cookies ?? null, src.key!);
      if (found !== null) return found;
      const value = randomUUID();
      ctx.setCookie = `${src.key}=${value}; Path=${cookiePath}; Same-Site=Lax; HttpOnly`;
      return value;
    }
  }
}

export function cookieValue(header: string | null, name: string): string | null {
  if (!header) return null;
  let i = 0;
  const n = header.length;
  while (i < n) {
    while (i < n && (header.charCodeAt(i) === 32 || header.charCodeAt(i) === 59)) i++;
    const eq = header.indexOf('=', i);
    let end = header.indexOf(';', i);
    if (end < 0) end = n;
    if (eq > 0 && eq < end && header.slice(i, eq).trim() === name) return header.slice(eq + 1, end).trim();
    i = end + 1;
  }
  return null;
}

/** Multi-valued arguments are sorted and joined with ','. An argument without `=` counts as empty. */
export function queryArg(query: string | null, name: string): string {
  if (!query) return '';
  let values: string[] | null = null;
  let single: string | null = null;
  for (const part of query.split('&')) {
    const eq = part.indexOf('=');
    const k = decode(eq < 0 ? part : part.slice(0, eq));
    if (k !== name || eq < 0) continue;
    const v = decode(part.slice(eq + 1));
    if (single === null) single = v;
    else (values ??= [single]).push(v);
  }
  if (values !== null) return values.sort().join(',');
  return single ?? '';
}

function decode(s: string): string {
  if (s.indexOf('%') < 0 && s.indexOf('+') < 0) return s;
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

// Upstream request URI from the service path, the normalized request path and strip_path (§1.6).
import { sanitizeUriPostfix } from './normalize-path';
import type { HttpMatch } from './types';

export type PathHandling = 'v0' | 'v1';

/** What the request path contributes after stripping: the part after the matched prefix, else all but the leading `/`. */
function postfixOf(requestPath: string, matchedPath: string | null, stripPath: boolean): string {
  if (stripPath && matchedPath !== null) return sanitizeUriPostfix(requestPath.slice(matchedPath.length));
  return sanitizeUriPostfix(requestPath.slice(1));
}

/** Kong's v0 join (the only algorithm under traditional_compatible). `base` is the service path, `/` when unset. */
export function upstreamPathV0(base: string, requestPath: string, matchedPath: string | null, stripPath: boolean): string {
  const postfix = postfixOf(requestPath, matchedPath, stripPath);
  const requestEndsWithSlash = requestPath.charCodeAt(requestPath.length - 1) === 47;
  if (base.charCodeAt(base.length - 1) === 47) {
    if (!stripPath) return base + requestPath.slice(1);
    if (postfix === '') {
      if (base === '/') return '/';
      return requestEndsWithSlash ? base : base.slice(0, -1);
    }
    return postfix.charCodeAt(0) === 47 ? base.slice(0, -1) + postfix : base + postfix;
  }
  if (!stripPath) return requestPath === '/' ? base : base + requestPath;
  if (postfix === '') return requestPath.length > 1 && requestEndsWithSlash ? base + '/' : base;
  return postfix.charCodeAt(0) === 47 ? base + postfix : base + '/' + postfix;
}

/** Kong's v1 join (traditional router only): plain concatenation, one `/` dropped when both sides have it. */
export function upstreamPathV1(base: string, requestPath: string, matchedPath: string | null, stripPath: boolean): string {
  const rest = stripPath && matchedPath !== null ? requestPath.slice(matchedPath.length) : requestPath.slice(1);
  if (rest.charCodeAt(0) === 47 && base.charCodeAt(base.length - 1) === 47) return base.slice(0, -1) + rest;
  return base + rest;
}

/** Bytes allowed unescaped in the upstream path: ``!#$&'()*+,/:;=?@[]A-Za-z0-9-_.~%`` */
const PATH_SAFE = new Uint8Array(128);
for (const ch of "!#$&'()*+,/:;=?@[]-_.~%") PATH_SAFE[ch.charCodeAt(0)] = 1;
for (let c = 48; c <= 57; c++) PATH_SAFE[c] = 1;
for (let c = 65; c <= 90; c++) PATH_SAFE[c] = 1;
for (let c = 97; c <= 122; c++) PATH_SAFE[c] = 1;

/** Re-escapes a normalized path for the upstream request line. hot path: no allocation when nothing needs escaping. */
export function escapeUpstreamPath(path: string): string {
  let i = 0;
  for (; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c >= 128 || PATH_SAFE[c] !== 1) break;
  }
  if (i === path.length) return path;
  let out = path.slice(0, i);
  for (const byte of Buffer.from(path.slice(i), 'utf8')) {
    out += byte < 128 && PATH_SAFE[byte] === 1 ? String.fromCharCode(byte) : '%' + (byte < 16 ? '0' : '') + byte.toString(16).toUpperCase();
  }
  return out;
}

/**
 * Final upstream request URI under traditional_compatible (always v0: Kong ignores `path_handling = v1` there).
 * `rawQuery` is the request target from its first `?` on, `?` included (`''` when there is none, `'?'` for an
 * empty query, which Kong preserves); it is appended verbatim.
 */
export function resolveUpstreamPath(match: HttpMatch, servicePath: string | null, rawQuery: string): string {
  const base = servicePath === null || servicePath === '' ? '/' : servicePath;
  const joined = upstreamPathV0(base, match.path, match.matchedPath, match.route.strip_path);
  return escapeUpstreamPath(joined) + rawQuery;
}

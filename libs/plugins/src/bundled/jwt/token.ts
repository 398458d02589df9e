// Finding and decoding a JWT as Kong's jwt_parser does (signature checks are jose's; see verify.ts).
import type { PluginContext } from '../../types';

export interface DecodedToken {
  readonly token: string;
  readonly header: Record<string, unknown>;
  readonly claims: Record<string, unknown>;
}

/** Every algorithm Kong's parser knows: any other `alg` (notably `none`) is `Bad token; invalid alg`. */
export const KNOWN_ALGORITHMS: ReadonlySet<string> = new Set([
  'HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512', 'PS256', 'PS384', 'PS512', 'EdDSA',
]);

const BEARER = /^\s*bearer\s+(\S+)\s*$/i;
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;
export const MULTIPLE = Symbol('multiple tokens');

/** The token from query params, cookies, then headers, as Kong; MULTIPLE when more than one distinct one. */
export function findToken(kong: PluginContext, conf: { uri_param_names: string[]; cookie_names: string[]; header_names: string[] }): string | typeof MULTIPLE | undefined {
  const found = new Set<string>();
  const query = kong.request.getQuery();
  for (const name of conf.uri_param_names) for (const v of query.get(name) ?? []) if (v) found.add(v);
  if (conf.cookie_names.length) {
    const cookie = kong.request.getHeader('cookie') ?? '';
    for (const part of cookie.split(';')) {
      const eq = part.indexOf('=');
      if (eq > 0 && conf.cookie_names.includes(part.slice(0, eq).trim())) found.add(part.slice(eq + 1).trim());
    }
  }
  for (const name of conf.header_names) {
    const v = kong.request.getHeader(name.toLowerCase());
    if (!v) continue;
    const m = BEARER.exec(v);
    if (m) found.add(m[1]);
  }
  if (found.size > 1) return MULTIPLE;
  return found.values().next().value;
}

/**
 * Parses the header and claims and applies Kong's structural checks, in Kong's order; an Error carries the
 * reason Kong puts after `Bad token; `. Like Kong, a token is split into at most three segments, so extra dots
 * end up in the signature segment (which then is not base64: `invalid signature`).
 */
export function decodeToken(token: string): DecodedToken {
  const first = token.indexOf('.');
  const second = first < 0 ? -1 : token.indexOf('.', first + 1);
  if (second < 0) throw new Error('invalid JSON');
  const header = jsonSegment(token.slice(0, first));
  const claims = jsonSegment(token.slice(first + 1, second));
  const typ = header.typ;
  if (typ !== undefined && typ !== null && (typeof typ !== 'string' || typ.toUpperCase() !== 'JWT')) throw new Error('invalid typ');
  if (typeof header.alg !== 'string' || !KNOWN_ALGORITHMS.has(header.alg)) throw new Error('invalid alg');
  if (!BASE64.test(token.slice(second + 1))) throw new Error('invalid signature');
  return { token, header, claims };
}

function jsonSegment(segment: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(segment, 'base64url').toString());
  } catch {
    throw new Error('invalid JSON');
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('invalid JSON');
  return v as Record<string, unknown>;
}

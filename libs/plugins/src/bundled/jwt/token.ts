// Finding and decoding a JWT (signature checks are jose's; see handler.ts).
import type { PluginContext } from '../../types';

export interface DecodedToken {
  readonly token: string;
  readonly header: Record<string, unknown>;
  readonly claims: Record<string, unknown>;
}

const BEARER = /^\s*bearer\s+(\S+)\s*$/i;
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

/** Parses the header and claims; an Error carries Kong's `Bad token; ...` reason. */
export function decodeToken(token: string): DecodedToken {
  const parts = token.split('.');
  if (parts.length !== 3) throw new Error('invalid JWT');
  const json = (seg: string) => {
    try {
      const v = JSON.parse(Buffer.from(seg, 'base64url').toString());
      if (typeof v !== 'object' || v === null) throw new Error();
      return v as Record<string, unknown>;
    } catch {
      throw new Error('invalid JSON');
    }
  };
  return { token, header: json(parts[0]), claims: json(parts[1]) };
}

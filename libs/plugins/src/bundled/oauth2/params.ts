// What the oauth2 endpoints read from a request: the query merged with a POST/PUT/PATCH body (form or JSON;
// the body wins), the HTTPS check, and Kong's Bearer challenge.
import type { PluginContext } from '../../types';

export type Params = Record<string, unknown>;

export async function requestParams(kong: PluginContext): Promise<Params> {
  const out: Params = {};
  for (const [k, v] of kong.request.getQuery()) out[k] = v.length > 1 ? [...v] : v[0];
  const method = kong.request.method;
  if (method !== 'POST' && method !== 'PUT' && method !== 'PATCH') return out;
  const type = kong.request.getHeader('content-type') ?? '';
  const body = (await kong.request.readBody()).toString();
  if (type.includes('application/x-www-form-urlencoded')) {
    for (const [k, v] of new URLSearchParams(body)) out[k] = v;
  } else if (type.includes('application/json') && body.trim() !== '') {
    try {
      const parsed = JSON.parse(body) as unknown;
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) Object.assign(out, parsed);
    } catch {
      // an unreadable body carries no parameters, as Kong's get_body returning nil
    }
  }
  return out;
}

export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Kong's check_https: the scheme, or with accept_http_if_already_terminated a trusted peer's X-Forwarded-Proto. */
export function checkHttps(kong: PluginContext, allowTerminated: boolean): { ok: true } | { ok: false; message?: string } {
  if (kong.request.scheme === 'https') return { ok: true };
  if (!allowTerminated || !kong.request.trustedPeer) return { ok: false };
  const proto = kong.request.headers['x-forwarded-proto'];
  if (Array.isArray(proto)) return { ok: false, message: 'Only one X-Forwarded-Proto header allowed' };
  return String(proto).toLowerCase() === 'https' ? { ok: true } : { ok: false };
}

export function bearerChallenge(realm: string | null, error?: string, description?: string): string {
  const params: string[] = [];
  if (realm) params.push(`realm="${realm}"`);
  if (error) params.push(`error="${error}"`);
  if (description) params.push(`error_description="${description}"`);
  return params.length ? `Bearer ${params.join(', ')}` : 'Bearer';
}

export const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' };

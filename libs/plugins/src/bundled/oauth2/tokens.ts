// Issuing tokens and checking scopes and PKCE, as Kong's oauth2 access.lua does; rows go through the data
// plane's entity store (libs/plugins/src/store.ts).
import { createHash } from 'node:crypto';
import type { Row } from '@tollgate/declarative/snapshot';
import { entityStore } from '../../store';
import { fail, type ErrorBody, type OAuth2Conf } from './conf';
import type { Params } from './params';

export interface TokenResponse {
  access_token: string;
  token_type: 'bearer';
  expires_in?: number;
  refresh_token?: string;
  state?: unknown;
}

/** Kong's generate_token: a refresh token unless disabled or the token never expires; reuse keeps it. */
export async function generateToken(
  conf: OAuth2Conf, serviceId: string | null, credential: Row, userId: unknown, scope: string | null | undefined,
  state: unknown, disableRefresh = false, existing?: Row,
): Promise<TokenResponse> {
  const store = entityStore();
  const expiration = conf.token_expiration;
  const ttl = expiration > 0 && conf.refresh_token_ttl > 0 ? conf.refresh_token_ttl : null;
  let refresh: string | undefined;
  if (existing && conf.reuse_refresh_token) {
    // the refreshed token replaces the old row and keeps its refresh token
    refresh = existing.refresh_token as string;
    await store.delete('oauth2_tokens', existing.id);
  } else if (!disableRefresh && expiration > 0) {
    refresh = randomToken();
  }
  const token = await store.insert('oauth2_tokens', {
    service: conf.global_credentials || !serviceId ? null : { id: serviceId },
    credential: { id: credential.id },
    authenticated_userid: typeof userId === 'string' ? userId : null,
    expires_in: expiration,
    refresh_token: refresh ?? null,
    scope: scope ?? null,
    ttl,
  });
  const out: TokenResponse = { access_token: token.access_token as string, token_type: 'bearer' };
  if (expiration > 0) out.expires_in = token.expires_in as number;
  if (refresh) out.refresh_token = refresh;
  if (state !== undefined) out.state = state;
  return out;
}

/** 32 characters, as Kong's random_string. */
export function randomToken(): string {
  return createHash('sha256').update(crypto.getRandomValues(new Uint8Array(32))).digest('base64url').slice(0, 32);
}

/** The granted scopes (space separated), undefined for none, or the error. */
export function retrieveScope(params: Params, conf: OAuth2Conf): { scope?: string } | { error: ErrorBody } {
  const scope = params.scope;
  if (conf.scopes && scope !== undefined) {
    if (typeof scope !== 'string') return { error: fail('invalid_scope', 'scope must be a string') };
    const granted: string[] = [];
    for (const s of scope.split(/\s+/).filter(Boolean)) {
      if (!conf.scopes.includes(s)) return { error: fail('invalid_scope', `"${s}" is an invalid scope`) };
      granted.push(s);
    }
    return granted.length ? { scope: granted.join(' ') } : {};
  }
  if (scope === undefined && conf.mandatory_scope) return { error: fail('invalid_scope', 'You must specify a scope') };
  return {};
}

export function requiresPkce(conf: OAuth2Conf, client: Row | undefined, usedPkce?: unknown): boolean {
  if (!client) return false;
  return !!usedPkce
    || (client.client_type === 'public' && conf.pkce !== 'none')
    || (client.client_type === 'confidential' && conf.pkce === 'strict');
}

/** The challenge normalised to unpadded base64url, its method, or the error message. */
export function retrieveChallenge(params: Params): { challenge?: string; method?: string; error?: string } {
  const challenge = params.code_challenge;
  const method = params.code_challenge_method;
  if (method !== undefined && challenge === undefined) return { error: 'code_challenge is required when code_method is present' };
  if (challenge === undefined) return {};
  if (typeof challenge !== 'string') return { error: 'code_challenge is not a string' };
  const normalised = Buffer.from(challenge.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('base64url') || challenge;
  if (method !== undefined && method !== 'S256' && method !== 's256') return { error: 'code_challenge_method is not supported, must be S256' };
  return { challenge: normalised, method: 'S256' };
}

export function verifyPkce(params: Params, code: Row): ErrorBody | undefined {
  const verifier = params.code_verifier;
  if (verifier === undefined) return fail('invalid_request', 'code_verifier is required for PKCE authorization requests');
  if (typeof verifier !== 'string') return fail('invalid_request', 'code_verifier is not a string');
  if (verifier.length < 43 || verifier.length > 128) return fail('invalid_request', 'code_verifier must be between 43 and 128 characters');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  if (!code.challenge || challenge !== code.challenge) return fail('invalid_grant', 'Invalid code');
  return undefined;
}

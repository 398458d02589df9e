// A proxied request carrying an access token: Kong's do_authentication.
import type { Row } from '@tollgate/declarative/snapshot';
import { setConsumer } from '../../auth/consumer-headers';
import { ownerOf } from '../../entity-directory';
import { entityStore } from '../../store';
import type { PluginContext } from '../../types';
import { fail, type ErrorBody, type OAuth2Conf } from './conf';
import { bearerChallenge, requestParams } from './params';

export interface AuthFailure { status: number; body: ErrorBody; headers: Record<string, string> }

const INVALID = 'The access token is invalid or has expired';

async function accessToken(kong: PluginContext, conf: OAuth2Conf): Promise<string | undefined> {
  const headerName = conf.auth_header_name.toLowerCase();
  const header = kong.request.getHeader(headerName);
  if (header !== undefined) {
    const parts = header.split(/\s+/).filter(Boolean);
    if (parts.length === 2 && ['token', 'bearer'].includes(parts[0].toLowerCase())) {
      if (conf.hide_credentials) kong.request.clearHeader(headerName);
      return parts[1];
    }
    return header;
  }
  const token = (await requestParams(kong)).access_token;
  if (typeof token !== 'string') return undefined;
  if (conf.hide_credentials) {
    const query = new Map(kong.request.getQuery());
    query.delete('access_token');
    kong.request.setQuery(query);
    const type = kong.request.getHeader('content-type') ?? '';
    if (kong.request.method !== 'GET' && type.includes('application/x-www-form-urlencoded')) {
      const body = new URLSearchParams((await kong.request.readBody()).toString());
      body.delete('access_token');
      kong.request.setBody(body.toString());
    }
  }
  return token;
}

export async function authenticateToken(kong: PluginContext, conf: OAuth2Conf): Promise<AuthFailure | Row> {
  const invalid = (): AuthFailure => ({ status: 401, body: fail('invalid_token', INVALID), headers: { 'www-authenticate': bearerChallenge(conf.realm, 'invalid_token', INVALID) } });
  const token = await accessToken(kong, conf);
  if (!token) {
    return { status: 401, body: fail('invalid_request', 'The access token is missing'), headers: { 'www-authenticate': bearerChallenge(conf.realm) } };
  }
  const row = await entityStore().select('oauth2_tokens', 'access_token', token);
  if (!row) return invalid();
  const tokenService = (row.service as { id: string } | null)?.id ?? null;
  if (!conf.global_credentials && tokenService === null) {
    return {
      status: 401,
      body: fail('invalid_token', "The access token is global, but the current plugin is configured without 'global_credentials'"),
      headers: { 'www-authenticate': bearerChallenge(conf.realm, 'invalid_token', INVALID) },
    };
  }
  if (tokenService !== null && tokenService !== (kong.service?.id ?? null)) return invalid();
  const expiresIn = row.expires_in as number;
  if (expiresIn > 0 && Date.now() / 1000 - (row.created_at as number) > expiresIn) return invalid();
  const credential = kong.entities.oauth2ById.get((row.credential as { id: string }).id);
  const consumer = credential ? ownerOf(kong.entities, credential) : undefined;
  if (!credential || !consumer) return invalid();
  setConsumer(kong, consumer, credential, credential.client_id as string);
  setTokenHeaders(kong, row);
  return row;
}

export function setTokenHeaders(kong: PluginContext, token: Row | null): void {
  if (token && typeof token.scope === 'string') kong.request.setHeader('x-authenticated-scope', token.scope);
  else kong.request.clearHeader('x-authenticated-scope');
  if (token && typeof token.authenticated_userid === 'string') kong.request.setHeader('x-authenticated-userid', token.authenticated_userid);
  else kong.request.clearHeader('x-authenticated-userid');
}

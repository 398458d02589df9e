// POST .../oauth2/token: the four grants' token requests (authorization_code, client_credentials, password,
// refresh_token), answered with Kong's bodies and statuses.
import type { Row } from '@tollgate/declarative/snapshot';
import { verifyOauth2Secret } from '@tollgate/schema';
import { entityStore } from '../../store';
import type { PluginContext } from '../../types';
import { fail, type OAuth2Conf } from './conf';
import { checkHttps, NO_STORE, requestParams, str, type Params } from './params';
import { generateToken, requiresPkce, retrieveScope, verifyPkce } from './tokens';

interface ClientAuth { clientId?: string; clientSecret?: string; fromHeader: boolean }

function clientCredentials(kong: PluginContext, params: Params, conf: OAuth2Conf): ClientAuth {
  const header = kong.request.getHeader(conf.auth_header_name.toLowerCase());
  if (params.client_id !== undefined && params.client_secret !== undefined) {
    return { clientId: str(params.client_id), clientSecret: str(params.client_secret), fromHeader: false };
  }
  if (header !== undefined) {
    const m = /\s*[Bb]asic\s*(.+)/.exec(header);
    if (!m) return { fromHeader: true };
    const decoded = Buffer.from(m[1], 'base64').toString();
    const colon = decoded.indexOf(':');
    return colon === -1 ? { clientId: decoded, fromHeader: true } : { clientId: decoded.slice(0, colon), clientSecret: decoded.slice(colon + 1), fromHeader: true };
  }
  return { clientId: str(params.client_id), fromHeader: false };
}

const BASIC_CHALLENGE = 'Basic realm="OAuth2.0"';

export async function issueToken(kong: PluginContext, conf: OAuth2Conf): Promise<void> {
  const params = await requestParams(kong);
  const state = params.state;
  let response: Record<string, unknown> = {};
  let unauthorized = false;
  const https = checkHttps(kong, conf.accept_http_if_already_terminated);
  if (!https.ok) {
    response = fail('access_denied', https.message ?? 'You must use HTTPS');
  } else {
    const grant = params.grant_type;
    if (!(grant === 'authorization_code' || grant === 'refresh_token'
      || (conf.enable_client_credentials && grant === 'client_credentials')
      || (conf.enable_password_grant && grant === 'password'))) {
      response = fail('unsupported_grant_type', 'Invalid grant_type');
    }
    const auth = clientCredentials(kong, params, conf);
    const client: Row | undefined = auth.clientId ? kong.entities.oauth2.get(auth.clientId) : undefined;
    const allowed = client?.redirect_uris as string[] | null | undefined;
    if (grant !== 'client_credentials') {
      if (client && allowed) {
        const redirectUri = str(params.redirect_uri) ?? allowed[0];
        if (!allowed.includes(redirectUri)) {
          response = fail('invalid_request', 'Invalid redirect_uri that does not match with any redirect_uri created with the application');
        }
      } else {
        response = fail('invalid_client', 'Invalid client authentication');
        unauthorized = auth.fromHeader;
      }
    }
    if (client) {
      if (client.client_type === 'confidential') {
        const stored = client.client_secret as string | null;
        const ok = typeof auth.clientSecret === 'string' && typeof stored === 'string'
          && (client.hash_secret === true ? verifyOauth2Secret(auth.clientSecret, stored) : auth.clientSecret === stored);
        if (!ok) {
          response = fail('invalid_client', 'Invalid client authentication');
          unauthorized = auth.fromHeader;
        }
      } else if (client.client_type === 'public' && (auth.clientSecret ?? '').trim() !== '') {
        response = fail('invalid_request', 'client_secret is disallowed for public clients');
      }
    }
    if (response.error === undefined) response = { ...(await grantToken(kong, conf, params, String(grant), client)) };
  }
  if (state !== undefined) response.state = state;
  const status = response.error !== undefined ? (unauthorized ? 401 : 400) : 200;
  kong.response.exit(status, response, unauthorized ? { ...NO_STORE, 'www-authenticate': BASIC_CHALLENGE } : NO_STORE);
}

async function grantToken(kong: PluginContext, conf: OAuth2Conf, params: Params, grant: string, client: Row | undefined): Promise<object> {
  const store = entityStore();
  const serviceId = kong.service?.id ?? null;
  const scopedService = conf.global_credentials ? null : serviceId;
  switch (grant) {
    case 'authorization_code': {
      const code = str(params.code);
      const row = code ? await store.select('oauth2_authorization_codes', 'code', code) : null;
      const codeService = (row?.service as { id: string } | null)?.id ?? null;
      if (!row || (scopedService && scopedService !== codeService)) return fail('invalid_request', 'Invalid code');
      if ((row.credential as { id: string }).id !== client!.id) return fail('invalid_request', 'Invalid code');
      if (requiresPkce(conf, client, row.challenge_method)) {
        const err = verifyPkce(params, row);
        if (err) return err;
      }
      const plugin = row.plugin as { id: string } | null;
      if (conf.global_credentials && plugin && plugin.id !== conf.pluginId) return fail('invalid_request', 'Invalid code');
      const token = await generateToken(conf, serviceId, client!, row.authenticated_userid, row.scope as string | null, params.state);
      // a code is good for one token only
      await store.delete('oauth2_authorization_codes', row.id);
      return token;
    }
    case 'client_credentials': {
      if (params.authenticated_userid !== undefined && conf.provision_key !== params.provision_key) {
        return fail('invalid_provision_key', 'Invalid provision_key');
      }
      if (!client) return fail('invalid_client', 'Invalid client authentication');
      const scoped = retrieveScope(params, conf);
      if ('error' in scoped) return scoped.error;
      return generateToken(conf, serviceId, client, params.authenticated_userid, scoped.scope, params.state, true);
    }
    case 'password': {
      if (conf.provision_key !== params.provision_key) return fail('invalid_provision_key', 'Invalid provision_key');
      if (typeof params.authenticated_userid !== 'string' || params.authenticated_userid.trim() === '') {
        return fail('invalid_authenticated_userid', 'Missing authenticated_userid parameter');
      }
      const scoped = retrieveScope(params, conf);
      if ('error' in scoped) return scoped.error;
      return generateToken(conf, serviceId, client!, params.authenticated_userid, scoped.scope, params.state);
    }
    default: {
      const refresh = str(params.refresh_token);
      const token = refresh ? await store.select('oauth2_tokens', 'refresh_token', refresh) : null;
      const tokenService = (token?.service as { id: string } | null)?.id ?? null;
      if (!token || (scopedService && scopedService !== tokenService)) return fail('invalid_request', 'Invalid refresh_token');
      if ((token.credential as { id: string }).id !== client!.id) return fail('invalid_client', 'Invalid client authentication');
      if (typeof token.scope === 'string') {
        for (const s of token.scope.split(/\s+/).filter(Boolean)) {
          if (!(conf.scopes ?? []).includes(s)) return fail('invalid_scope', 'Scope mismatch');
        }
      }
      const issued = await generateToken(conf, serviceId, client!, token.authenticated_userid, token.scope as string | null, params.state, false, token);
      if (!conf.reuse_refresh_token) await store.delete('oauth2_tokens', token.id);
      return issued;
    }
  }
}

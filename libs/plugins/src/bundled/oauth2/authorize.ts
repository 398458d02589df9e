// POST .../oauth2/authorize: the authorization server (which has authenticated the end user) asks for a code
// or, with the implicit grant, a token; the answer is the redirect_uri to send the user to.
import type { Row } from '@tollgate/declarative/snapshot';
import { randomKey } from '@tollgate/schema';
import { entityStore } from '../../store';
import type { PluginContext } from '../../types';
import { fail, type OAuth2Conf } from './conf';
import { checkHttps, NO_STORE, requestParams, str } from './params';
import { generateToken, requiresPkce, retrieveChallenge, retrieveScope } from './tokens';

export async function authorize(kong: PluginContext, conf: OAuth2Conf): Promise<void> {
  const params = await requestParams(kong);
  const state = params.state;
  let response: Record<string, unknown> = {};
  let redirectUri: string | undefined;
  let implicit = false;
  const https = checkHttps(kong, conf.accept_http_if_already_terminated);
  if (!https.ok) {
    response = fail('access_denied', https.message ?? 'You must use HTTPS');
  } else if (conf.provision_key !== params.provision_key) {
    response = fail('invalid_provision_key', 'Invalid provision_key');
  } else if (typeof params.authenticated_userid !== 'string' || params.authenticated_userid.trim() === '') {
    response = fail('invalid_authenticated_userid', 'Missing authenticated_userid parameter');
  } else {
    const responseType = params.response_type;
    if (!((responseType === 'code' && conf.enable_authorization_code) || (responseType === 'token' && conf.enable_implicit_grant))) {
      response = fail('unsupported_response_type', 'Invalid response_type');
    }
    const scoped = retrieveScope(params, conf);
    if ('error' in scoped) response = scoped.error;
    const clientId = str(params.client_id);
    const client: Row | undefined = clientId ? kong.entities.oauth2.get(clientId) : undefined;
    const allowed = (client?.redirect_uris as string[] | null | undefined) ?? undefined;
    if (!client || !allowed) {
      response = fail('invalid_client', 'Invalid client authentication');
    } else {
      redirectUri = str(params.redirect_uri) ?? allowed[0];
      if (!allowed.includes(redirectUri)) {
        response = fail('invalid_request', 'Invalid redirect_uri that does not match with any redirect_uri created with the application');
        redirectUri = allowed[0];
      }
    }
    const pkce = retrieveChallenge(params);
    if (pkce.error) response = fail('invalid_request', pkce.error);
    else if (client && !pkce.challenge && requiresPkce(conf, client)) {
      response = fail('invalid_request', `code_challenge is required for ${client.client_type as string} clients`);
    }
    if (response.error === undefined && client) {
      const serviceId = conf.global_credentials ? null : kong.service?.id ?? null;
      const userId = params.authenticated_userid;
      const scope = 'scope' in scoped ? scoped.scope : undefined;
      if (responseType === 'code') {
        const code = await entityStore().insert('oauth2_authorization_codes', {
          service: serviceId ? { id: serviceId } : null,
          credential: { id: client.id },
          code: randomKey(),
          authenticated_userid: userId,
          scope: scope ?? null,
          challenge: pkce.challenge ?? null,
          challenge_method: pkce.challenge ? pkce.method : null,
          plugin: { id: conf.pluginId },
          ttl: 300,
        });
        response = { code: code.code };
      } else {
        response = { ...(await generateToken(conf, kong.service?.id ?? null, client, userId, scope, state, true)) };
        implicit = true;
      }
    }
  }
  if (state !== undefined) response.state = state;
  else delete response.state;
  const status = response.error !== undefined ? 400 : 200;
  const body = redirectUri ? { redirect_uri: withParams(redirectUri, response, implicit) } : response;
  kong.response.exit(status, body, NO_STORE);
}

/** The redirect URI with the answer merged into its query (or fragment, for the implicit grant), keys sorted. */
function withParams(uri: string, params: Record<string, unknown>, inFragment: boolean): string {
  const hash = uri.indexOf('#');
  const base = hash === -1 ? uri : uri.slice(0, hash);
  const fragment = hash === -1 ? '' : uri.slice(hash + 1);
  const q = base.indexOf('?');
  const path = q === -1 ? base : base.slice(0, q);
  const query = q === -1 ? '' : base.slice(q + 1);
  const merged = new Map<string, string>();
  for (const [k, v] of new URLSearchParams(inFragment ? fragment : query)) merged.set(k, v);
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null) merged.set(k, String(v));
  const encoded = [...merged.keys()].sort().map((k) => `${encodeURIComponent(k)}=${encodeURIComponent(merged.get(k)!)}`).join('&');
  if (inFragment) return `${base}#${encoded}`;
  return `${path}?${encoded}${hash === -1 ? '' : `#${fragment}`}`;
}

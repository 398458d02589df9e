// oauth2: Kong's OAuth 2.0 provider. The token and authorize endpoints are served on the proxy under any route
// the plugin runs on (a path ending in /oauth2/token or /oauth2/authorize); other requests need a token.
import { alreadyAuthenticated, authenticateAnonymous } from '../../auth/consumer-headers';
import { StoreUnavailableError } from '../../store';
import type { PluginContext, PluginHandler } from '../../types';
import { KONG_VERSION } from '../common';
import { authenticateToken, setTokenHeaders, type AuthFailure } from './authenticate';
import { authorize } from './authorize';
import type { OAuth2Conf } from './conf';
import { bearerChallenge } from './params';
import { issueToken } from './token-endpoint';

const endsWith = (path: string, suffix: string) => path.endsWith(suffix) || path.endsWith(`${suffix}/`);

export const handler: PluginHandler<OAuth2Conf> = {
  name: 'oauth2',
  priority: 1400,
  version: KONG_VERSION,
  prepare: (config, env) => ({ ...(config as unknown as OAuth2Conf), pluginId: env.pluginId }),
  async access(kong, conf) {
    try {
      await run(kong, conf);
    } catch (err) {
      // the data plane could not reach the token store: Kong's 500 for a database error
      kong.log.error(err instanceof StoreUnavailableError ? err.message : `oauth2: ${(err as Error).message}`);
      if (!kong.response.exited) kong.response.error(500, 'An unexpected error occurred');
    }
  },
};

async function run(kong: PluginContext, conf: OAuth2Conf): Promise<void> {
  const path = kong.request.rawPath;
  if (endsWith(path, '/oauth2/token')) {
    if (kong.request.method !== 'POST') return invalidMethod(kong, conf, 'token');
    return issueToken(kong, conf);
  }
  if (endsWith(path, '/oauth2/authorize')) {
    if (kong.request.method !== 'POST') return invalidMethod(kong, conf, 'authorization');
    return authorize(kong, conf);
  }
  if (conf.anonymous) {
    if (alreadyAuthenticated(kong, conf.anonymous)) return setTokenHeaders(kong, null);
    const result = await authenticateToken(kong, conf);
    if ('status' in result && 'body' in result && authenticateAnonymous(kong, conf.anonymous)) setTokenHeaders(kong, null);
    return;
  }
  const result = await authenticateToken(kong, conf);
  if ('status' in result && 'body' in result) { const f = result as AuthFailure; kong.response.exit(f.status, f.body, f.headers); }
}

function invalidMethod(kong: PluginContext, conf: OAuth2Conf, endpoint: string): void {
  const description = `The HTTP method ${kong.request.method} is invalid for the ${endpoint} endpoint`;
  kong.response.exit(405, { error: 'invalid_method', error_description: description }, { 'www-authenticate': bearerChallenge(conf.realm, 'invalid_method', description) });
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Settings } from '@tollgate/config';
import { ApiKeyCheck } from './api-key';
import { CidrAllowList } from './cidr-allow-list';
import { isDocsPath } from './route-catalog';
import { sendJson } from './send-json';

type Next = (err?: unknown) => void;

/** Header clients send with `admin_api_key` (the name Kong's Admin API uses for admin tokens). */
export const ADMIN_TOKEN_HEADER = 'kong-admin-token';

/**
 * First middleware of the Admin API: it runs before CORS, body parsing and routing, so an untrusted client
 * never reaches a handler (not even a 404). Mutual TLS is enforced earlier still, in the TLS handshake.
 */
export function accessControlMiddleware(settings: Pick<Settings, 'admin_access_allow' | 'admin_api_key'>) {
  const allowList = new CidrAllowList(settings.admin_access_allow ?? []);
  const apiKey = settings.admin_api_key ? new ApiKeyCheck(settings.admin_api_key) : null;
  return function accessControl(req: IncomingMessage, res: ServerResponse, next: Next): void {
    if (!allowList.allows(req.socket?.remoteAddress)) {
      sendJson(req, res, 403, { message: 'Forbidden' });
      return;
    }
    if (apiKey && !exemptFromApiKey(req) && !apiKey.matches(req.headers[ADMIN_TOKEN_HEADER])) {
      sendJson(req, res, 401, { message: 'Unauthorized' });
      return;
    }
    next();
  };
}

/**
 * Browsers send CORS preflights without custom headers, and cannot add a header when opening /docs;
 * neither carries data. Everything else, /docs-json included, needs the token.
 */
function exemptFromApiKey(req: IncomingMessage): boolean {
  const method = req.method ?? 'GET';
  if (method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined) return true;
  if (method !== 'GET' && method !== 'HEAD') return false;
  const path = (req.url ?? '/').split('?')[0];
  return isDocsPath(path) && !path.startsWith('/docs-');
}

import { createHash } from 'node:crypto';
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
    if (apiKey && !exemptFromApiKey(req)) {
      if (!apiKey.matches(req.headers[ADMIN_TOKEN_HEADER])) {
        sendJson(req, res, 401, { message: 'Unauthorized' });
        return;
      }
      (req as KeyedRequest)[KEY_CHECKED] = true;
    }
    next();
  };
}

/** Who sent an Admin API request, as config releases record it (`source` of a release made by its writes). */
export interface AdminIdentity {
  readonly type: 'admin';
  readonly client_ip: string | null;
  /** The admin_api_key presented and checked, named by its hash; null without admin_api_key. */
  readonly api_key: string | null;
}

const KEY_CHECKED = Symbol('tollgate.adminKeyChecked');
const IDENTITY = Symbol('tollgate.adminIdentity');
type KeyedRequest = { [KEY_CHECKED]?: true; [IDENTITY]?: AdminIdentity };

/** Names a key without revealing it: its SHA-256, shortened. */
export function apiKeyId(key: string): string {
  return `sha256:${createHash('sha256').update(key, 'utf8').digest('hex').slice(0, 12)}`;
}

/**
 * The identity of the client that sent `req`: built when a handler first asks (only writes do), then kept on the
 * request, so reads pay nothing for it.
 */
export function adminIdentityOf(req: Pick<IncomingMessage, 'socket' | 'headers'>): AdminIdentity {
  const keyed = req as KeyedRequest;
  const known = keyed[IDENTITY];
  if (known) return known;
  const presented = req.headers[ADMIN_TOKEN_HEADER];
  const identity: AdminIdentity = {
    type: 'admin',
    client_ip: req.socket?.remoteAddress ?? null,
    api_key: keyed[KEY_CHECKED] && typeof presented === 'string' ? apiKeyId(presented) : null,
  };
  keyed[IDENTITY] = identity;
  return identity;
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

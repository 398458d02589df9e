import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Settings } from '@tollgate/config';
import type { RouteCatalog } from './route-catalog';
import { sendJson } from './send-json';

type Next = (err?: unknown) => void;

/** Kong's admin_gui_origin: scheme://authority of admin_gui_url, its path dropped (null when unset). */
export function adminGuiOrigin(url: string | null): string | null {
  const match = url === null ? null : /^(https?):\/\/([^/?#]+)/i.exec(url);
  return match ? `${match[1]}://${match[2]}` : null;
}

/**
 * Kong's Admin API CORS: every response allows credentials and names the origin of `admin_gui_url` when it is
 * set, else echoes the Origin (or `*`), so browser GUIs written for Kong work. OPTIONS on any known route is
 * answered here with 204 and the route's methods.
 */
export function corsMiddleware(catalog: RouteCatalog, settings: Pick<Settings, 'admin_gui_url'>) {
  const guiOrigin = adminGuiOrigin(settings.admin_gui_url);
  return function cors(req: IncomingMessage, res: ServerResponse, next: Next): void {
    const origin = req.headers.origin;
    res.setHeader('Access-Control-Allow-Origin', guiOrigin ?? (typeof origin === 'string' && origin !== '' ? origin : '*'));
    res.setHeader('Access-Control-Allow-Credentials', 'true');
    if (req.method !== 'OPTIONS') {
      next();
      return;
    }
    const methods = catalog.allowedMethods((req.url ?? '/').split('?')[0]);
    if (!methods) {
      sendJson(req, res, 404, { message: 'Not found' });
      return;
    }
    const allow = methods.join(', ');
    const requested = req.headers['access-control-request-headers'];
    res.statusCode = 204;
    res.setHeader('Allow', allow);
    res.setHeader('Access-Control-Allow-Methods', allow);
    res.setHeader('Access-Control-Allow-Headers', typeof requested === 'string' && requested !== '' ? requested : 'Content-Type');
    res.end();
  };
}

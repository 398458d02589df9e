import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Settings } from '@tollgate/config';
import type { RouteCatalog } from './route-catalog';
import { sendJson } from './send-json';

type Next = (err?: unknown) => void;

/** Kong's admin_gui_origin: scheme://authority of each admin_gui_url, paths dropped (empty when unset). */
export function adminGuiOrigins(urls: readonly string[]): string[] {
  return urls.flatMap((url) => {
    const match = /^(https?):\/\/([^/?#]+)/i.exec(url);
    return match ? [`${match[1]}://${match[2]}`] : [];
  });
}

/**
 * The Access-Control-Allow-Origin of an answer, as Kong 3.9+ picks it: the request Origin when it is one of the
 * GUI origins, else the first of them; with no GUI origins, the request Origin or `*`.
 */
export function allowedOrigin(guiOrigins: readonly string[], origin: string | undefined): string {
  if (guiOrigins.length === 0) return origin || '*';
  return origin !== undefined && guiOrigins.includes(origin) ? origin : guiOrigins[0];
}

/**
 * Kong's Admin API CORS: every response allows credentials and names an origin (allowedOrigin), so browser GUIs
 * written for Kong work. OPTIONS on any known route is answered here with 204 and the route's methods.
 */
export function corsMiddleware(catalog: RouteCatalog, settings: Pick<Settings, 'admin_gui_url'>) {
  const guiOrigins = adminGuiOrigins(settings.admin_gui_url);
  // the answer depends on Origin unless one fixed GUI origin is named to everyone: shared caches must know
  const varies = guiOrigins.length !== 1;
  return function cors(req: IncomingMessage, res: ServerResponse, next: Next): void {
    const origin = req.headers.origin;
    res.setHeader('Access-Control-Allow-Origin', allowedOrigin(guiOrigins, typeof origin === 'string' ? origin : undefined));
    if (varies) res.setHeader('Vary', 'Origin');
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

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RouteCatalog } from './route-catalog';
import { sendJson } from './send-json';

type Next = (err?: unknown) => void;

/**
 * Kong's Admin API CORS: every response echoes the Origin (or `*`) and allows credentials, so browser GUIs
 * written for Kong work. OPTIONS on any known route is answered here with 204 and the route's methods.
 */
export function corsMiddleware(catalog: RouteCatalog) {
  return function cors(req: IncomingMessage, res: ServerResponse, next: Next): void {
    const origin = req.headers.origin;
    res.setHeader('Access-Control-Allow-Origin', typeof origin === 'string' && origin !== '' ? origin : '*');
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

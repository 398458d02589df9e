// The DB-less overlay on the Admin API, one express layer placed after access control and CORS and before body
// decoding (a YAML `POST /config` body is not something the generic body reader accepts):
//   POST /config, GET /config   (kong-admin-api.md §8.2, §8.3)
//   entity writes               405 code 12 (§3.5)
// Everything else falls through to the Nest routes, which read the in-memory store. Installed through
// startControlPlane's `beforeRoutes`; `/config` itself is also a Nest route, so the catalog lists it.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { exportDeclarative } from '@tollgate/declarative';
import { KongError } from '@tollgate/errors';
import type { SnapshotService } from '../cluster/snapshot.service';
import { decodeConfigRequest } from './config-request';
import { entityMap, type DblessConfig } from './dbless-config';
import type { DblessWriteGuard } from './write-guard';

export interface DblessLayerDeps {
  readonly config: DblessConfig;
  readonly guard: DblessWriteGuard;
  readonly snapshots: SnapshotService;
  readonly maxBodySize: number;
  readonly onError: (err: unknown) => void;
}

type Next = (err?: unknown) => void;

/** Kong's bodies for the load outcomes that carry no config (§8.2). */
const REFUSALS = {
  413: { message: 'Configuration does not fit in LMDB database, consider raising the "lmdb_map_size" config for Kong' },
  429: { message: 'Currently loading previous configuration' },
  503: { message: 'Kong currently exiting' },
  504: { message: 'Timed out while loading configuration' },
} as const;

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (body === undefined) {
    res.writeHead(status, headers);
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(Buffer.byteLength(text)), ...headers });
  res.end(res.req?.method === 'HEAD' ? undefined : text);
}

function sendKong(res: ServerResponse, error: KongError): void {
  send(res, error.status, error.body ?? undefined);
}

export function dblessLayer(deps: DblessLayerDeps) {
  const postConfig = async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    const decoded = await decodeConfigRequest(req, url, deps.maxBodySize);
    if (!decoded.ok) return sendKong(res, decoded.error);
    const outcome = await deps.config.load(decoded.input, decoded.options);
    switch (outcome.status) {
      case 201: return send(res, 201, entityMap(outcome.snapshot));
      case 304: return send(res, 304, undefined);
      case 400: return send(res, 400, outcome.body);
      case 429: return send(res, 429, REFUSALS[429], { 'Retry-After': '60' });
      default: return send(res, outcome.status, REFUSALS[outcome.status]);
    }
  };

  const getConfig = (res: ServerResponse) =>
    send(res, 200, { config: exportDeclarative(deps.snapshots.current().config, { format: 'yaml', includeNulls: true }) });

  return function dbless(req: IncomingMessage, res: ServerResponse, next: Next): void {
    const url = new URL(req.url ?? '/', 'http://admin');
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
    const method = req.method ?? 'GET';
    let work: Promise<void> | void;
    if (path === '/config' && method === 'POST') work = postConfig(req, res, url);
    else if (path === '/config' && (method === 'GET' || method === 'HEAD')) work = getConfig(res);
    else {
      const refused = deps.guard.check(method, path);
      if (!refused) return next();
      return sendKong(res, refused);
    }
    Promise.resolve(work).catch((err) => {
      if (err instanceof KongError) return sendKong(res, err);
      deps.onError(err);
      if (!res.headersSent) send(res, 500, { message: 'An unexpected error occurred' });
      else res.end();
    });
  };
}

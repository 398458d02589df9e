// GET /v1/config: the long poll. Answers at once when the control plane has a config the data plane lacks,
// else holds the request until a change commits (bounded; 304 when nothing changed). Every pull refreshes the
// data plane's row in the registry; an incompatible data plane gets 409 and a message it logs.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { configHash32, EMPTY_CONFIG_HASH32, type VersionedSnapshot } from '@tollgate/declarative';
import { CONFIG_PATH, NODE_VERSION, type IncompatibleBody, type SyncStatus } from '../../../proxy/src/provider/remote/protocol';
import { checkPlugins, checkVersion } from './compat';
import type { DataPlaneRegistry } from './data-plane-registry';
import { pickEncoding, type PayloadCache } from './payload-cache';
import { parsePull } from './pull-request';

/** What the endpoint needs from the control plane's SnapshotService. */
export interface SnapshotFeed {
  current(): VersionedSnapshot;
  waitForNewer(hash: string, timeoutMs: number): Promise<VersionedSnapshot | null>;
}

export interface ConfigEndpointDeps {
  readonly snapshots: SnapshotFeed;
  readonly cache: PayloadCache;
  readonly registry: DataPlaneRegistry;
  readonly maxPayload: number;
  /** Plugins shipped with this release (what a data plane's `bundled` stands for). */
  readonly bundledPlugins: ReadonlySet<string>;
  readonly cpVersion?: string;
  readonly log: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function certExpiry(req: IncomingMessage): number | null {
  const cert = (req.socket as TLSSocket).getPeerCertificate?.();
  return cert?.valid_to ? Math.floor(Date.parse(cert.valid_to) / 1000) : null;
}

/** Resolves when the client goes away, so a held request stops waiting for nobody. */
function clientGone(res: ServerResponse): Promise<null> {
  return new Promise((resolve) => res.once('close', () => resolve(null)));
}

export function configEndpoint(deps: ConfigEndpointDeps) {
  const cpVersion = deps.cpVersion ?? NODE_VERSION;

  const refuse = (res: ServerResponse, id: string, status: SyncStatus, message: string, nodeVersion: string) => {
    deps.registry.setStatus(id, status);
    deps.log.warn({ node_id: id, node_version: nodeVersion, sync_status: status }, message);
    const body: IncompatibleBody = { message, sync_status: status };
    sendJson(res, 409, body);
  };

  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'https://cluster');
    if (url.pathname !== CONFIG_PATH) return sendJson(res, 404, { message: 'Not found' });
    if (req.method !== 'GET') return sendJson(res, 405, { message: 'Method not allowed' });
    const parsed = parsePull(url.searchParams);
    if (!parsed.ok) return sendJson(res, 400, { message: parsed.message });
    const q = parsed.query;
    const previous = deps.registry.get(q.node_id);
    deps.registry.report({
      id: q.node_id,
      ip: req.socket.remoteAddress ?? '',
      hostname: q.node_hostname,
      version: q.node_version,
      sync_status: previous?.sync_status ?? 'unknown',
      config_hash: q.config_hash ? configHash32(q.config_hash) : EMPTY_CONFIG_HASH32,
      labels: q.labels,
      cert_details: { expiry_timestamp: certExpiry(req) },
    });

    const version = checkVersion(q.node_version, cpVersion);
    if (!version.ok) return refuse(res, q.node_id, version.status, version.message, q.node_version);

    deps.cache.advance(deps.snapshots.current());
    let next: VersionedSnapshot | null = deps.snapshots.current();
    if (next.hash === q.config_hash) {
      next = await Promise.race([deps.snapshots.waitForNewer(q.config_hash, q.wait), clientGone(res)]);
      if (res.destroyed || res.writableEnded) return;
      if (!next) {
        deps.registry.setStatus(q.node_id, 'normal');
        res.writeHead(304);
        res.end();
        return;
      }
      deps.cache.advance(next);
    }

    // Checked against the config about to be sent: a data plane lacking a plugin keeps what it has.
    const plugins = checkPlugins(deps.cache.configuredPlugins(), q.plugins, deps.bundledPlugins, cpVersion);
    if (!plugins.ok) return refuse(res, q.node_id, plugins.status, plugins.message, q.node_version);

    const payload = await deps.cache.payloadFor(q.config_hash, pickEncoding(req.headers['accept-encoding'] as string | undefined));
    if (res.destroyed) return;
    if (payload.body.length > deps.maxPayload) {
      const message = `configuration payload of ${payload.body.length} bytes exceeds cluster_max_payload (${deps.maxPayload} bytes)`;
      deps.log.error({ node_id: q.node_id }, message);
      return sendJson(res, 413, { message });
    }
    deps.registry.setStatus(q.node_id, 'normal');
    const headers: Record<string, string | number> = {
      'content-type': 'application/json',
      'content-length': payload.body.length,
      'x-tollgate-config-hash': payload.snapshot.hash,
      'x-tollgate-config-version': payload.snapshot.version,
      'x-tollgate-payload': payload.type,
    };
    if (payload.encoding !== 'identity') headers['content-encoding'] = payload.encoding;
    res.writeHead(200, headers);
    res.end(payload.body);
  };
}

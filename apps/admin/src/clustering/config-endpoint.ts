// GET /v1/config: the long poll. Answers at once when the control plane has a config the data plane lacks,
// else holds the request until a change commits (bounded; 304 when nothing changed). Every pull refreshes the
// data plane's row in the registry; an incompatible data plane gets 409 and a message it logs.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { configHash32, EMPTY_CONFIG_HASH32, type VersionedSnapshot } from '@tollgate/declarative';
import { CONFIG_PATH, NODE_VERSION, RELEASE_HEADER, type IncompatibleBody, type SyncStatus } from '@tollgate/protocol';
import type { PinnedRelease } from '../cluster/rollouts/rollout-pins';
import { checkPlugins, checkVersion, configuredPlugins } from './compat';
import type { DataPlaneRegistry } from './data-plane-registry';
import { encodeFull, pickEncoding, type EncodedPayload, type PayloadCache } from './payload-cache';
import { parsePull } from './pull-request';

/** What the endpoint needs from the control plane's SnapshotService. */
export interface SnapshotFeed {
  current(): VersionedSnapshot;
  waitForNewer(hash: string, timeoutMs: number): Promise<VersionedSnapshot | null>;
}

export interface RolloutPinsFeed {
  pinFor(labels: Readonly<Record<string, string>>): Promise<PinnedRelease | null>;
  /** Resolves on a rollout change, or after `ms`. */
  changed(ms: number): Promise<void>;
  /** The release a configuration hash is, when it is recorded already (sent along, kept in the data plane's cache). */
  releaseOf(hash: string): Promise<number | null>;
}

/** A pinned data plane holding its release re-checks this often whether the rollout reached it (any control plane). */
export const PIN_RECHECK_MS = 1000;

export interface ConfigEndpointDeps {
  readonly snapshots: SnapshotFeed;
  readonly cache: PayloadCache;
  readonly registry: DataPlaneRegistry;
  readonly maxPayload: number;
  /** Plugins shipped with this release (what a data plane's `bundled` stands for). */
  readonly bundledPlugins: ReadonlySet<string>;
  readonly cpVersion?: string;
  /** While a rollout is open: the release a data plane not yet reached must serve (cluster/rollouts). */
  readonly pins?: RolloutPinsFeed;
  readonly log: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Per connection: getPeerCertificate() decodes the whole certificate, and a connection carries many pulls. */
const expiries = new WeakMap<object, number | null>();

function certExpiry(req: IncomingMessage): number | null {
  const socket = req.socket as TLSSocket;
  let expiry = expiries.get(socket);
  if (expiry === undefined) {
    const cert = socket.getPeerCertificate?.();
    expiry = cert?.valid_to ? Math.floor(Date.parse(cert.valid_to) / 1000) : null;
    expiries.set(socket, expiry);
  }
  return expiry;
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

  const pinned = new Map<string, Promise<EncodedPayload>>();
  /** A pinned release is sent whole (its data planes are few and it changes once per rollout); encoded once. */
  const pinnedPayload = (pin: PinnedRelease, encoding: ReturnType<typeof pickEncoding>): Promise<EncodedPayload> => {
    const key = `${pin.snapshot.hash}:${encoding}`;
    let entry = pinned.get(key);
    if (!entry) {
      if (pinned.size > 8) pinned.clear();
      entry = encodeFull(pin.snapshot, encoding);
      pinned.set(key, entry);
    }
    return entry;
  };

  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const notModified = async (id: string, hash: string) => {
      deps.registry.setStatus(id, 'normal');
      // a release recorded after its configuration was sent reaches the data plane's cache this way
      const release = hash && deps.pins ? await deps.pins.releaseOf(hash) : null;
      if (res.destroyed) return;
      res.writeHead(304, release !== null ? { [RELEASE_HEADER]: release } : {});
      res.end();
    };
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
      release_stats: q.release_stats,
      cert_details: { expiry_timestamp: certExpiry(req) },
    });

    const version = checkVersion(q.node_version, cpVersion);
    if (!version.ok) return refuse(res, q.node_id, version.status, version.message, q.node_version);

    const deadline = Date.now() + q.wait;
    let payload: EncodedPayload;
    let release: number | null = null;
    for (;;) {
      const pin = deps.pins ? await deps.pins.pinFor(q.labels) : null;
      if (res.destroyed) return;
      if (pin) {
        if (pin.snapshot.hash !== q.config_hash) {
          const plugins = checkPlugins(configuredPlugins(pin.snapshot.config.plugins as ReadonlyArray<{ name?: unknown }> | undefined), q.plugins, deps.bundledPlugins, cpVersion);
          if (!plugins.ok) return refuse(res, q.node_id, plugins.status, plugins.message, q.node_version);
          payload = await pinnedPayload(pin, pickEncoding(req.headers['accept-encoding'] as string | undefined));
          release = pin.number;
          break;
        }
        const left = deadline - Date.now();
        if (left <= 0) return notModified(q.node_id, q.config_hash);
        await Promise.race([deps.pins!.changed(Math.min(left, PIN_RECHECK_MS)), clientGone(res)]);
        if (res.destroyed || res.writableEnded) return;
        continue;
      }
      deps.cache.advance(deps.snapshots.current());
      let next: VersionedSnapshot | null = deps.snapshots.current();
      if (next.hash === q.config_hash) {
        next = await Promise.race([deps.snapshots.waitForNewer(q.config_hash, Math.max(0, deadline - Date.now())), clientGone(res)]);
        if (res.destroyed || res.writableEnded) return;
        if (!next) return notModified(q.node_id, q.config_hash);
        deps.cache.advance(next);
        // a rollout may have opened meanwhile: the new version is for the stages it reached only
        if (deps.pins) continue;
      }

      // Checked against the config about to be sent: a data plane lacking a plugin keeps what it has.
      const plugins = checkPlugins(deps.cache.configuredPlugins(), q.plugins, deps.bundledPlugins, cpVersion);
      if (!plugins.ok) return refuse(res, q.node_id, plugins.status, plugins.message, q.node_version);
      payload = await deps.cache.payloadFor(q.config_hash, pickEncoding(req.headers['accept-encoding'] as string | undefined));
      release = deps.pins ? await deps.pins.releaseOf(payload.snapshot.hash) : null;
      break;
    }
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
    if (release !== null) headers[RELEASE_HEADER] = release;
    res.writeHead(200, headers);
    res.end(payload.body);
  };
}

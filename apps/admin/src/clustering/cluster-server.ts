// The control plane's cluster listener (`cluster_listen`, default 0.0.0.0:8005): plain node https with mutual
// TLS, serving the config long poll to data planes. Not part of the NestJS app: it is a separate port with its
// own trust rules, and a held request must cost no more than a socket and a timer.
import { createServer, type Server } from 'node:https';
import type { ServerResponse } from 'node:http';
import { enforceClientTimeouts, HTTP_VERSION_NOT_SUPPORTED, PLAIN_MESSAGES, unsupportedHttpVersion } from '@tollgate/errors';
import type { AddressInfo, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { ListenEntry, Settings } from '@tollgate/config';
import { clusterServerTls } from './cluster-tls';
import { configEndpoint, type RolloutPinsFeed, type SnapshotFeed } from './config-endpoint';
import { DataPlaneRegistry } from './data-plane-registry';
import { PayloadCache } from './payload-cache';

export interface ClusterLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface ClusterServerOptions {
  readonly snapshots: SnapshotFeed & {
    subscribe(listener: (s: import('@tollgate/declarative').VersionedSnapshot, origin?: { readonly base_hash: string; readonly delta: import('@tollgate/declarative').SnapshotDelta }) => void): () => void;
  };
  readonly registry?: DataPlaneRegistry;
  /** The rollout state (cluster/rollouts): which data planes stay pinned at a release. */
  readonly pins?: RolloutPinsFeed;
  readonly logger: ClusterLogger;
  readonly bundledPlugins?: ReadonlySet<string>;
  /** Overrides the release this control plane reports (tests of the compatibility rules). */
  readonly cpVersion?: string;
}

export interface ClusterListener {
  readonly key: 'cluster_listen';
  readonly listener: string;
  readonly address: string;
  readonly port: number;
}

export interface ClusterServerHandle {
  readonly listeners: ClusterListener[];
  readonly registry: DataPlaneRegistry;
  /** A reload changed cluster_listen: kept entries stay as they are (held long polls too), removed ones close,
   *  new ones open with the TLS settings of the start (cluster_cert and friends need a restart). */
  reopenListeners(next: Pick<Settings, 'cluster_listeners'>): Promise<void>;
  close(): Promise<void>;
}

export type ClusterServerSettings = Pick<
  Settings,
  'prefix' | 'cluster_mtls' | 'cluster_cert' | 'cluster_cert_key' | 'cluster_ca_cert' | 'cluster_listeners' | 'cluster_max_payload' | 'cluster_data_plane_purge_delay'
> & Partial<Pick<Settings, 'client_body_timeout' | 'send_timeout'>>;

export async function startClusterServer(settings: ClusterServerSettings, opts: ClusterServerOptions): Promise<ClusterServerHandle> {
  const tls = clusterServerTls(settings);
  const registry = opts.registry ?? new DataPlaneRegistry(settings.cluster_data_plane_purge_delay);
  const cache = new PayloadCache();
  cache.advance(opts.snapshots.current());
  const unsubscribe = opts.snapshots.subscribe((s, origin) => cache.advance(s, origin));
  const handle = configEndpoint({
    snapshots: opts.snapshots,
    cache,
    registry,
    maxPayload: settings.cluster_max_payload,
    bundledPlugins: opts.bundledPlugins ?? new Set(),
    cpVersion: opts.cpVersion,
    pins: opts.pins,
    log: opts.logger,
  });

  const open: Array<{ server: Server; listener: ClusterListener }> = [];
  const listeners: ClusterListener[] = [];
  const shut = (server: Server) => new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); });
  const close = async () => {
    unsubscribe();
    await Promise.all(open.map(({ server }) => shut(server)));
  };
  const openOne = async (entry: ListenEntry) => {
    const server = createServer(tls.options, (req, res) => {
      if (unsupportedHttpVersion(req)) return reply(res, HTTP_VERSION_NOT_SUPPORTED.status, HTTP_VERSION_NOT_SUPPORTED.message);
      handle(req, res).catch((err) => {
        opts.logger.error({ err: (err as Error)?.stack ?? String(err) }, 'cluster request failed');
        if (!res.headersSent) reply(res, 500, PLAIN_MESSAGES.UNEXPECTED);
        else res.destroy();
      });
    });
    enforceClientTimeouts(server, { bodyMs: settings.client_body_timeout ?? 0, sendMs: settings.send_timeout ?? 0 });
    if (tls.requiredFingerprint) {
      const required = tls.requiredFingerprint;
      // shared mode: chaining to cluster_cert is not enough, it must BE cluster_cert (Kong's digest check)
      server.on('secureConnection', (socket: TLSSocket) => {
        if (socket.getPeerCertificate().fingerprint256 !== required) {
          opts.logger.warn({ ip: socket.remoteAddress }, 'data plane presented incorrect client certificate during handshake (digest does not match the control plane certificate)');
          socket.destroy();
        }
      });
    }
    server.on('tlsClientError', (err: Error, socket: Socket) => {
      opts.logger.warn({ ip: socket.remoteAddress, err: err.message }, 'cluster connection refused during the TLS handshake');
    });
    server.keepAliveTimeout = 65_000;
    server.headersTimeout = 70_000;
    server.requestTimeout = 0; // held requests last up to MAX_HOLD_MS; the hold itself is the bound
    await listen(server, entry);
    const addr = server.address() as AddressInfo;
    open.push({ server, listener: { key: 'cluster_listen', listener: entry.listener, address: addr.address, port: addr.port } });
    opts.logger.info({ listener: entry.listener }, 'cluster listener open');
  };
  const publish = () => listeners.splice(0, listeners.length, ...open.map((o) => o.listener));
  try {
    for (const entry of settings.cluster_listeners) await openOne(entry);
  } catch (err) {
    await close();
    throw err;
  }
  publish();
  const reopenListeners = async (next: Pick<Settings, 'cluster_listeners'>) => {
    const wanted = new Set(next.cluster_listeners.map((e) => e.listener));
    const removed = open.filter((o) => !wanted.has(o.listener.listener));
    // removed first: a new entry may take a removed one's address with other flags. A data plane whose long poll
    // is cut reconnects (to the address it is configured with).
    for (const o of removed) open.splice(open.indexOf(o), 1);
    await Promise.all(removed.map(({ server }) => shut(server)));
    try {
      for (const entry of next.cluster_listeners) {
        if (!open.some((o) => o.listener.listener === entry.listener)) await openOne(entry);
      }
    } finally {
      publish();
    }
  };
  return { listeners, registry, reopenListeners, close };
}

function listen(server: Server, entry: ListenEntry): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(Object.assign(new Error(`cluster_listen: cannot listen on ${entry.listener}: ${err.code === 'EADDRINUSE' ? 'address already in use' : err.message}`), { expected: true })));
    server.listen({ host: entry.ip, port: entry.port, backlog: entry.backlog, ipv6Only: entry.ipv6only }, () => resolve());
  });
}

function reply(res: ServerResponse, status: number, message: string): void {
  const body = JSON.stringify({ message });
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), connection: 'close' });
  res.end(body);
}

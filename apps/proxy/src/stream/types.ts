// The stream (L4) proxy's compiled config and public shapes. Built off the hot path by compileStreamConfig and
// read once per connection: a connection keeps the StreamConfig it started with, so a swap never tears it.
import type { SecureContext } from 'node:tls';
import type { RouteRow, ServiceRow } from '@tollgate/declarative/snapshot';
import type { StreamRouter } from '@tollgate/router/types';
import type { SniTable } from '../compile/types';
import type { UpstreamRuntime } from '../upstream/types';

export interface StreamService {
  readonly row: ServiceRow;
  readonly id: string;
  readonly name: string | null;
  /** 'tls': re-encrypt toward the upstream (proxy_ssl on), with `host` as the server name. */
  readonly tls: boolean;
  readonly host: string;
  readonly port: number;
  /** 1 + service.retries connection attempts in all. */
  readonly tries: number;
  readonly connectTimeout: number;
  readonly readTimeout: number;
  readonly writeTimeout: number;
  /** Set when service.host names an upstream entity; else host:port is connected to directly. */
  readonly upstream: UpstreamRuntime | null;
  readonly rejectUnauthorized: boolean;
  readonly ca: readonly string[] | undefined;
  readonly clientCert: string | undefined;
  readonly clientKey: string | undefined;
}

export interface StreamRoute {
  readonly row: RouteRow;
  readonly id: string;
  readonly name: string | null;
  /** A tls_passthrough route: the TLS bytes are piped untouched. */
  readonly passthrough: boolean;
  /** null: serviceless route (Kong: `no Service found with those values`, status 503). */
  readonly service: StreamService | null;
  /** Pre-built log fragment, so logging a session allocates nothing route-related. */
  readonly logRef: { readonly id: string; readonly name: string | null };
}

export interface StreamConfig {
  readonly hash: string;
  readonly router: StreamRouter;
  /** Stream routes by id (only routes with tcp, tls or tls_passthrough). */
  readonly routes: ReadonlyMap<string, StreamRoute>;
  readonly services: ReadonlyMap<string, StreamService>;
  readonly upstreams: ReadonlyMap<string, UpstreamRuntime>;
  /** Certificates by SNI for TLS termination on `ssl` stream listeners. */
  readonly sni: SniTable;
}

/** Fallback certificate of `ssl` stream listeners (Kong's default stream cert) when no SNI matches. */
export interface DefaultCertificate {
  readonly cert: string;
  readonly key: string;
}

export interface StreamLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
  debug?(obj: object, msg: string): void;
}

export interface StreamAccessLog {
  write(entry: Record<string, unknown>): void;
}

export interface StreamListenerOptions {
  /** The stream config in force; read once per accepted connection. */
  readonly getConfig: () => StreamConfig;
  readonly logger: StreamLog;
  readonly accessLog?: StreamAccessLog | null;
  /** Needed when any listener has `ssl`: the default certificate (ensureDefaultCertificate(prefix, 'stream')). */
  readonly defaultCertificate?: DefaultCertificate | null;
  /** Bound on the PROXY header / ClientHello read (ms). Default 60000, as client_header_timeout. */
  readonly prereadTimeoutMs?: number;
  /** Called with each accepted-socket's secure context lookups; defaults to the config's sni table. */
  readonly findContext?: (config: StreamConfig, serverName: string) => SecureContext | null;
}

export interface BoundStreamListener {
  readonly listener: string;
  readonly address: string;
  readonly port: number;
  readonly ssl: boolean;
  readonly proxyProtocol: boolean;
  readonly transparent: boolean;
}

export interface StreamListeners {
  readonly listeners: readonly BoundStreamListener[];
  /** Active sessions right now (for tests and metrics). */
  activeSessions(): number;
  /** Stops accepting; graceful waits up to timeoutMs for sessions to end, then destroys what is left. */
  close(opts?: { graceful?: boolean; timeoutMs?: number }): Promise<void>;
}

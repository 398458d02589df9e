// The immutable product of compiling one Snapshot. Everything a request needs is precomputed here so the hot
// path only looks things up (DESIGN.md rule 4).
import type { ChainEntry, PluginChains, RouteInfo, ServiceInfo } from '@tollgate/plugins';
import type { SecureContext } from 'node:tls';
import type { RouteRow, ServiceRow } from '@tollgate/declarative/snapshot';
import type { HttpRouter, StreamRouter } from '@tollgate/router/types';
import type { UpstreamRuntime } from '../upstream/types';

/** The service's own host:port when it does not name an upstream (the socket layer resolves names). */
export interface DirectPeer {
  readonly host: string;
  readonly port: number;
  readonly ip: string;
  /** A DNS name (no IP literal): its SRV records, if any, choose the address and port (dns-lookup srvAddress). */
  readonly named: boolean;
}

export interface CompiledService {
  readonly row: ServiceRow;
  readonly id: string;
  readonly protocol: string;
  readonly tls: boolean;
  readonly grpc: boolean;
  readonly host: string;
  readonly port: number;
  readonly path: string | null;
  readonly retries: number;
  readonly connectTimeout: number;
  readonly writeTimeout: number;
  readonly readTimeout: number;
  /** Host header when preserve_host is off and no upstream balancer decides: host[:port]. */
  readonly defaultHostHeader: string;
  /** Set when service.host names an upstream entity. */
  readonly upstream: UpstreamRuntime | null;
  /** Fixed peer when the host is an IP or a plain name (resolved by the socket layer). */
  readonly directPeer: DirectPeer | null;
  /** Pool key of directPeer (the hot path does not rebuild it). */
  readonly poolKey: string;
  /** Upstream TLS options for https/grpcs services. */
  readonly tlsOptions: UpstreamTlsOptions | null;
}

export interface UpstreamTlsOptions {
  readonly rejectUnauthorized: boolean;
  /** tls_verify_depth, enforced on the verified chain (compile/verify-depth.ts). */
  readonly checkServerIdentity?: (host: string, cert: import('node:tls').PeerCertificate) => Error | undefined;
  readonly ca?: string[];
  readonly cert?: string;
  readonly key?: string;
  readonly poolKey: string;
}

export interface CompiledRoute {
  readonly row: RouteRow;
  readonly id: string;
  readonly service: CompiledService | null;
  /** https-only route (protocols include https but not http). */
  readonly httpsOnly: boolean;
  /** A grpc/grpcs route (Kong's schema keeps them apart from http/https). */
  readonly grpc: boolean;
  /** grpcs but not grpc: a gRPC call over plain text is answered, not proxied. */
  readonly grpcsOnly: boolean;
  readonly redirectStatus: number;
  readonly preserveHost: boolean;
  readonly stripPath: boolean;
  /** The route's plugin chain before authentication (priority order; empty = no plugin runs on this route).
   *  After an auth plugin picks a consumer, CompiledConfig.plugins.lookup() gives the consumer's chain. */
  readonly plugins: readonly ChainEntry[];
  /** What plugins see as kong.route / kong.service (built once here, not per request). */
  readonly pluginRoute?: RouteInfo;
  readonly pluginService?: ServiceInfo | null;
}

export interface SniTable {
  readonly size: number;
  find(serverName: string): SecureContext | null;
}

export interface CompiledConfig {
  readonly hash: string;
  readonly version: number;
  readonly router: HttpRouter;
  readonly routes: ReadonlyMap<string, CompiledRoute>;
  readonly services: ReadonlyMap<string, CompiledService>;
  readonly upstreams: ReadonlyMap<string, UpstreamRuntime>;
  /** The same upstreams by name (kong.service.set_upstream). */
  readonly upstreamsByName?: ReadonlyMap<string, UpstreamRuntime>;
  readonly sni: SniTable;
  /** Plugin chains of this snapshot (libs/plugins); absent or null when the snapshot configures no plugin. */
  readonly plugins?: PluginChains | null;
  /** The L4 side of the same snapshot (stream routes and tcp/tls services), sharing upstreams and certificates. */
  readonly stream: StreamConfig;
  readonly compileMs: number;
}

// The L4 side of a snapshot (stream routes, tcp/tls services), read once per stream connection: a connection keeps
// the StreamConfig it started with, so a swap never tears it.
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

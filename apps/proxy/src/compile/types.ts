// The immutable product of compiling one Snapshot. Everything a request needs is precomputed here so the hot
// path only looks things up (DESIGN.md rule 4).
import type { ChainEntry, PluginChains, RouteInfo, ServiceInfo } from '@tollgate/plugins';
import type { SecureContext } from 'node:tls';
import type { RouteRow, ServiceRow } from '@tollgate/declarative/snapshot';
import type { HttpRouter } from '@tollgate/router/types';
import type { UpstreamRuntime } from '../upstream/types';
import type { StreamConfig } from '../stream/types';

/** The service's own host:port when it does not name an upstream (the socket layer resolves names). */
export interface DirectPeer {
  readonly host: string;
  readonly port: number;
  readonly ip: string;
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
  /** https-only route (protocols include https/grpcs but not http/grpc). */
  readonly httpsOnly: boolean;
  readonly grpc: boolean;
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
  readonly sni: SniTable;
  /** Plugin chains of this snapshot (libs/plugins); absent or null when the snapshot configures no plugin. */
  readonly plugins?: PluginChains | null;
  /** The L4 side of the same snapshot (stream routes and tcp/tls services), sharing upstreams and certificates. */
  readonly stream: StreamConfig;
  readonly compileMs: number;
}

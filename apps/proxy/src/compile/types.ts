// The immutable product of compiling one Snapshot. Everything a request needs is precomputed here so the hot
// path only looks things up (DESIGN.md rule 4).
import type { SecureContext } from 'node:tls';
import type { RouteRow, ServiceRow } from '@tollgate/declarative/snapshot';
import type { HttpRouter } from '@tollgate/router/types';
import type { UpstreamRuntime } from '../upstream/types';

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
  /** Per-route plugin chain: empty until the plugins issue. */
  readonly plugins: readonly unknown[];
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
  readonly compileMs: number;
}

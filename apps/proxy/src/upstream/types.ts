// Public shapes of the upstream runtime: what the proxy passes in to pick a peer, and what it gets back.
// Structurally the Snapshot's Row (libs/declarative/src/snapshot.ts); kept local so this folder has no lib dependency.
export type Row = Readonly<Record<string, unknown>> & { readonly id: string };

/** Per-request inputs of the balancer. Keep the same object across the retries of one request. */
export interface BalancerContext {
  readonly clientIp: string;
  /** Lower-case header names; Node's IncomingMessage.headers shape. */
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** The raw `Cookie` request header, if any. */
  readonly cookies?: string | null;
  /** Normalized request path (no query string). */
  readonly path: string;
  /** Raw query string, without the leading `?`. */
  readonly query: string | null;
  readonly captures: Readonly<Record<string, string>> | null;
  readonly consumerId: string | null;
  readonly credentialId: string | null;
  /** Peers already tried by this request; round-robin, least-connections and latency avoid them. */
  readonly triedPeers?: ReadonlySet<Peer>;
  /** Output, set by pick for consistent-hashing: the hash input, reused by retries. */
  hashValue?: string;
  /**
   * Output, set by pick when hash_on=cookie and the cookie was missing: the full `Set-Cookie` value
   * the proxy must add to the response, e.g. `name=uuid; Path=/; Same-Site=Lax; HttpOnly`.
   */
  setCookie?: string;
}

/** One upstream address, handed to the proxy. The same object is returned for the same address (identity is stable). */
export interface Peer {
  readonly targetId: string;
  /** Host name of the target as configured (or the IP). */
  readonly host: string;
  readonly port: number;
  readonly ip: string;
  /** Host header to send: upstream.host_header, else the SRV name with use_srv_name, else the target host. No port appended. */
  readonly hostHeader: string;
}

export type Outcome =
  | { readonly kind: 'success'; readonly status: number; readonly latencyMs: number }
  | { readonly kind: 'http_failure'; readonly status: number }
  | { readonly kind: 'tcp_failure' }
  | { readonly kind: 'timeout' };

export type HealthName = 'HEALTHY' | 'UNHEALTHY' | 'DNS_ERROR' | 'HEALTHCHECKS_OFF';

export interface AddressHealth {
  readonly ip: string;
  readonly port: number;
  readonly weight: number;
  readonly health: HealthName;
}

export interface TargetHealthData {
  readonly host: string;
  readonly port: number;
  readonly dns: string;
  readonly nodeWeight: number;
  readonly weight: { readonly total: number; readonly available: number; readonly unavailable: number };
  readonly addresses: readonly AddressHealth[];
}

/** A targets row plus `health` and `data`: one element of `GET /upstreams/{u}/health`'s `data`. */
export type TargetHealth = Row & { readonly health: HealthName; readonly data: TargetHealthData };

/** `data` of `GET /upstreams/{u}/health?balancer_health=1`. */
export interface BalancerHealth {
  readonly health: 'HEALTHY' | 'UNHEALTHY' | 'HEALTHCHECKS_OFF';
  readonly balancer_health: 'HEALTHY' | 'UNHEALTHY';
  readonly id: string;
  readonly details: {
    readonly healthy: boolean;
    readonly weight: { readonly total: number; readonly available: number; readonly unavailable: number };
    readonly hosts: readonly TargetHealthData[];
  };
}

export type SetHealthResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly status: 400 | 404; readonly message: string };

/** pino-compatible subset. */
export interface UpstreamLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface UpstreamRuntime {
  readonly id: string;
  readonly name: string;
  /** Resolves once every hostname target had its first DNS answer (or error). IP-only upstreams are ready at once. */
  ready(): Promise<void>;
  /** hot path: no allocation except when a hash cookie must be generated. Null = answer 503. */
  pick(ctx: BalancerContext): Peer | null;
  /** Ends the connection counted by pick (least-connections). Call once per pick. */
  release(peer: Peer): void;
  report(peer: Peer, outcome: Outcome): void;
  health(): TargetHealth[];
  balancerHealth(): BalancerHealth;
  /** `target` is a target id or its `host:port` string; `address` is `ip[:port]` (default port 8000) or null for all. */
  setHealth(target: string, address: string | null, healthy: boolean): SetHealthResult;
  /** Starts active health checks and DNS re-resolution timers. */
  start(): void;
  stop(): void;
}

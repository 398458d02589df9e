// Public shapes of the upstream runtime: what the proxy passes in to pick a peer, and what it gets back.
// Row is structurally the Snapshot's Row (libs/declarative/src/snapshot.ts); the health shapes are libs/protocol's.
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

// The health shapes cross the Admin API and the supervisor <-> worker IPC: defined once in libs/protocol.
import type { BalancerHealth, SetHealthResult, TargetHealth } from '@tollgate/protocol';
export type { AddressHealth, BalancerHealth, HealthName, SetHealthResult, TargetHealth, TargetHealthData } from '@tollgate/protocol';

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
  /** No address yet and first DNS answers pending: a request waits for ready() rather than answering 503, as Kong's balancer resolves before its first pick. */
  readonly resolving: boolean;
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

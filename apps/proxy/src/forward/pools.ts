// Upstream keep-alive pools: one Http1Pool per upstream address (and TLS settings), the analogue of Kong's pool key
// `ip|port` / `ip|port|sni|tls_verify|...` (§2.5), honouring upstream_keepalive_pool_size / _max_requests /
// _idle_timeout as Kong does (0 turns each off).
import type { UpstreamTlsOptions } from '../compile/types';
import { isIP } from 'node:net';
import { Http1Pool } from '../upstream-http/pool';

export interface PoolSettings {
  readonly poolSize: number;
  readonly maxRequests: number;
  /** seconds */
  readonly idleTimeout: number;
}

export class UpstreamPools {
  private readonly pools = new Map<string, Http1Pool>();

  constructor(private readonly settings: PoolSettings) {}

  /** hot path: one Map lookup when the pool exists; `key` is built by the caller once per attempt. */
  /** `sniHost`: the name the attempt targets; an address literal sends no SNI. */
  get(key: string, host: string, port: number, connectTimeout: number, tls: UpstreamTlsOptions | null, sniHost: string): Http1Pool {
    const existing = this.pools.get(key);
    if (existing !== undefined) return existing;
    const s = this.settings;
    const pool = new Http1Pool(
      { host, port, connectTimeout, tls, servername: isIP(sniHost) === 0 ? sniHost : undefined },
      { poolSize: s.poolSize, maxRequests: s.maxRequests, idleTimeout: s.idleTimeout > 0 ? s.idleTimeout * 1000 : 0 },
    );
    this.pools.set(key, pool);
    return pool;
  }

  destroy(): void {
    for (const pool of this.pools.values()) pool.destroy();
    this.pools.clear();
  }
}

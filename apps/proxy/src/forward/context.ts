// State shared by every request of one data plane, and what a listener adds to it. Built once at start.
import type { Duplex } from 'node:stream';
import type { AccessLog } from '@tollgate/logging';
import type { Runtime } from '../runtime/runtime';
import type { ErrorSettings } from './errors';
import type { HeaderFlags } from './header-flags';
import type { UpstreamPools } from './pools';
import type { TrustPolicy } from './trust';

export interface ProxyLogger {
  warn(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
  info?(obj: unknown, msg?: string): void;
}

export interface ProxyContext {
  readonly runtime: Runtime;
  readonly pools: UpstreamPools;
  readonly trust: TrustPolicy;
  readonly flags: HeaderFlags;
  readonly errors: ErrorSettings;
  /** bytes; 0 = unlimited */
  readonly maxBodySize: number;
  /** The most of a request body a plugin may read into memory: client_body_buffer_size, or client_max_body_size when lower (0: none). */
  readonly bodyBufferLimit: number;
  readonly maxHeaders: number;
  /** Longest request target (nginx: one of large_client_header_buffers); longer gets 414. */
  readonly maxRequestLine: number;
  readonly logger: ProxyLogger;
  /** proxy_access_log; null when `off`. */
  readonly accessLog: AccessLog | null;
  /** proxy_access_log_format */
  readonly accessLogFormat: 'kong' | 'json';
  /** Set by close(): responses then carry `Connection: close`. */
  draining: boolean;
  /** Hybrid data planes: requests and 5xx per configuration hash, reported to the control plane. */
  readonly releaseStats?: import('./release-stats').ReleaseStatsCounter | null;
  /** Requests being proxied right now (graceful close waits for 0). */
  inflight: number;
  /** Client sockets of upgraded (WebSocket) tunnels: no server tracks them after the 101, so close() does. */
  readonly tunnels: Set<Duplex>;
}

export interface ListenerInfo {
  readonly scheme: 'http' | 'https';
  readonly port: number;
  readonly portText: string;
}

// healthchecks record -> compiled form with Kong's defaults applied and status lists as lookup tables.
import type { Row } from '../types';

export interface Thresholds {
  readonly successes: number;
  readonly httpFailures: number;
  readonly tcpFailures: number;
  readonly timeouts: number;
  /** Indexed by status code (0..999): 1 = counts as success / failure. */
  readonly healthyStatuses: Uint8Array;
  readonly unhealthyStatuses: Uint8Array;
}

export interface HealthConfig {
  /** Kong creates a checker only if an active interval or a passive failure counter is non-zero. */
  readonly enabled: boolean;
  readonly activeType: 'http' | 'https' | 'tcp' | 'grpc' | 'grpcs';
  readonly timeoutMs: number;
  readonly concurrency: number;
  readonly httpPath: string;
  readonly httpsSni: string | null;
  readonly httpsVerifyCertificate: boolean;
  readonly headers: Readonly<Record<string, string[]>>;
  readonly healthyIntervalMs: number;
  readonly unhealthyIntervalMs: number;
  readonly active: Thresholds;
  readonly passive: Thresholds;
  /** Percentage of available weight at or below which the whole upstream is unhealthy. */
  readonly threshold: number;
}

const ACTIVE_HEALTHY = [200, 302];
const ACTIVE_UNHEALTHY = [429, 404, 500, 501, 502, 503, 504, 505];
const PASSIVE_HEALTHY = [200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304, 305, 306, 307, 308];
const PASSIVE_UNHEALTHY = [429, 500, 503];

type Rec = Record<string, unknown> | null | undefined;

function rec(v: unknown): Rec {
  return v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : null;
}

function num(v: unknown, dflt: number): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : dflt;
}

function table(list: unknown, dflt: readonly number[]): Uint8Array {
  const t = new Uint8Array(1000);
  for (const s of Array.isArray(list) ? (list as number[]) : dflt) if (s >= 0 && s < 1000) t[s] = 1;
  return t;
}

function thresholds(side: Rec, healthyDefaults: readonly number[], unhealthyDefaults: readonly number[]): Thresholds {
  const healthy = rec(side?.healthy);
  const unhealthy = rec(side?.unhealthy);
  return {
    successes: num(healthy?.successes, 0),
    httpFailures: num(unhealthy?.http_failures, 0),
    tcpFailures: num(unhealthy?.tcp_failures, 0),
    timeouts: num(unhealthy?.timeouts, 0),
    healthyStatuses: table(healthy?.http_statuses, healthyDefaults),
    unhealthyStatuses: table(unhealthy?.http_statuses, unhealthyDefaults),
  };
}

export function compileHealthConfig(upstream: Row): HealthConfig {
  const hc = rec(upstream.healthchecks);
  const active = rec(hc?.active);
  const passive = rec(hc?.passive);
  const healthyIntervalMs = num(rec(active?.healthy)?.interval, 0) * 1000;
  const unhealthyIntervalMs = num(rec(active?.unhealthy)?.interval, 0) * 1000;
  const passiveT = thresholds(passive, PASSIVE_HEALTHY, PASSIVE_UNHEALTHY);
  const headers: Record<string, string[]> = {};
  const rawHeaders = rec(active?.headers);
  if (rawHeaders) for (const [k, v] of Object.entries(rawHeaders)) headers[k] = Array.isArray(v) ? v.map(String) : [String(v)];
  return {
    enabled:
      healthyIntervalMs > 0 ||
      unhealthyIntervalMs > 0 ||
      passiveT.httpFailures > 0 ||
      passiveT.tcpFailures > 0 ||
      passiveT.timeouts > 0,
    activeType: ((active?.type as string | undefined) ?? 'http') as HealthConfig['activeType'],
    timeoutMs: num(active?.timeout, 1) * 1000,
    concurrency: Math.max(1, num(active?.concurrency, 10)),
    httpPath: (active?.http_path as string | undefined) ?? '/',
    httpsSni: (active?.https_sni as string | null | undefined) ?? null,
    httpsVerifyCertificate: (active?.https_verify_certificate as boolean | undefined) ?? true,
    headers,
    healthyIntervalMs,
    unhealthyIntervalMs,
    active: thresholds(active, ACTIVE_HEALTHY, ACTIVE_UNHEALTHY),
    passive: passiveT,
    threshold: num(hc?.threshold, 0),
  };
}

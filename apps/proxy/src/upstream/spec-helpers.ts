// Builders of upstream/target rows for specs (Admin API shapes, defaults as Kong).
import type { BalancerContext, Row } from './types';

let seq = 0;

export function upstreamRow(fields: Record<string, unknown> = {}): Row {
  seq++;
  return {
    id: `u-${seq}`,
    name: `upstream-${seq}`,
    algorithm: 'round-robin',
    hash_on: 'none',
    hash_fallback: 'none',
    hash_on_cookie_path: '/',
    slots: 10000,
    healthchecks: null,
    host_header: null,
    use_srv_name: false,
    ...fields,
  };
}

export function targetRow(target: string, weight = 100, id?: string): Row {
  seq++;
  return { id: id ?? `t-${seq}`, target, weight, upstream: { id: 'u' }, tags: null, created_at: 1, updated_at: 1 };
}

export function ctx(fields: Partial<BalancerContext> = {}): BalancerContext {
  return { clientIp: '127.0.0.1', headers: {}, path: '/', query: null, captures: null, consumerId: null, credentialId: null, ...fields };
}

/** healthchecks record with Kong's defaults, overridden per side. */
export function healthchecks(over: {
  active?: Record<string, unknown>;
  activeHealthy?: Record<string, unknown>;
  activeUnhealthy?: Record<string, unknown>;
  passiveHealthy?: Record<string, unknown>;
  passiveUnhealthy?: Record<string, unknown>;
  threshold?: number;
}): Record<string, unknown> {
  return {
    threshold: over.threshold ?? 0,
    active: {
      type: 'http',
      timeout: 1,
      concurrency: 10,
      http_path: '/',
      https_sni: null,
      https_verify_certificate: true,
      headers: null,
      ...over.active,
      healthy: { interval: 0, http_statuses: [200, 302], successes: 0, ...over.activeHealthy },
      unhealthy: { interval: 0, http_statuses: [429, 404, 500, 501, 502, 503, 504, 505], tcp_failures: 0, timeouts: 0, http_failures: 0, ...over.activeUnhealthy },
    },
    passive: {
      type: 'http',
      healthy: { http_statuses: [200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304, 305, 306, 307, 308], successes: 0, ...over.passiveHealthy },
      unhealthy: { http_statuses: [429, 500, 503], tcp_failures: 0, timeouts: 0, http_failures: 0, ...over.passiveUnhealthy },
    },
  };
}

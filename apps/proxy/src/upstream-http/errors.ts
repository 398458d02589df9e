// Failure codes of the upstream HTTP/1.1 client. The forward step maps them to Kong's answers: timeouts are 504,
// everything else 502, and the not-connected ones may be retried whatever the method.
export type UpstreamErrorCode =
  | 'UPSTREAM_CONNECT_TIMEOUT'
  | 'UPSTREAM_READ_TIMEOUT'
  | 'UPSTREAM_WRITE_TIMEOUT'
  | 'UPSTREAM_INVALID_RESPONSE'
  | 'UPSTREAM_INVALID_REQUEST'
  | 'UPSTREAM_CLOSED';

export interface UpstreamError extends Error {
  code: string;
}

export const TIMEOUT_CODES: ReadonlySet<string> = new Set(['UPSTREAM_CONNECT_TIMEOUT', 'UPSTREAM_READ_TIMEOUT', 'UPSTREAM_WRITE_TIMEOUT']);

/** Failures before the upstream could have seen a byte of the request. */
export const NOT_CONNECTED_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'UPSTREAM_CONNECT_TIMEOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EADDRNOTAVAIL',
]);

/**
 * Kong resolves a direct service's host before it connects: a name that does not exist is its balancer's 503 (no
 * try failed, nothing is retried). `peer` is the balancer's target; null when the service names a host directly.
 */
export function unresolvedServiceHost(peer: unknown, code: string | undefined): boolean {
  return peer === null && code === 'ENOTFOUND';
}

export function upstreamError(code: UpstreamErrorCode, message: string): UpstreamError {
  const err = new Error(message) as UpstreamError;
  err.code = code;
  return err;
}

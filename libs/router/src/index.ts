export type { HttpMatch, HttpRequestInput, HttpRouter, StreamConnectionInput, StreamRouter } from './types';
export { compileHttpRouter } from './http/http-router';
export { compileStreamRouter } from './stream/stream-router';
export { normalizePath, sanitizeUriPostfix } from './normalize-path';
export { hostWithoutPort, hostPort } from './host';
export { resolveUpstreamPath, upstreamPathV0, upstreamPathV1, escapeUpstreamPath, type PathHandling } from './upstream-path';
export { requiresHttps } from './protocol-guard';

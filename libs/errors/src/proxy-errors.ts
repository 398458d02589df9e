// The proxy's own error answers (kong-data-plane.md §2.4): a closed table of status + message, rendered as
// JSON (default), text, HTML or XML from the Accept header, with Kong's gRPC status mapping.

export const PROXY_ERRORS = {
  NO_ROUTE: { status: 404, message: 'no Route matched with those values' },
  NO_SERVICE: { status: 503, message: 'no Service found with those values' },
  HTTPS_REQUIRED: { status: 426, message: 'Please use HTTPS protocol' },
  HTTP2_REQUIRED: { status: 426, message: 'Please use HTTP2 protocol' },
  NON_GRPC_REQUEST: { status: 415, message: 'Non-gRPC request matched gRPC route' },
  NO_PEER: { status: 503, message: 'failure to get a peer from the ring-balancer' },
  NAME_RESOLUTION_FAILED: { status: 503, message: 'name resolution failed' },
  BAD_UPSTREAM_RESPONSE: { status: 502, message: 'An invalid response was received from the upstream server' },
  UPSTREAM_TIMEOUT: { status: 504, message: 'The upstream server is timing out' },
  UPSTREAM_UNAVAILABLE: { status: 503, message: 'The upstream server is currently unavailable' },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'Payload too large' },
  URI_TOO_LONG: { status: 414, message: 'URI too long' },
  HEADER_TOO_LARGE: { status: 400, message: 'Request header or cookie too large' },
  METHOD_NOT_ALLOWED: { status: 405, message: 'Method not allowed' },
  UNEXPECTED: { status: 500, message: 'An unexpected error occurred' },
  REQUEST_SIZE_LIMIT: { status: 413, message: 'Request size limit exceeded' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ProxyErrorKey = keyof typeof PROXY_ERRORS;

/** `failed the initial dns/balancer resolve for '<host>' with: <err>` (500). */
export function balancerResolveMessage(host: string, err: string): string {
  return `failed the initial dns/balancer resolve for '${host}' with: ${err}`;
}

/** Fallback for statuses without a fixed message. */
export function upstreamRespondedMessage(status: number): string {
  return `The upstream server responded with ${status}`;
}

/** Kong's message for an error status given none (kong.response.error, ngx.exit without a body). */
export function defaultErrorMessage(status: number): string {
  switch (status) {
    case 400: return 'Bad request';
    case 401: return 'Unauthorized';
    case 403: return 'Forbidden';
    case 404: return 'Not found';
    case 405: return PROXY_ERRORS.METHOD_NOT_ALLOWED.message;
    case 500: return PROXY_ERRORS.UNEXPECTED.message;
    case 502: return PROXY_ERRORS.BAD_UPSTREAM_RESPONSE.message;
    case 503: return PROXY_ERRORS.UPSTREAM_UNAVAILABLE.message;
    case 504: return PROXY_ERRORS.UPSTREAM_TIMEOUT.message;
    default: return upstreamRespondedMessage(status);
  }
}

export type ErrorFormat = 'json' | 'text' | 'html' | 'xml';

const FORMAT_BY_TYPE: ReadonlyMap<string, ErrorFormat> = new Map([
  ['application/json', 'json'],
  ['text/plain', 'text'],
  ['text/html', 'html'],
  ['application/xml', 'xml'],
  ['text/xml', 'xml'],
]);

export const CONTENT_TYPES: Readonly<Record<ErrorFormat, string>> = {
  json: 'application/json; charset=utf-8',
  text: 'text/plain; charset=utf-8',
  html: 'text/html; charset=utf-8',
  xml: 'application/xml; charset=utf-8',
};

/** Highest-q supported media type in Accept; ties keep header order; nothing supported -> JSON. */
export function negotiateErrorFormat(accept: string | undefined): ErrorFormat {
  if (!accept) return 'json';
  let best: ErrorFormat = 'json';
  let bestQ = -1;
  for (const part of accept.split(',')) {
    const [rawType, ...params] = part.split(';');
    const type = rawType.trim().toLowerCase();
    let q = 1;
    for (const param of params) {
      const [k, v] = param.split('=');
      if (k.trim() === 'q') q = Number(v);
    }
    if (!(q > 0)) continue;
    const format = FORMAT_BY_TYPE.get(type) ?? (type === '*/*' || type === 'application/*' ? 'json' : undefined);
    if (format && q > bestQ) {
      best = format;
      bestQ = q;
    }
  }
  return best;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const MARKUP = /[&<>"']/g;
const escapeMarkup = (text: string) => text.replace(MARKUP, (c) => ESCAPES[c]);

export function renderErrorBody(format: ErrorFormat, message: string, requestId: string): string {
  switch (format) {
    case 'text':
      return `${message}\nrequest_id: ${requestId}\n`;
    case 'html':
      return (
        '<!doctype html>\n<html>\n  <head>\n    <meta charset="utf-8">\n    <title>Error</title>\n  </head>\n' +
        `  <body>\n    <h1>Error</h1>\n    <p>${escapeMarkup(message)}.</p>\n` +
        `    <p>request_id: ${escapeMarkup(requestId)}</p>\n  </body>\n</html>\n`
      );
    case 'xml':
      return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<error>\n' +
        `  <message>${escapeMarkup(message)}</message>\n  <requestid>${escapeMarkup(requestId)}</requestid>\n</error>\n`
      );
    default:
      return `{\n  "message":${JSON.stringify(message)},\n  "request_id":${JSON.stringify(requestId)}\n}`;
  }
}

export interface RenderedError {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

/** Renders one proxy error for a request's Accept header. */
export function renderProxyError(
  status: number,
  message: string,
  accept: string | undefined,
  requestId: string,
): RenderedError {
  const format = negotiateErrorFormat(accept);
  return { status, contentType: CONTENT_TYPES[format], body: renderErrorBody(format, message, requestId) };
}

const GRPC_STATUS: ReadonlyMap<number, number> = new Map([
  [400, 3], [401, 16], [403, 7], [404, 5], [409, 6], [429, 8], [500, 13], [501, 12], [503, 14], [504, 4],
]);

/** gRPC requests get an empty body with `grpc-status`: this mapping. */
export function grpcStatusFor(httpStatus: number): number {
  return GRPC_STATUS.get(httpStatus) ?? (httpStatus >= 500 ? 13 : 3);
}

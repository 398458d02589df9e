// Which protocol a request really came over. Node's HTTP/1 parser accepts `GET / HTTP/2.0` (and 3.0) request
// lines and reports httpVersionMajor 2 for them, so the parsed version never says whether a request is an
// HTTP/2 stream: only the compat request's stream does.
import type { IncomingMessage } from 'node:http';
import type { Http2ServerRequest } from 'node:http2';

export function isHttp2Request(req: IncomingMessage | Http2ServerRequest): req is Http2ServerRequest {
  return (req as Http2ServerRequest).stream !== undefined;
}

/** An HTTP/1 connection whose request line names another major version: nginx answers 505. */
export function unsupportedHttpVersion(req: IncomingMessage | Http2ServerRequest): boolean {
  return req.httpVersionMajor !== 1 && !isHttp2Request(req);
}

export const HTTP_VERSION_NOT_SUPPORTED = { status: 505, message: 'HTTP Version Not Supported' } as const;

/**
 * An HTTP/1.1 request without a Host header: RFC 9112 section 3.2 and nginx answer 400. Node's own check answers
 * with an empty body, so our HTTP/1 servers turn it off (requireHostHeader: false) and refuse here with a body.
 */
export function missingHost(req: IncomingMessage | Http2ServerRequest): boolean {
  return req.httpVersionMajor === 1 && req.httpVersionMinor >= 1 && req.headers.host === undefined && !isHttp2Request(req);
}

export const MISSING_HOST = { status: 400, message: 'Bad request' } as const;

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

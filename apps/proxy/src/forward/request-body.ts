// Whether an HTTP/1 request has a body: RFC 9112 §6.3 for requests, Transfer-Encoding or a non-zero Content-Length
// (llhttp's strict mode has refused the ambiguous forms before this is asked). The lean server ends a request
// without one with its head; the pipeline forwards a body only when there is one.
import type { IncomingHttpHeaders } from 'node:http';

export function http1RequestHasBody(headers: IncomingHttpHeaders): boolean {
  if (headers['transfer-encoding'] !== undefined) return true;
  const length = headers['content-length'];
  return length !== undefined && Number(length) !== 0;
}

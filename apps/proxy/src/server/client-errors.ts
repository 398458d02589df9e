// Bad requests rejected by the HTTP parser (llhttp) before any handler runs: smuggling attempts, oversized or
// malformed headers, header-read timeouts. Answered with nginx's statuses and Kong's bodies, then closed.
import type { IncomingMessage } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import { Socket } from 'node:net';
import { PROXY_ERRORS, renderErrorBody, CONTENT_TYPES, parserRejection, type ErrorFormat, type ParserError } from '@tollgate/errors';
import { generatedErrorFormat } from '../forward/errors';
import { nextRequestId } from '../forward/request-id';
import { SERVER_TOKEN } from '../forward/identity';
import type { HeaderFlags } from '../forward/header-flags';


function responseFor(status: number, message: string, format: ErrorFormat, flags: HeaderFlags): string {
  const requestId = nextRequestId();
  const body = renderErrorBody(format, message, requestId);
  let head = `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Bad Request'}\r\n`;
  head += `Content-Type: ${CONTENT_TYPES[format]}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n`;
  if (flags.server) head += `Server: ${SERVER_TOKEN}\r\n`;
  if (flags.requestId) head += `X-Kong-Request-Id: ${requestId}\r\n`;
  return `${head}\r\n${body}`;
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request', 405: 'Not Allowed', 408: 'Request Timeout', 413: 'Payload Too Large', 414: 'URI Too Long',
};

const HEADER_TOO_LARGE = PROXY_ERRORS.HEADER_TOO_LARGE;

export function createClientErrorHandler(flags: HeaderFlags, format: ErrorFormat, lineLimit: number) {
  return function onClientError(err: ParserError, socket: Socket): void {
    const rejection = parserRejection(err, HEADER_TOO_LARGE, lineLimit);
    const inFlight = (socket as Socket & { _httpMessage?: { headersSent: boolean; statusCode: number } })._httpMessage;
    if (rejection.silent || !socket.writable || inFlight?.headersSent) {
      socket.destroy();
      return;
    }
    // a body that fails to parse after its request reached the handler: its access line records this answer
    if (inFlight) inFlight.statusCode = rejection.status;
    socket.end(responseFor(rejection.status, rejection.message, format, flags));
    socket.destroySoon?.();
  };
}

/** CONNECT is no method a gateway proxies: Kong answers 405 (Node would close the connection silently). */
export function createConnectHandler(flags: HeaderFlags, format: ErrorFormat) {
  const e = PROXY_ERRORS.METHOD_NOT_ALLOWED;
  return function onConnect(req: IncomingMessage | Http2ServerRequest, socket: Socket | Http2ServerResponse): void {
    const answerFormat = generatedErrorFormat(req as never, format);
    if (!(socket instanceof Socket)) {
      // an HTTP/2 CONNECT stream (the same event on an h2 server): answered on its stream
      const body = renderErrorBody(answerFormat, e.message, nextRequestId());
      socket.writeHead(e.status, { 'content-type': CONTENT_TYPES[answerFormat], 'content-length': Buffer.byteLength(body) });
      socket.end(body);
      return;
    }
    socket.on('error', () => socket.destroy());
    if (socket.writable) socket.end(responseFor(e.status, e.message, answerFormat, flags));
    socket.destroySoon?.();
  };
}

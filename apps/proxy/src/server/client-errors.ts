// Bad requests rejected by the HTTP parser (llhttp) before any handler runs: smuggling attempts, oversized or
// malformed headers, header-read timeouts. Answered with nginx's statuses and Kong's bodies, then closed.
import type { Socket } from 'node:net';
import { PROXY_ERRORS, renderErrorBody, CONTENT_TYPES, type ErrorFormat } from '@tollgate/errors';
import { nextRequestId } from '../forward/request-id';
import { SERVER_TOKEN } from '../forward/identity';
import type { HeaderFlags } from '../forward/header-flags';

interface ParserError extends Error {
  code?: string;
  rawPacket?: Buffer;
}

function responseFor(status: number, message: string, format: ErrorFormat, flags: HeaderFlags): string {
  const requestId = nextRequestId();
  const body = renderErrorBody(format, message, requestId);
  let head = `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Bad Request'}\r\n`;
  head += `Content-Type: ${CONTENT_TYPES[format]}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n`;
  if (flags.server) head += `Server: ${SERVER_TOKEN}\r\n`;
  if (flags.requestId) head += `X-Kong-Request-Id: ${requestId}\r\n`;
  return `${head}\r\n${body}`;
}

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 408: 'Request Timeout', 413: 'Payload Too Large', 414: 'URI Too Long' };

export function createClientErrorHandler(flags: HeaderFlags, format: ErrorFormat) {
  return function onClientError(err: ParserError, socket: Socket): void {
    if (err.code === 'ECONNRESET' || !socket.writable || (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent) {
      socket.destroy();
      return;
    }
    let status = 400;
    let message = 'Bad request';
    switch (err.code) {
      case 'HPE_HEADER_OVERFLOW':
        status = PROXY_ERRORS.HEADER_TOO_LARGE.status;
        message = PROXY_ERRORS.HEADER_TOO_LARGE.message;
        break;
      case 'ERR_HTTP_REQUEST_TIMEOUT':
        status = 408;
        message = 'Request timeout';
        break;
    }
    socket.end(responseFor(status, message, format, flags));
    socket.destroySoon?.();
  };
}

// Responses written straight to a socket, for paths where no ServerResponse exists (upgrade requests).
import type { Duplex } from 'node:stream';
import { CONTENT_TYPES, negotiateErrorFormat, renderErrorBody } from '@tollgate/errors';
import type { HeaderFlags } from './header-flags';
import { SERVER_TOKEN } from './identity';

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request', 404: 'Not Found', 426: 'Upgrade Required', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout',
};

export function writeRawError(
  socket: Duplex,
  status: number,
  message: string,
  accept: string | undefined,
  requestId: string,
  flags: HeaderFlags,
): void {
  const format = negotiateErrorFormat(accept);
  const body = renderErrorBody(format, message, requestId);
  let head = `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\nContent-Type: ${CONTENT_TYPES[format]}\r\n`;
  head += `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n`;
  if (flags.server) head += `Server: ${SERVER_TOKEN}\r\n`;
  if (flags.requestId) head += `X-Kong-Request-Id: ${requestId}\r\n`;
  if (socket.writable) socket.end(`${head}\r\n${body}`);
  socket.destroySoon?.();
}

declare module 'node:stream' {
  interface Duplex {
    destroySoon?(): void;
  }
}

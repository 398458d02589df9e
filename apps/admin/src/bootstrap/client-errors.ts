// Requests the Admin API refuses before express sees them, answered with Kong's `{"message": ...}` JSON: parser
// rejections (Node would send an empty 400/431), CONNECT (Node would close silently), a request line that
// names another HTTP version (505, as nginx) and an HTTP/1.1 request without Host (400; Node's would be empty).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { HTTP_VERSION_NOT_SUPPORTED, MISSING_HOST, PLAIN_MESSAGES, parserRejection, type ParserError, type ParserRejection } from '@tollgate/errors';
import { sendJson } from './send-json';

const HEADER_TOO_LARGE: ParserRejection = { status: 431, message: 'Request header or cookie too large' };
const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request', 405: 'Method Not Allowed', 408: 'Request Timeout', 414: 'URI Too Long', 431: 'Request Header Fields Too Large',
};

function rawJson(status: number, message: string): string {
  const body = JSON.stringify({ message });
  return (
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Bad Request'}\r\nContent-Type: application/json; charset=utf-8\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`
  );
}

export function adminClientErrorHandler(lineLimit: number) {
  return function onClientError(err: ParserError, socket: Socket): void {
    const rejection = parserRejection(err, HEADER_TOO_LARGE, lineLimit);
    if (rejection.silent || !socket.writable || (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent) {
      socket.destroy();
      return;
    }
    socket.end(rawJson(rejection.status, rejection.message));
  };
}

export function adminConnectHandler(_req: IncomingMessage, socket: Socket | ServerResponse): void {
  if (!(socket instanceof Socket)) {
    sendJson(_req, socket, 405, { message: PLAIN_MESSAGES.METHOD_NOT_ALLOWED });
    return;
  }
  socket.on('error', () => socket.destroy());
  if (socket.writable) socket.end(rawJson(405, PLAIN_MESSAGES.METHOD_NOT_ALLOWED));
}

/** An HTTP/1.1 request without Host: 400 and close, as nginx. */
export function refuseMissingHost(req: IncomingMessage, res: ServerResponse): void {
  res.setHeader('Connection', 'close');
  sendJson(req, res, MISSING_HOST.status, { message: MISSING_HOST.message });
}

/** `GET / HTTP/2.0` over HTTP/1: 505 and close. */
export function refuseHttpVersion(req: IncomingMessage, res: ServerResponse): void {
  res.setHeader('Connection', 'close');
  sendJson(req, res, HTTP_VERSION_NOT_SUPPORTED.status, { message: HTTP_VERSION_NOT_SUPPORTED.message });
}

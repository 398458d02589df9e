// What an HTTP/1 parser (llhttp) rejection means for the client, for every listener's 'clientError' handler:
// nginx's statuses, Kong's messages. The listener renders them in its own body format; jsonClientErrorHandler is
// the `{"message": ...}` one (Admin API, status listener), where Node would answer with an empty body.
import { PLAIN_MESSAGES } from './plain-errors';
import type { Socket } from 'node:net';

export interface ParserError extends Error {
  code?: string;
  rawPacket?: Buffer;
}

export interface ParserRejection {
  readonly status: number;
  readonly message: string;
  /** Nothing to answer: the client is gone. */
  readonly silent?: boolean;
}

const BAD_REQUEST: ParserRejection = { status: 400, message: 'Bad request' };
const TIMEOUT: ParserRejection = { status: 408, message: 'Request timeout' };
const URI_TOO_LONG: ParserRejection = { status: 414, message: 'URI too long' };
const GONE: ParserRejection = { status: 400, message: '', silent: true };
const REQUEST_LINE_START = /^[A-Z]+ \S/;

/**
 * nginx reads the request line into one of its large_client_header_buffers (a quarter of the header budget)
 * and answers 414 when it does not fit; the rest of an oversized head is "header too large".
 */
export function requestLineTooLong(chunk: Buffer | undefined, lineLimit: number): boolean {
  if (!chunk || !REQUEST_LINE_START.test(chunk.subarray(0, 16).toString('latin1'))) return false;
  const lf = chunk.indexOf(10);
  return lf === -1 ? chunk.length > lineLimit : lf > lineLimit;
}

/** `headerTooLarge` is the listener's answer for an oversized head: 400 on the proxy (Kong's), 431 elsewhere. */
export function parserRejection(err: ParserError, headerTooLarge: ParserRejection, lineLimit: number): ParserRejection {
  switch (err.code) {
    case 'ECONNRESET':
      return GONE;
    case 'HPE_HEADER_OVERFLOW':
      return requestLineTooLong(err.rawPacket, lineLimit) ? URI_TOO_LONG : headerTooLarge;
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return TIMEOUT;
    default:
      return BAD_REQUEST;
  }
}

/** nginx's request line budget for a header budget: one of four large_client_header_buffers. */
export function requestLineLimit(maxHeaderSize: number): number {
  return Math.max(1024, Math.floor(maxHeaderSize / 4));
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request', 405: 'Method Not Allowed', 408: 'Request Timeout', 414: 'URI Too Long', 431: 'Request Header Fields Too Large',
};

/** A whole response with Kong's `{"message": ...}` body, written straight to a socket the parser gave up on. */
export function rawJsonResponse(status: number, message: string): string {
  const body = JSON.stringify({ message });
  return (
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Bad Request'}\r\nContent-Type: application/json; charset=utf-8\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`
  );
}

/** CONNECT on an HTTP/1 listener that answers in JSON: 405 and close (Node would close the socket silently). */
export function refuseConnectJson(socket: Socket): void {
  socket.on('error', () => socket.destroy());
  if (socket.writable) socket.end(rawJsonResponse(405, PLAIN_MESSAGES.METHOD_NOT_ALLOWED));
  else socket.destroy();
}

/** 'clientError' for listeners that answer in JSON; an oversized head is 431 there. */
export function jsonClientErrorHandler(lineLimit: number) {
  return function onClientError(err: ParserError, socket: Socket): void {
    const rejection = parserRejection(err, HEADER_TOO_LARGE, lineLimit);
    if (rejection.silent || !socket.writable || (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent) {
      socket.destroy();
      return;
    }
    socket.end(rawJsonResponse(rejection.status, rejection.message));
  };
}

const HEADER_TOO_LARGE: ParserRejection = { status: 431, message: 'Request header or cookie too large' };

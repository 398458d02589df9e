// What an HTTP/1 parser (llhttp) rejection means for the client, for every listener's 'clientError' handler:
// nginx's statuses, Kong's messages. The listener renders them in its own body format; jsonClientErrorHandler is
// the `{"message": ...}` one (Admin API, status listener), where Node would answer with an empty body.
import { PLAIN_MESSAGES } from './plain-errors';
import type { Socket } from 'node:net';

export interface ParserError extends Error {
  code?: string;
  rawPacket?: Buffer;
  /**
   * Set by a server that watched a head arrive over several reads: its request line's length so far (the whole
   * line once it ended). rawPacket is only the failing read, which then need not hold the line's start.
   */
  requestLineBytes?: number;
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
      if (err.requestLineBytes !== undefined) return err.requestLineBytes > lineLimit ? URI_TOO_LONG : headerTooLarge;
      return requestLineTooLong(err.rawPacket, lineLimit) ? URI_TOO_LONG : headerTooLarge;
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return TIMEOUT;
    default:
      return BAD_REQUEST;
  }
}

/**
 * Measures the request line of a head that arrives over several reads. An overflow error carries only its own
 * read, which then need not hold the line's start; a server that feeds its reads here can tell an oversized
 * request line (414) from oversized headers. Reads after the line's LF cost nothing.
 */
export class RequestLineMeter {
  /** The line's bytes so far; its whole length once it ended. */
  bytes = 0;
  /** No LF seen since the head began. */
  open = false;

  /** A head begins in `read` (taken as the head's start: a head behind a pipelined one is over-counted). */
  begin(read: Buffer): void {
    this.bytes = 0;
    this.open = true;
    this.measure(read);
  }

  measure(read: Buffer): void {
    if (!this.open) return;
    const lf = read.indexOf(10);
    if (lf === -1) {
      this.bytes += read.length;
    } else {
      this.bytes += lf;
      this.open = false;
    }
  }
}

interface NodeHttpParser {
  [callback: number]: unknown;
  getCurrentBuffer(): Buffer;
}

// `_http_common` is node:http's own module: its parser's callback slots
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { HTTPParser } = require('_http_common') as { HTTPParser: { kOnMessageBegin: number; kOnExecute: number } };

/**
 * For a node:http (or https, or HTTP/2 with its HTTP/1 fallback) server: meters the request line of each head its
 * connections read, so that 'clientError' gets `requestLineBytes` on an overflow in a later read of the head.
 * Only connections whose parser reads the socket itself (node:http's consume, the usual case) report their reads;
 * others keep the single-read rule.
 */
export function meterRequestLines(server: { on(event: string, listener: (socket: Socket) => void): unknown }): void {
  const watch = (socket: Socket): void => {
    const parser = (socket as Socket & { parser?: NodeHttpParser | null }).parser;
    const execute = parser?.[HTTPParser.kOnExecute];
    if (!parser || typeof execute !== 'function') return;
    const meter = new RequestLineMeter();
    // set during the read a head began in: that read's error keeps the single-read rule (it holds the line's start)
    let began = false;
    parser[HTTPParser.kOnMessageBegin] = () => {
      began = true;
      meter.bytes = 0;
      meter.open = true;
    };
    parser[HTTPParser.kOnExecute] = (ret: number | ParserError) => {
      if (meter.open) {
        meter.measure(parser.getCurrentBuffer());
        if (typeof ret !== 'number' && !began) ret.requestLineBytes = meter.bytes;
      }
      began = false;
      return (execute as (ret: number | ParserError) => unknown)(ret);
    };
  };
  server.on('connection', watch);
  server.on('secureConnection', watch);
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

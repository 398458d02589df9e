// The response head to an HTTP/1.x client, stored on its ServerResponse without node:http's per-field checks.
// writeHead(status, list) tests every name and value with two regular expressions and walks each field through
// three helpers (a sixth of the worker's JavaScript time on a small proxied response). The proxied head needs
// none of it: the upstream parser checked every field by the same rules, and what we add is ours. So for the
// plain case the head is built here, with the decisions Node's _storeHeader makes (Date, Connection, framing),
// and stored where Node's write path takes it from (`_header`). Anything else (a field that steers Node's
// framing or persistence, a removed header, 100-continue, 204/304) goes through writeHead itself.
// At load the result is compared with Node's own for a set of heads; on any difference (another Node release)
// every head goes through writeHead.
import { STATUS_CODES, ServerResponse } from 'node:http';
import { hasBadFieldChar, isTokenName } from '../upstream-http/response-parser';
import { H1Response } from '../server/h1-response';
import { utcDate } from './http-date';

interface NodeResponse extends ServerResponse {
  _header: string | null;
  _headerSent: boolean;
  _hasBody: boolean;
  _last: boolean;
  _contentLength: number | null;
  _removedConnection: boolean;
  _removedContLen: boolean;
  _removedTE: boolean;
  _defaultKeepAlive: boolean;
  _keepAliveTimeout: number;
  _maxRequestsPerSocket: number;
  _expect_continue: boolean;
  chunkedEncoding: boolean;
  useChunkedEncodingByDefault: boolean;
  shouldKeepAlive: boolean;
  maxRequestsOnConnectionReached: boolean;
  agent?: unknown;
}

/** Names whose presence changes what Node adds or how it frames the body: those heads take writeHead. */
const STEERING = new Set(['connection', 'transfer-encoding', 'keep-alive', 'expect', 'trailer', 'content-disposition']);
/** Lengths of the names below (4..19): only those names are lower-cased. */
const WATCHED_LENGTH = new Uint8Array(32);
for (const name of [...STEERING, 'date', 'content-length']) WATCHED_LENGTH[name.length] = 1;

const outHeaders = outHeadersSymbol();

function outHeadersSymbol(): symbol | null {
  const probe = new ServerResponse({ method: 'GET', httpVersionMajor: 1, httpVersionMinor: 1, headers: {} } as never);
  return Object.getOwnPropertySymbols(probe).find((s) => s.description === 'kOutHeaders') ?? null;
}

/**
 * `fields` must be valid field syntax (names tokens, values without CR, LF or other controls): checked by the
 * upstream parser or built by us. Returns false when nothing was stored (the caller uses writeHead).
 */
function storeHead(res: NodeResponse, status: number, fields: readonly string[]): boolean {
  if (
    res._header ||
    res.statusMessage ||
    res._expect_continue ||
    res._removedConnection ||
    res._removedContLen ||
    res._removedTE ||
    res.chunkedEncoding ||
    (res as unknown as Record<symbol, unknown>)[outHeaders!] != null ||
    status < 200 ||
    status > 999 ||
    status === 204 ||
    status === 304
  ) {
    return false;
  }
  const message = STATUS_CODES[status] || 'unknown';
  let header = `HTTP/1.1 ${status} ${message}\r\n`;
  let date = false;
  let contentLength = -1;
  for (let i = 0; i < fields.length; i += 2) {
    const name = fields[i];
    const value = fields[i + 1];
    if (WATCHED_LENGTH[name.length] === 1) {
      const lower = name.toLowerCase();
      if (lower === 'date') date = true;
      else if (lower === 'content-length') contentLength = +value;
      else if (STEERING.has(lower)) return false;
    }
    header += name + ': ' + value + '\r\n';
  }
  res.statusMessage = message;
  res.statusCode = status;
  if (res.sendDate && !date) header += 'Date: ' + utcDate() + '\r\n';
  // Node's keep-alive decision for a head without Connection
  const hasLength = contentLength !== -1;
  if (res.shouldKeepAlive && (hasLength || res.useChunkedEncodingByDefault || res.agent)) {
    if (res.maxRequestsOnConnectionReached) header += 'Connection: close\r\n';
    else {
      header += 'Connection: keep-alive\r\n';
      if (res._keepAliveTimeout && res._defaultKeepAlive) {
        const max = ~~res._maxRequestsPerSocket > 0 ? `, max=${res._maxRequestsPerSocket}` : '';
        header += `Keep-Alive: timeout=${Math.floor(res._keepAliveTimeout / 1000)}${max}\r\n`;
      }
    }
  } else {
    res._last = true;
    header += 'Connection: close\r\n';
  }
  // and its framing for a head without Transfer-Encoding
  if (hasLength) {
    res._contentLength = contentLength;
  } else if (!res._hasBody) {
    res.chunkedEncoding = false;
  } else if (!res.useChunkedEncodingByDefault) {
    res._last = true;
  } else if (typeof res._contentLength === 'number') {
    header += 'Content-Length: ' + res._contentLength + '\r\n';
  } else {
    header += 'Transfer-Encoding: chunked\r\n';
    res.chunkedEncoding = true;
  }
  res._header = header + '\r\n';
  res._headerSent = false;
  return true;
}

/** The same head and state as Node's writeHead for each case, or the fast path stays off. */
function agreesWithNode(): boolean {
  if (outHeaders === null) return false;
  const cases: Array<[string, number, string[], boolean]> = [
    ['1.1', 200, ['Date', 'Mon, 07 Dec 2026 00:00:00 GMT', 'Content-Type', 'text/plain', 'Content-Length', '2', 'Via', '1.1 x'], true],
    ['1.1', 200, ['Date', 'Mon, 07 Dec 2026 00:00:00 GMT', 'X-A', 'b'], true],
    ['1.1', 404, ['Date', 'Mon, 07 Dec 2026 00:00:00 GMT', 'content-length', '0'], false],
    ['1.0', 200, ['Date', 'Mon, 07 Dec 2026 00:00:00 GMT', 'X-A', 'b'], true],
    ['1.0', 502, ['Date', 'Mon, 07 Dec 2026 00:00:00 GMT', 'Content-Length', '10'], true],
  ];
  const keys = ['_header', '_headerSent', '_last', '_contentLength', 'chunkedEncoding', 'statusCode', 'statusMessage', 'shouldKeepAlive'] as const;
  for (const [version, status, fields, keepAlive] of cases) {
    const make = (): NodeResponse => {
      const [major, minor] = version.split('.').map(Number);
      const res = new ServerResponse({ method: 'GET', httpVersionMajor: major, httpVersionMinor: minor, headers: {} } as never) as unknown as NodeResponse;
      res.shouldKeepAlive = keepAlive && minor === 1;
      res._keepAliveTimeout = 75000;
      return res;
    };
    const ours = make();
    const node = make();
    if (!storeHead(ours, status, fields)) return false;
    node.writeHead(status, fields as unknown as Record<string, string>);
    for (const key of keys) if (ours[key] !== node[key]) return false;
  }
  return true;
}

const FAST = agreesWithNode();

/**
 * Whether every field from entry `from` on is valid syntax (the rules writeHead checks by regex), for a list plugins
 * changed (the entries before `from` are known valid).
 */
export function validFields(fields: readonly string[], from = 0): boolean {
  for (let i = from; i < fields.length; i += 2) {
    const name = fields[i];
    const value = fields[i + 1];
    if (typeof name !== 'string' || typeof value !== 'string') return false;
    if (!isTokenName(name) || hasBadFieldChar(value, 0, value.length)) return false;
  }
  return true;
}

/** writeHead(status, fields) for an HTTP/1.x response; `fields` as storeHead requires. */
export function writeClientHead(res: ServerResponse | H1Response, status: number, fields: string[]): void {
  // the lean server's response frames the head itself, without per-field checks for trusted fields
  if (res instanceof H1Response) return res.writeTrustedHead(status, fields);
  if (!FAST || !storeHead(res as NodeResponse, status, fields)) res.writeHead(status, fields as unknown as Record<string, string>);
}

/** Bodies up to this size go out in the head's write (as one latin1 string); larger ones take res.end(body). */
const JOINED_BODY_MAX = 16 * 1024;

type ResponseSocket = NonNullable<ServerResponse['socket']> & { _httpMessage?: unknown };
type Latin1Buffer = Buffer & { latin1Slice(start: number, end: number): string };

/**
 * res.end(body) for a response whose head writeClientHead stored and whose whole body is `body`: head and body
 * in one socket write, past OutgoingMessage's write path (its cork, its queue, a writev of three pieces), then
 * end() finishes the response as usual. Anything else (a head Node stored, bytes already written, chunked
 * framing, a body that is not the announced length) is res.end(body).
 */
export function endClientResponse(res: ServerResponse | H1Response, body: Buffer): void {
  // the lean server's end() already writes the head and the body in one socket write
  if (res instanceof H1Response) {
    res.end(body);
    return;
  }
  const r = res as NodeResponse & { outputData: unknown[]; strictContentLength: boolean; finished: boolean };
  const socket = r.socket as ResponseSocket | null;
  if (
    !FAST ||
    r._header === null ||
    r._headerSent ||
    r.chunkedEncoding ||
    !r._hasBody ||
    r._contentLength !== body.length ||
    body.length > JOINED_BODY_MAX ||
    r.strictContentLength ||
    r.finished ||
    r.destroyed ||
    r.outputData.length !== 0 ||
    socket === null ||
    socket._httpMessage !== r ||
    !socket.writable
  ) {
    res.end(body);
    return;
  }
  socket.write(r._header + (body as Latin1Buffer).latin1Slice(0, body.length), 'latin1');
  r._headerSent = true;
  res.end();
}

/** For the spec: whether heads are stored here (false: this Node's writeHead differs, every head takes it). */
export const fastClientHead = FAST;

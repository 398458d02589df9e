// The response of one request on the lean HTTP/1 server (h1-server.ts): the part of node:http's ServerResponse
// the pipeline uses (writeHead, write, end, destroy, 'finish', 'close', 'drain', headersSent, statusCode ...),
// without OutgoingMessage's machinery (its Writable state, output queue, per-write callbacks and corking). The
// head is framed with the decisions Node's _storeHeader makes (Date, Connection and Keep-Alive, Content-Length
// or chunked), so a client sees the same bytes as from node:http. The head and a body given to end() leave in one
// socket write. One response owns the socket at a time: the connection hands the next request out only after
// this one finished (pipelined requests wait, see h1-server.ts).
import { EventEmitter } from 'node:events';
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { hasBadFieldChar, isToken } from '../upstream-http/response-parser';
import { utcDate } from '../forward/http-date';
import { writeLatin1Direct, Written } from './direct-write';

/** What the response tells its connection. */
export interface H1ResponseOwner {
  /** Callback of the response's last write: the connection finishes its current response ('finish', then 'close'). */
  readonly onEndWritten: (err?: Error | null) => void;
  readonly keepAliveTimeoutMs: number;
}

type HeaderValue = string | number | readonly string[];

const CLOSE_TOKEN = /(?:^|\W)close(?:$|\W)/i;
const CHUNKED = /(?:^|\W)chunked(?:$|\W)/i;
/** Lengths of the names the framing decisions look at (4..17): only those names are lower-cased. */
const WATCHED_LENGTH = new Uint8Array(32);
for (const name of ['connection', 'content-length', 'transfer-encoding', 'date', 'keep-alive']) WATCHED_LENGTH[name.length] = 1;
const SETTLED: Promise<undefined> = Promise.resolve(undefined);
/** Bodies up to this size are joined with the head (or the chunk framing) into one latin1 string write. */
const JOIN_MAX = 16 * 1024;

function invalidToken(name: string): TypeError {
  const err = new TypeError(`Header name must be a valid HTTP token ["${name}"]`) as TypeError & { code: string };
  err.code = 'ERR_INVALID_HTTP_TOKEN';
  return err;
}
function invalidChar(name: string): TypeError {
  const err = new TypeError(`Invalid character in header content ["${name}"]`) as TypeError & { code: string };
  err.code = 'ERR_INVALID_CHAR';
  return err;
}
function invalidValue(name: string, value: unknown): TypeError {
  const err = new TypeError(`Invalid value "${String(value)}" for header "${name}"`) as TypeError & { code: string };
  err.code = 'ERR_HTTP_INVALID_HEADER_VALUE';
  return err;
}

type Latin1Buffer = Buffer & { latin1Slice(start: number, end: number): string };

export class H1Response extends EventEmitter {
  statusCode = 200;
  statusMessage: string | undefined = undefined;
  sendDate = true;
  chunkedEncoding = false;
  /** Node's name: true once the response is over (finished or cut), as ServerResponse after 'close'. */
  destroyed = false;
  writableEnded = false;
  writableFinished = false;
  /** The head as written (latin1), null until writeHead: the access line counts it. */
  _header: string | null = null;
  socket: Socket | null;
  /** A write returned false: 'drain' is emitted when the socket drains. */
  needDrain = false;
  /** The request expects 100-continue and it has not been sent yet (h1-server sends it on the first body read). */
  _expect_continue = false;
  private hasBody: boolean;
  private headSent = false;
  private closed = false;
  /** Close the connection after this response. */
  private last = false;
  /** Content-Length of a body given to end() before any head: announced instead of chunked. */
  private endLength = -1;
  private fields: Map<string, [string, HeaderValue]> | null = null;
  private trailers = '';

  constructor(
    readonly req: IncomingMessage,
    socket: Socket,
    public shouldKeepAlive: boolean,
    private readonly owner: H1ResponseOwner,
  ) {
    super();
    this.socket = socket;
    this.hasBody = req.method !== 'HEAD';
  }

  get headersSent(): boolean {
    return this._header !== null;
  }

  get finished(): boolean {
    return this.writableEnded;
  }

  get writable(): boolean {
    return !this.writableEnded && !this.destroyed;
  }

  // --- fields set before the head (setHeader and friends)
  setHeader(name: string, value: HeaderValue): this {
    if (this._header !== null) throw headersSentError('set');
    if (!isToken(name, 0, name.length)) throw invalidToken(name);
    (this.fields ??= new Map()).set(name.toLowerCase(), [name, value]);
    return this;
  }

  getHeader(name: string): HeaderValue | undefined {
    return this.fields?.get(name.toLowerCase())?.[1];
  }

  hasHeader(name: string): boolean {
    return this.fields?.has(name.toLowerCase()) === true;
  }

  removeHeader(name: string): void {
    if (this._header !== null) throw headersSentError('remove');
    this.fields?.delete(name.toLowerCase());
  }

  getHeaderNames(): string[] {
    return this.fields === null ? [] : [...this.fields.keys()];
  }

  getHeaders(): Record<string, HeaderValue> {
    const out: Record<string, HeaderValue> = Object.create(null);
    if (this.fields !== null) for (const [key, [, value]] of this.fields) out[key] = value;
    return out;
  }

  addTrailers(headers: Record<string, string> | readonly [string, string][]): void {
    const pairs = Array.isArray(headers) ? headers : Object.entries(headers);
    for (const [name, value] of pairs as [string, string][]) {
      if (!isToken(name, 0, name.length)) throw invalidToken(name);
      if (hasBadFieldChar(String(value), 0, String(value).length)) throw invalidChar(name);
      this.trailers += `${name}: ${value}\r\n`;
    }
  }

  /** writeHead(status[, message][, headers]): headers as an object or a flat [name, value, ...] list. */
  writeHead(status: number, message?: string | Record<string, HeaderValue> | readonly string[], headers?: Record<string, HeaderValue> | readonly string[]): this {
    if (this._header !== null) throw headersSentError('write');
    if (typeof message !== 'string') {
      headers = message;
      message = undefined;
    }
    status |= 0;
    if (status < 100 || status > 999) {
      const err = new RangeError(`Invalid status code: ${status}`) as RangeError & { code: string };
      err.code = 'ERR_HTTP_INVALID_STATUS_CODE';
      throw err;
    }
    const list: unknown[] = [];
    if (this.fields !== null) {
      for (const [key, [name, value]] of this.fields) {
        if (headers !== undefined && !Array.isArray(headers) && hasKey(headers as Record<string, HeaderValue>, key)) continue;
        list.push(name, value);
      }
    }
    if (Array.isArray(headers)) {
      if (headers.length % 2 !== 0) throw invalidValue(String(headers[headers.length - 1]), undefined);
      for (let i = 0; i < headers.length; i++) list.push(headers[i]);
    } else if (headers !== undefined) {
      for (const name of Object.keys(headers)) {
        const value = (headers as Record<string, HeaderValue>)[name];
        if (value !== undefined) list.push(name, value);
      }
    }
    this.storeHead(status, message, list, true);
    return this;
  }

  /**
   * writeHead for a flat list of fields known to be valid syntax (checked by the upstream parser or built by us):
   * no per-field checks.
   */
  writeTrustedHead(status: number, fields: readonly string[]): void {
    if (this._header !== null) throw headersSentError('write');
    this.storeHead(status, undefined, fields, false);
  }

  private storeHead(status: number, message: string | undefined, list: readonly unknown[], validate: boolean): void {
    // a final answer to a request still waiting for its 100 Continue: whether its body follows is the client's
    // call (RFC 9110 §10.1.1), so the connection cannot carry another request
    if (this._expect_continue && !this.req.complete) this.last = true;
    const reason = message ?? STATUS_CODES[status] ?? 'unknown';
    let head = `HTTP/1.1 ${status} ${reason}\r\n`;
    let date = false;
    let connection = false;
    let keepAliveField = false;
    let contentLength = -1;
    let te = false;
    for (let i = 0; i < list.length; i += 2) {
      const name = list[i] as string;
      const raw = list[i + 1] as HeaderValue | undefined;
      if (validate) {
        if (typeof name !== 'string' || !isToken(name, 0, name.length)) throw invalidToken(String(name));
        if (raw === undefined || raw === null) throw invalidValue(name, raw);
      }
      if (WATCHED_LENGTH[name.length] === 1) {
        const lower = name.toLowerCase();
        const text = Array.isArray(raw) ? raw.join(', ') : String(raw);
        if (lower === 'date') date = true;
        else if (lower === 'connection') {
          connection = true;
          if (CLOSE_TOKEN.test(text)) this.last = true;
        } else if (lower === 'content-length') contentLength = +text;
        else if (lower === 'transfer-encoding') {
          te = true;
          if (CHUNKED.test(text)) this.chunkedEncoding = true;
        } else if (lower === 'keep-alive') keepAliveField = true;
      }
      if (Array.isArray(raw)) {
        for (const v of raw) {
          const value = String(v);
          if (validate && hasBadFieldChar(value, 0, value.length)) throw invalidChar(name);
          head += name + ': ' + value + '\r\n';
        }
      } else {
        const value = typeof raw === 'string' ? raw : String(raw);
        if (validate && hasBadFieldChar(value, 0, value.length)) throw invalidChar(name);
        head += name + ': ' + value + '\r\n';
      }
    }
    this.statusCode = status;
    this.statusMessage = reason;
    if ((status >= 100 && status < 200) || status === 204 || status === 304) this.hasBody = false;
    if (this.sendDate && !date) head += 'Date: ' + utcDate() + '\r\n';
    const req = this.req;
    const chunkedByDefault = (req.httpVersionMajor === 1 && req.httpVersionMinor >= 1) || CHUNKED.test(String(req.headers.te ?? ''));
    if (!connection) {
      // Node's keep-alive decision for a head without Connection
      if (this.shouldKeepAlive && !this.last && (contentLength !== -1 || chunkedByDefault)) {
        head += 'Connection: keep-alive\r\n';
        if (!keepAliveField) head += `Keep-Alive: timeout=${Math.floor(this.owner.keepAliveTimeoutMs / 1000)}\r\n`;
      } else {
        this.last = true;
        head += 'Connection: close\r\n';
      }
    } else if (!this.shouldKeepAlive) {
      this.last = true;
    }
    // and its framing for a head without Transfer-Encoding
    if (!te && contentLength === -1) {
      if (!this.hasBody) this.chunkedEncoding = false;
      else if (!chunkedByDefault) this.last = true;
      else if (this.endLength !== -1) head += 'Content-Length: ' + this.endLength + '\r\n';
      else {
        head += 'Transfer-Encoding: chunked\r\n';
        this.chunkedEncoding = true;
      }
    }
    this._header = head + '\r\n';
  }

  write(chunk: Buffer | string | Uint8Array, encoding?: BufferEncoding | ((err?: Error | null) => void), cb?: (err?: Error | null) => void): boolean {
    if (typeof encoding === 'function') {
      cb = encoding;
      encoding = undefined;
    }
    if (this.writableEnded || this.destroyed) {
      cb?.(new Error('write after end'));
      return false;
    }
    if (this._header === null) this.implicitHead();
    const data = typeof chunk === 'string' ? Buffer.from(chunk, encoding ?? 'utf8') : Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (!this.hasBody || data.length === 0) {
      if (!this.headSent) return this.flushHead(cb);
      if (cb) process.nextTick(cb);
      return true;
    }
    const ok = this.send(data, false, cb);
    if (!ok) this.needDrain = true;
    return ok;
  }

  end(chunk?: Buffer | string | Uint8Array | (() => void), encoding?: BufferEncoding | (() => void), cb?: () => void): this {
    if (typeof chunk === 'function') {
      cb = chunk;
      chunk = undefined;
    } else if (typeof encoding === 'function') {
      cb = encoding;
      encoding = undefined;
    }
    if (this.writableEnded) {
      if (cb) process.nextTick(cb);
      return this;
    }
    let data: Buffer | null = null;
    if (chunk !== undefined && chunk !== null) {
      data = typeof chunk === 'string' ? Buffer.from(chunk, (encoding as BufferEncoding | undefined) ?? 'utf8') : Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      if (this._header === null) this.endLength = data.length;
    } else if (this._header === null) {
      this.endLength = 0;
    }
    if (this._header === null) this.implicitHead();
    this.writableEnded = true;
    if (cb) this.once('finish', cb);
    if (this.destroyed || this.socket === null) return this;
    if (data !== null && (!this.hasBody || data.length === 0)) data = null;
    this.send(data, true, undefined);
    return this;
  }

  destroy(err?: Error): this {
    if (this.destroyed) return this;
    this.destroyed = true;
    if (this.socket !== null) this.socket.destroy(err);
    return this;
  }

  /** Bytes `data` (a body piece, or null) on the wire: the head first if it has not left, chunk framing when chunked. */
  private send(data: Buffer | null, last: boolean, cb: ((err?: Error | null) => void) | undefined): boolean {
    const socket = this.socket!;
    let prefix = '';
    if (!this.headSent) {
      prefix = this._header!;
      this.headSent = true;
    }
    let suffix = '';
    if (this.chunkedEncoding) {
      if (data !== null) {
        prefix += data.length.toString(16) + '\r\n';
        suffix = '\r\n';
      }
      if (last) suffix += '0\r\n' + this.trailers + '\r\n';
    }
    // the end of the response: the connection's one callback (no closure per response) finishes it
    const callback = last ? this.owner.onEndWritten : cb;
    if (data === null || data.length <= JOIN_MAX) {
      const text = data === null ? prefix + suffix : prefix + (data as Latin1Buffer).latin1Slice(0, data.length) + suffix;
      return last ? this.sendLast(socket, text) : socket.write(text, 'latin1', callback);
    }
    socket.cork();
    if (prefix !== '') socket.write(prefix, 'latin1');
    let ok = socket.write(data, suffix === '' ? callback : undefined);
    if (suffix !== '') ok = socket.write(suffix, 'latin1', callback);
    socket.uncork();
    return ok;
  }

  /** The response's last bytes: straight to the handle where it can take them (direct-write.ts). */
  private sendLast(socket: Socket, text: string): boolean {
    const onEndWritten = this.owner.onEndWritten;
    // the socket's timer is not restarted: once the response is finished the connection's deadlines count from its
    // next phase (h1-server.ts), whatever the timer says
    switch (writeLatin1Direct(socket, text, onEndWritten, false)) {
      case Written.No:
        return socket.write(text, 'latin1', onEndWritten);
      case Written.Done:
        // after this call stack, as a Writable's callback: 'finish' and the next pipelined request never run inside
        // end(). A promise job, not a tick (a read callback that schedules no tick skips Node's tick-queue pass) nor
        // queueMicrotask (an AsyncResource and a bound function per call)
        SETTLED.then(onEndWritten);
        return true;
      default:
        // Queued: onEndWritten follows the write; Failed: the socket's close ends the response
        return false;
    }
  }

  /** Node's _implicitHeader: the head from statusCode and the fields set so far. */
  private implicitHead(): void {
    this.writeHead(this.statusCode, this.statusMessage as string);
  }

  private flushHead(cb: ((err?: Error | null) => void) | undefined): boolean {
    this.headSent = true;
    const ok = this.socket!.write(this._header!, 'latin1', cb);
    if (!ok) this.needDrain = true;
    return ok;
  }

  /** The connection ended the response after 'finish' or cut it: 'close', once. */
  emitClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.destroyed = true;
    this.emit('close');
  }

  /** Whether the connection closes after this response. */
  get closesConnection(): boolean {
    return this.last || !this.shouldKeepAlive;
  }
}

function hasKey(headers: Record<string, HeaderValue>, lower: string): boolean {
  for (const name of Object.keys(headers)) if (name.toLowerCase() === lower) return true;
  return false;
}

function headersSentError(what: string): Error {
  const err = new Error(`Cannot ${what} headers after they are sent to the client`) as Error & { code: string };
  err.code = 'ERR_HTTP_HEADERS_SENT';
  return err;
}

// One upstream HTTP/1.1 connection: carries one request at a time (no pipelining), reads the response through the
// strict parser and hands its pieces straight to the handler, with backpressure both ways. It goes back to its pool
// only when the exchange ended cleanly (the whole request sent, the whole response read, nothing after it, and the
// upstream did not ask to close).
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { writeLatin1Direct, Written } from '../server/direct-write';
import { isIdempotent } from './idempotent';
import { upstreamError, type UpstreamError } from './errors';
import { BodyFraming, serializeHead, type SerializedHead } from './request-head';
import { ResponseParser, type ResponseEvents } from './response-parser';

export interface UpstreamRequest {
  readonly method: string;
  /** request-target, with the query string */
  readonly path: string;
  /** Flat [name, value, ...] list; Connection and framing headers are the client's business. */
  readonly headers: readonly string[];
  readonly body: Buffer | Readable | null;
  /** ms between two reads of the response (nginx proxy_read_timeout) */
  readonly readTimeout: number;
  /** ms a blocked write may wait for the upstream to take it (nginx proxy_send_timeout) */
  readonly writeTimeout: number;
  /** The method is known to be valid (llhttp parsed it, no plugin changed it): serializing does not test it again. */
  readonly methodChecked?: boolean;
  /**
   * How many leading entries of `headers` (a name or a value each) are known to be valid field syntax (parsed by
   * llhttp, built by us from such pieces): serializing tests only the entries after them, such as the fields a
   * plugin set (applyRequestHeaderChanges appends those at the end). The path is always tested.
   */
  readonly checkedFields?: number;
}

/** The forward step's side of one exchange. */
export interface UpstreamHandler {
  /** The call carrying this request (called again when a stale kept-alive connection made it start over). */
  onAttach(call: UpstreamCall): void;
  onHeaders(status: number, headers: string[]): void;
  /** false: the client is not taking more now; reading pauses until call.resume(). */
  onData(chunk: Buffer): boolean;
  /** One upstream read is parsed (a handler may hold its last chunk back until then); false: as onData's. */
  onReadEnd?(): boolean;
  onComplete(trailers: string[] | null): void;
  onError(err: UpstreamError): void;
}

export interface UpstreamCall {
  /** Drops the exchange (the client left): the connection is closed, no callback follows. */
  abort(handler: UpstreamHandler): void;
  resume(handler: UpstreamHandler): void;
}

/** What a connection needs from the pool that owns it. */
export interface ConnectionOwner {
  readonly keepAlive: boolean;
  readonly connectTimeout: number;
  readonly idleTimeout: number;
  /** false: close the connection instead of keeping it */
  release(conn: Http1Connection): boolean;
  forget(conn: Http1Connection): void;
  /** The same request again on a fresh connection. */
  retry(req: UpstreamRequest, handler: UpstreamHandler): void;
}

/** How a kept-alive connection the upstream had already closed fails when it is reused (not a timeout). */
const STALE_CODES = new Set(['UPSTREAM_CLOSED', 'ECONNRESET', 'EPIPE']);
const scratch: SerializedHead = { head: '', framing: BodyFraming.None };
/** One read buffer for every plain upstream socket: a read is parsed before the next one can land (one thread). */
const SHARED_READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

/**
 * net.connect options for a plain upstream socket that reads through Http1Connection.onSharedRead: no Readable
 * stream layer (push, 'data' emit and its nextTick per read). `target` is filled once the connection exists.
 */
export function sharedReadOptions(target: { conn: Http1Connection | null }): { buffer: Buffer; callback: (bytes: number, buf: Uint8Array) => boolean } {
  return {
    buffer: SHARED_READ_BUFFER,
    // true: reading goes on unless the connection paused the socket itself (backpressure from the client)
    callback(bytes, buf) {
      target.conn?.onSharedRead(bytes, buf as Buffer);
      return true;
    },
  };
}

const enum Phase {
  Connecting,
  Idle,
  /** the request is going out */
  Sending,
  /** the request is out: waiting for or reading the response */
  Receiving,
  Dead,
}

export class Http1Connection implements ResponseEvents, UpstreamCall {
  requests = 0;
  private phase = Phase.Connecting;
  private connected = false;
  private handler: UpstreamHandler | null = null;
  private request: UpstreamRequest | null = null;
  private readonly parser: ResponseParser;
  /** the socket timeout in force: connect timeout, then read timeout, idle timeout while pooled */
  private timeoutMs: number;
  private paused = false;
  private writeTimer: NodeJS.Timeout | null = null;
  private body: Readable | null = null;
  private chunked = false;
  private requestSent = false;
  /** A head written straight to the handle (direct-write.ts) still waits in libuv's queue: write_timeout runs. */
  private headQueued = false;

  /**
   * `sharedReads`: the socket reads into the one shared buffer (sharedReadOptions), not through a Readable: bytes kept
   * past the read (body chunks) are copied out.
   */
  constructor(
    private readonly owner: ConnectionOwner,
    readonly socket: Socket,
    secure: boolean,
    private readonly sharedReads = false,
  ) {
    this.parser = new ResponseParser(this);
    this.timeoutMs = owner.connectTimeout;
    socket.setNoDelay(true);
    socket.setTimeout(owner.connectTimeout);
    socket.on(secure ? 'secureConnect' : 'connect', this.onConnect.bind(this));
    if (!sharedReads) socket.on('data', this.onSocketData.bind(this));
    socket.on('end', this.onSocketEnd.bind(this));
    socket.on('error', this.onSocketError.bind(this));
    socket.on('close', this.onSocketClose.bind(this));
    socket.on('timeout', this.onSocketTimeout.bind(this));
    socket.on('drain', this.onSocketDrain.bind(this));
    this.onBodyData = this.onBodyData.bind(this);
    this.onBodyEnd = this.onBodyEnd.bind(this);
    this.onBodyError = this.onBodyError.bind(this);
    this.onWriteTimeout = this.onWriteTimeout.bind(this);
    this.onHeadWritten = this.onHeadWritten.bind(this);
  }

  get dead(): boolean {
    return this.phase === Phase.Dead;
  }

  /** Sends one request. Errors (a header a plugin broke included) come back through handler.onError. */
  start(req: UpstreamRequest, handler: UpstreamHandler): void {
    this.handler = handler;
    this.request = req;
    this.requests++;
    this.requestSent = false;
    this.parser.reset(req.method === 'HEAD');
    handler.onAttach(this);
    const body = req.body;
    const streamed = body !== null && !Buffer.isBuffer(body);
    try {
      serializeHead(req.method, req.path, req.headers, streamed, body !== null && !streamed ? (body as Buffer).length : -1, this.owner.keepAlive, req.methodChecked === true, req.checkedFields ?? 0, scratch);
    } catch (err) {
      this.fail(err as UpstreamError);
      return;
    }
    if (this.connected) {
      this.phase = Phase.Sending;
      this.setTimeout(req.readTimeout);
    }
    const socket = this.socket;
    let ok: boolean;
    if (streamed) {
      ok = socket.write(scratch.head, 'latin1');
      this.chunked = scratch.framing === BodyFraming.Chunked;
      this.body = body as Readable;
      // a fresh connection reads the body only once connected: a refused connection can then still be retried
      if (this.connected) this.startBody();
    } else if (body !== null && (body as Buffer).length > 0) {
      socket.cork();
      socket.write(scratch.head, 'latin1');
      ok = socket.write(body as Buffer);
      socket.uncork();
      this.requestSent = true;
    } else {
      const written = writeLatin1Direct(socket, scratch.head, this.onHeadWritten, true);
      if (written === Written.Queued) this.headQueued = true;
      ok = written === Written.No ? socket.write(scratch.head, 'latin1') : written !== Written.Queued;
      this.requestSent = true;
    }
    if (!ok) this.armWriteTimer();
    if (this.requestSent && this.connected) this.phase = Phase.Receiving;
  }

  abort(handler: UpstreamHandler): void {
    if (this.handler !== handler) return;
    this.handler = null;
    this.destroy();
  }

  resume(handler: UpstreamHandler): void {
    if (this.handler !== handler || !this.paused) return;
    this.paused = false;
    // a read timeout skipped while paused would otherwise not fire again before the next byte
    this.socket.setTimeout(this.timeoutMs);
    this.socket.resume();
  }

  destroy(): void {
    if (this.phase === Phase.Dead) return;
    this.phase = Phase.Dead;
    this.parser.halted = true;
    this.detachBody();
    this.clearWriteTimer();
    this.socket.destroy();
    this.owner.forget(this);
  }

  // ResponseEvents

  onResponseHead(status: number, headers: string[]): void {
    // an answer before the whole body went out (413...) is read under the read timeout all the same
    if (this.phase === Phase.Sending) this.phase = Phase.Receiving;
    this.handler!.onHeaders(status, headers);
  }

  onResponseBody(chunk: Buffer): void {
    const handler = this.handler;
    if (handler === null) return;
    // the shared read buffer is overwritten by the next read: what the handler may keep must be its own bytes
    if (this.sharedReads) chunk = Buffer.from(chunk);
    if (!handler.onData(chunk) && !this.paused && this.handler === handler) {
      this.paused = true;
      this.socket.pause();
    }
  }

  onResponseEnd(trailers: string[] | null, extra: boolean): void {
    const handler = this.handler;
    this.handler = null;
    this.request = null;
    // nginx: "upstream sent more data than specified" — the response is complete, the connection is not reused
    const reusable = handler !== null && !extra && this.parser.keepAlive && this.requestSent && this.phase !== Phase.Dead;
    if (reusable && this.owner.release(this)) {
      this.phase = Phase.Idle;
      this.setTimeout(this.owner.idleTimeout);
      if (this.paused) {
        this.paused = false;
        this.socket.resume();
      }
    } else {
      this.destroy();
    }
    handler?.onComplete(trailers);
  }

  // socket events

  private onConnect(): void {
    this.connected = true;
    if (this.phase === Phase.Dead) return;
    const req = this.request;
    if (req === null) return;
    this.setTimeout(req.readTimeout);
    this.phase = this.requestSent ? Phase.Receiving : Phase.Sending;
    if (this.body !== null) this.startBody();
  }

  /** onread's callback (sharedReads): `buf` is the shared buffer, valid until this returns. */
  onSharedRead(bytes: number, buf: Buffer): void {
    this.onSocketData(bytes === buf.length ? buf : buf.subarray(0, bytes));
  }

  private onSocketData(data: Buffer): void {
    if (this.handler === null) {
      // bytes on an idle connection: nothing can be trusted on it any more
      this.destroy();
      return;
    }
    try {
      this.parser.execute(data);
    } catch (err) {
      this.fail(err as UpstreamError);
      return;
    }
    const handler = this.handler;
    if (handler !== null && handler.onReadEnd !== undefined && !handler.onReadEnd() && !this.paused && this.handler === handler) {
      this.paused = true;
      this.socket.pause();
    }
  }

  private onSocketEnd(): void {
    if (this.handler !== null) {
      try {
        this.parser.finish();
      } catch (err) {
        this.fail(err as UpstreamError);
        return;
      }
    }
    this.destroy();
  }

  private onSocketError(err: Error): void {
    this.fail(err as UpstreamError);
  }

  private onSocketClose(): void {
    if (this.handler !== null) this.fail(upstreamError('UPSTREAM_CLOSED', 'upstream closed the connection'));
    else this.destroy();
  }

  private onSocketTimeout(): void {
    switch (this.phase) {
      case Phase.Connecting:
        this.fail(upstreamError('UPSTREAM_CONNECT_TIMEOUT', 'upstream timed out while connecting'));
        return;
      case Phase.Idle:
        this.destroy();
        return;
      case Phase.Receiving:
        // a client that reads slowly is not the upstream's delay
        if (this.paused) return;
        this.fail(upstreamError('UPSTREAM_READ_TIMEOUT', 'upstream timed out while reading response header from upstream'));
        return;
      default:
        // Sending: a slow client body is the client's timeout; a blocked write has its own timer
        return;
    }
  }

  private onSocketDrain(): void {
    this.clearWriteTimer();
    if (this.body !== null && this.body.isPaused()) this.body.resume();
  }

  // request body

  private startBody(): void {
    const body = this.body!;
    body.on('data', this.onBodyData);
    body.on('end', this.onBodyEnd);
    body.on('error', this.onBodyError);
    if (body.isPaused()) body.resume();
  }

  private onBodyData(chunk: Buffer | string): void {
    const socket = this.socket;
    let ok: boolean;
    if (this.chunked) {
      if (chunk.length === 0) return;
      socket.cork();
      socket.write(`${Buffer.byteLength(chunk).toString(16)}\r\n`, 'latin1');
      socket.write(chunk);
      ok = socket.write('\r\n', 'latin1');
      socket.uncork();
    } else {
      ok = socket.write(chunk);
    }
    if (!ok) {
      this.body!.pause();
      this.armWriteTimer();
    }
  }

  private onBodyEnd(): void {
    if (this.chunked) this.socket.write('0\r\n\r\n', 'latin1');
    this.detachBody();
    this.requestSent = true;
    if (this.phase === Phase.Sending) {
      this.phase = Phase.Receiving;
      // the read timeout counts from here (a stalled client body may have let it lapse unheeded)
      this.socket.setTimeout(this.timeoutMs);
    }
  }

  private onBodyError(err: Error): void {
    this.fail(Object.assign(err, { code: (err as UpstreamError).code ?? 'UPSTREAM_CLOSED' }) as UpstreamError);
  }

  private detachBody(): void {
    const body = this.body;
    if (body === null) return;
    this.body = null;
    body.removeListener('data', this.onBodyData);
    body.removeListener('end', this.onBodyEnd);
    body.removeListener('error', this.onBodyError);
  }

  private armWriteTimer(): void {
    if (this.writeTimer !== null || this.request === null) return;
    this.writeTimer = setTimeout(this.onWriteTimeout, this.request.writeTimeout);
  }

  private clearWriteTimer(): void {
    if (this.writeTimer === null) return;
    clearTimeout(this.writeTimer);
    this.writeTimer = null;
  }

  /** A queued direct head write left (an error destroyed the socket: its 'error' fails the exchange). */
  private onHeadWritten(err: Error | null): void {
    this.headQueued = false;
    if (err === null) this.clearWriteTimer();
  }

  private onWriteTimeout(): void {
    this.writeTimer = null;
    if (this.handler !== null && (this.socket.writableNeedDrain || this.headQueued)) this.fail(upstreamError('UPSTREAM_WRITE_TIMEOUT', 'upstream timed out while sending request to upstream'));
  }

  private setTimeout(ms: number): void {
    if (this.timeoutMs === ms) return;
    this.timeoutMs = ms;
    this.socket.setTimeout(ms);
  }

  /** Ends the exchange on an error; a kept-alive connection that died before answering is retried fresh once. */
  private fail(err: UpstreamError): void {
    const handler = this.handler;
    const req = this.request;
    const stale = this.requests > 1 && !this.parser.started && this.phase !== Phase.Dead && STALE_CODES.has(err.code);
    this.handler = null;
    this.request = null;
    this.destroy();
    if (handler === null || req === null) return;
    // the upstream closed a kept-alive connection as we reused it: nothing of the request was processed
    if (stale && isIdempotent(req.method) && (req.body === null || Buffer.isBuffer(req.body))) {
      this.owner.retry(req, handler);
      return;
    }
    handler.onError(err);
  }
}

// The proxy's HTTP/1.x server (cleartext and TLS listeners without http2): reads the socket, parses request heads
// and bodies with Node's own llhttp binding (the HTTPParser node:http uses), and hands each request to the
// pipeline as an IncomingMessage (Node's: the body stays a Readable) with an H1Response (h1-response.ts) instead of
// node:http's ServerResponse. node:http's server costs a proxied request about 3 µs of CPU more than this loop: its
// ServerResponse (an OutgoingMessage Writable with its queue and callbacks), the connections list and its checking
// interval, per-request timers and event hops. What it did and the pipeline relies on is kept, in one place:
// - keep-alive, and pipelining: a request parsed while another is answered waits (socket paused) until that
//   response finished; responses leave in order;
// - Expect: 100-continue answered when the body is first read, as nginx (417 for other expectations); a final
//   answer before that closes the connection, since the client may send the body or not;
// - framing and smuggling defences are llhttp's strict mode (CL+TE, duplicate Content-Length, bad chunk sizes),
//   its maxHeaderSize; its errors, a header-read timeout and socket errors go to the listener's clientError handler;
// - client_header_timeout (from a request's first byte), keep-alive idle timeout, and client_body_timeout /
//   send_timeout through libs/errors client-timeouts (the same rules as on the node:http servers);
// - Upgrade and CONNECT hand the socket over (the upgrade and connect handlers), with the bytes read past the head;
// - methods llhttp does not know but nginx takes (any token of A-Z, '_', '-': BREW, FOO_BAR) are parsed behind a
//   placeholder llhttp knows and handed out with their own name (unknown-method.ts);
// - a client that goes away destroys its request and closes its response ('close' unfinished: 499);
// - backpressure: a request body the pipeline does not take pauses the socket (IncomingMessage's own readStart/
//   readStop contract); a response write the socket does not take emits 'drain' later;
// - closeIdleConnections / closeAllConnections as node:http.Server's (graceful stop, main.ts).
import { IncomingMessage } from 'node:http';
import { Server as NetServer, type Socket } from 'node:net';
import { Server as TlsServer, type TlsOptions } from 'node:tls';
import { clientSocketTimedOut, clientTimeoutsOn, RequestLineMeter, requestLineLimit, startClientTimeout, type ClientTimeouts, type ParserError } from '@tollgate/errors';
import { http1RequestHasBody } from '../forward/request-body';
import { H1Response, type H1ResponseOwner } from './h1-response';
import { isMethodByte, refusedMethod, RTSP_METHOD_REASON } from './unknown-method';

/** Taken once: a binding re-exported by a library's index is a getter call on every use, and this one runs per request. */
const startRequestTimeout = startClientTimeout;

interface LlhttpParser {
  initialize(type: number, resource: object, maxHeaderSize: number, lenient: number): void;
  execute(data: Buffer): number | (ParserError & { bytesParsed?: number; reason?: string });
  finish(): number | (ParserError & { reason?: string }) | undefined;
  close(): void;
  /** Reads the socket's stream handle itself (in C++): no Readable, no 'data' event per read. */
  consume(handle: object): void;
  unconsume(): void;
  getCurrentBuffer(): Buffer;
  [callback: number]: unknown;
  conn: H1Connection | null;
}

interface LlhttpBinding {
  HTTPParser: {
    new (): LlhttpParser;
    REQUEST: number;
    kOnHeaders: number;
    kOnHeadersComplete: number;
    kOnBody: number;
    kOnMessageComplete: number;
    kOnExecute: number;
    kLenientNone: number;
  };
  methods: string[];
}

// `_http_common` is node:http's own module (no deprecation warning, unlike process.binding('http_parser')).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { HTTPParser, methods } = require('_http_common') as LlhttpBinding;

/**
 * llhttp's method numbers (its `llhttp_method` enum): `methods` lists the HTTP ones in that order up to SOURCE (33);
 * PRI (34) and QUERY (46) follow the RTSP block, as in Node's own `allMethods`.
 */
const METHOD_BY_CODE: string[] = methods.slice(0, 34);
METHOD_BY_CODE[34] = 'PRI';
METHOD_BY_CODE[46] = 'QUERY';

/** Header fields of a request kept (node:http's maxHeadersCount default); later ones are dropped. HTTP/2 listeners take as many. */
export const MAX_HEADER_FIELDS = 1000;
/** The same as raw entries (name, value). */
const MAX_HEADER_PAIRS = MAX_HEADER_FIELDS * 2;

/**
 * What llhttp is given in place of a method it does not know. PUT: no method of llhttp's list extends it (so after it
 * llhttp stops on anything but a space), and llhttp frames a request the same whatever its method but CONNECT.
 */
const PLACEHOLDER_METHOD = Buffer.from('PUT', 'latin1');
/** How much of a request line spread over reads is kept to find an unknown method in a later read; more is dropped. */
const LINE_READS_MAX_BYTES = 1024;
const LINE_READS_MAX = 16;

export interface H1Handlers {
  request(req: IncomingMessage, res: H1Response): void;
  upgrade(req: IncomingMessage, socket: Socket, head: Buffer): void;
  connect(req: IncomingMessage, socket: Socket): void;
  clientError(err: ParserError, socket: Socket): void;
}

export interface H1Settings {
  /** Largest request head (llhttp's limit); 0: Node's default (16 KiB). */
  readonly maxHeaderSize: number;
  /** ms from a request's first byte to the end of its head (client_header_timeout). */
  readonly headersTimeout: number;
  /** ms a connection may idle between requests. */
  readonly keepAliveTimeout: number;
  readonly timeouts: ClientTimeouts;
}

/** What main.ts calls on every protocol server at a graceful stop (node:http.Server's methods). */
export interface H1Control {
  closeIdleConnections(): void;
  closeAllConnections(): void;
}

const enum Phase {
  /** Accepted, nothing read yet: idle for closeIdleConnections, header timeout from the accept. */
  Fresh,
  /** Bytes of a request head read. */
  Head,
  /** A request handed out, its response not finished. */
  Request,
  /** Between requests (keep-alive). */
  Idle,
  /** Handed over (upgrade), failed or closing: nothing more is parsed. */
  Dead,
}

interface StreamHandle {
  isStreamBase?: boolean;
  _consumed?: boolean;
  reading?: boolean;
  readStart(): number;
  readStop(): number;
}
type HttpSocket = Socket & { _httpMessage?: H1Response | null; _paused?: boolean; _handle?: StreamHandle | null; _unrefTimer(): void };
type ParsedRequest = IncomingMessage & {
  _addHeaderLines(headers: string[], n: number): void;
  _dump(): void;
  _read(n: number): void;
  _dumped?: boolean;
  _consuming?: boolean;
  _readableState: { resumeScheduled: boolean; emittedReadable: boolean; length: number };
  upgrade: boolean;
};

class ConnectionGroup {
  readonly connections = new Set<H1Connection>();
  readonly timeoutsOn: boolean;

  constructor(
    readonly settings: H1Settings,
    readonly handlers: H1Handlers,
  ) {
    this.timeoutsOn = clientTimeoutsOn(settings.timeouts);
  }

  readonly accept = (socket: Socket): void => {
    this.connections.add(new H1Connection(this, socket as HttpSocket));
  };

  closeIdle(): void {
    for (const conn of this.connections) if (conn.phase === Phase.Idle || conn.phase === Phase.Fresh) conn.socket.destroy();
  }

  closeAll(): void {
    for (const conn of this.connections) conn.socket.destroy();
  }
}

function noop(): void {}

/** nginx's lingering_timeout and lingering_time: how long a refused body is still read (and dropped) after the answer. */
const LINGER_IDLE_MS = 5_000;
const LINGER_MAX_MS = 30_000;

/**
 * nginx's lingering close, for an answer sent before the request body was read (413 for a body too large): the
 * answer leaves with our FIN, and what the client still sends is read and dropped until it stops (its FIN, 5 s
 * without data, 30 s in all). Closing at once would reset the connection while the client is still sending, and
 * the reset can destroy the answer before the client reads it.
 */
function lingerThenClose(socket: HttpSocket, req: ParsedRequest): void {
  socket.end();
  const started = performance.now();
  const idle = setTimeout(() => socket.destroy(), LINGER_IDLE_MS);
  req.on('data', () => {
    if (performance.now() - started > LINGER_MAX_MS) socket.destroy();
    else idle.refresh();
  });
  req.resume();
  socket.once('close', () => clearTimeout(idle));
  socket.once('end', () => socket.destroy());
}

class H1Connection implements H1ResponseOwner {
  phase = Phase.Fresh;
  /** When the current phase started (performance.now()): the header and keep-alive deadlines count from it. */
  phaseStart = performance.now();
  /** The socket timeout armed (ms); -1: unknown (someone else set it). */
  private timerMs = -1;
  private parser: LlhttpParser | null;
  /** The response being written; the connection's other requests wait for it. */
  private res: H1Response | null = null;
  /** The last request parsed (its body may still be arriving). */
  private incoming: ParsedRequest | null = null;
  /** Requests parsed while a response was in progress, with their keep-alive flags. */
  private queue: Array<[ParsedRequest, boolean]> | null = null;
  /** An Upgrade or CONNECT request: the socket is handed over after this read. */
  private upgrade: ParsedRequest | null = null;
  /** Header fields and URL of a head split over reads (llhttp's kOnHeaders), and trailers. */
  headerPairs: string[] = [];
  url = '';
  readonly keepAliveTimeoutMs: number;
  readonly onEndWritten: (err?: Error | null) => void;
  private readonly onData: (chunk: Buffer) => void;
  private readonly onError: (err: Error) => void;
  private readonly onEnd: () => void;
  private readonly onClose: () => void;
  private readonly onDrain: () => void;
  private readonly onTimeout: () => void;
  /** The current request has no body: llhttp's message-complete callback is unset (headersComplete ends it). */
  private endsWithHead = false;
  /** The parser reads the socket's handle (consume): socket pause/resume must stop and start the handle. */
  private consumed = false;
  /** A head spread over reads: whether its request line is what overflowed (414) or a header (400). Made when a head first spans reads. */
  private line: RequestLineMeter | null = null;
  /**
   * The reads of a head whose request line is still open, so that a method llhttp refuses in a later read can be found
   * from its start (`line` open and this null: too much to keep, such a method is refused). Replaced by the next head
   * spanning reads: at most LINE_READS_MAX_BYTES stay behind.
   */
  private lineReads: Buffer[] | null = null;
  private lineReadBytes = 0;
  /** A parse error behind the requests being answered: the listener's clientError handler gets it after them. */
  private deferredError: ParserError | null = null;
  /** The method of the head llhttp is parsing behind PLACEHOLDER_METHOD: what its request is handed out with. */
  unknownMethod: string | null = null;
  /** A refused method whose token did not end in the bytes read: its rest is read here before llhttp sees it. */
  private openMethod: { name: string; error: ParserError } | null = null;

  constructor(
    private readonly group: ConnectionGroup,
    readonly socket: HttpSocket,
  ) {
    const settings = group.settings;
    this.keepAliveTimeoutMs = settings.keepAliveTimeout;
    const parser = new HTTPParser();
    parser.initialize(HTTPParser.REQUEST, {}, settings.maxHeaderSize, HTTPParser.kLenientNone);
    parser.conn = this;
    parser[HTTPParser.kOnHeaders] = onParserHeaders;
    parser[HTTPParser.kOnHeadersComplete] = onParserHeadersComplete;
    parser[HTTPParser.kOnBody] = onParserBody;
    parser[HTTPParser.kOnMessageComplete] = onParserMessageComplete;
    parser[HTTPParser.kOnExecute] = onParserExecute;
    this.parser = parser;
    this.onEndWritten = (err) => this.finishResponse(err);
    this.onData = (chunk) => this.read(chunk);
    this.onError = (err) => this.clientError(err as ParserError);
    this.onEnd = () => this.ended();
    this.onClose = () => this.closed();
    this.onDrain = () => this.drained();
    this.onTimeout = () => this.timedOut();
    socket.on('data', this.onData);
    socket.on('error', this.onError);
    socket.on('end', this.onEnd);
    socket.on('close', this.onClose);
    socket.on('drain', this.onDrain);
    socket.on('timeout', this.onTimeout);
    this.wantTimeout(settings.headersTimeout);
    // As node:http: the parser reads the handle itself; bytes already buffered in the Readable (a front door's
    // unshift) still arrive as 'data'.
    const handle = socket._handle;
    if (handle?.isStreamBase === true && handle._consumed !== true) {
      handle._consumed = true;
      this.consumed = true;
      parser.consume(handle);
      socket.on('pause', onSocketPause);
      socket.on('resume', onSocketResume);
    }
  }

  private wantTimeout(ms: number): void {
    if (ms === this.timerMs) return;
    this.timerMs = ms;
    this.socket.setTimeout(ms);
  }

  /** Bytes that reached the Readable ('data'): before the handle was consumed, or unshifted by a front door. */
  private read(chunk: Buffer): void {
    const parser = this.parser;
    if (parser === null || this.phase === Phase.Dead) return;
    if (this.openMethod !== null) return this.methodContinued(parser, chunk);
    this.executed(parser.execute(chunk), chunk);
  }

  /**
   * After llhttp parsed a read (`chunk` undefined: a read of the consumed handle, see getCurrentBuffer). `wire`: the
   * read as it came when llhttp was given something else (`chunk`, after an unknown method): what the meters measure.
   */
  executed(ret: number | (ParserError & { reason?: string }), chunk: Buffer | undefined, wire?: Buffer): void {
    if (this.phase === Phase.Dead) return;
    // Consumed reads do not restart the socket's timer themselves. A read that leaves a request complete and being
    // answered needs no restart: no body timeout runs any more, and a send timeout that fires early only starts
    // watching the writes (client-timeouts).
    if (chunk === undefined && !(this.phase === Phase.Request && this.incoming !== null && this.incoming.complete)) this.socket._unrefTimer();
    if (typeof ret !== 'number') {
      const read = chunk ?? this.parser?.getCurrentBuffer();
      if (read !== undefined && refusedAsMethod(ret)) return this.methodRefused(ret, read, wire ?? read);
      return this.failed(ret, wire ?? read);
    }
    if (this.upgrade !== null) return this.handOver(this.upgrade, (chunk ?? this.parser!.getCurrentBuffer()).subarray(ret));
    if (this.phase === Phase.Idle || this.phase === Phase.Fresh) {
      // bytes parsed and no request handed out: a head began in this read. Its deadline counts from here, as from
      // llhttp's message-begin event, which is not listened to (a JS call per request). A pipelined head behind a
      // request in progress starts its time when it is handed out.
      if (ret > 0) {
        this.phase = Phase.Head;
        this.phaseStart = performance.now();
        this.wantTimeout(this.group.settings.headersTimeout);
        const read = wire ?? chunk ?? this.parser!.getCurrentBuffer();
        const line = (this.line ??= new RequestLineMeter());
        line.begin(read);
        this.lineReads = null;
        if (line.open) this.keepLineRead(read);
      }
      return;
    }
    if (this.phase === Phase.Head && this.line !== null && this.line.open) {
      const read = wire ?? chunk ?? this.parser!.getCurrentBuffer();
      this.line.measure(read);
      if (!this.line.open) this.lineReads = null;
      else if (this.lineReads !== null) this.keepLineRead(read);
    }
    // a head trickling in: the deadline counts from its first byte, whatever arrives since
    if (this.phase === Phase.Head && performance.now() - this.phaseStart >= this.group.settings.headersTimeout) this.headTimedOut();
  }

  /** A read llhttp refused (`read`: as it came): the listener's clientError handler answers. */
  private failed(err: ParserError & { reason?: string }, read: Buffer | undefined): void {
    err.rawPacket = read;
    if (this.phase === Phase.Head && read !== undefined && this.line !== null) {
      this.line.measure(read);
      err.requestLineBytes = this.line.bytes;
    }
    if (typeof err.reason === 'string') err.message = `Parse Error: ${err.reason}`;
    if (this.res !== null && this.incoming !== null && this.incoming.complete) {
      // a bad head pipelined behind requests still being answered: as nginx, those are answered first (the 400
      // would cut them off), and nothing more is read
      this.deferredError ??= err;
      this.socket._paused = true;
      this.socket.pause();
      return;
    }
    this.clientError(err);
  }

  private keepLineRead(read: Buffer): void {
    const reads = (this.lineReads ??= []);
    if (reads.length === 0) this.lineReadBytes = 0;
    this.lineReadBytes += read.length;
    if (this.lineReadBytes > LINE_READS_MAX_BYTES || reads.length === LINE_READS_MAX) this.lineReads = null;
    else reads.push(read);
  }

  // --- methods llhttp does not know (unknown-method.ts); none of this runs for a method it knows

  /**
   * llhttp stopped on a method in `read` (what it was given; `wire`: the read as it came). One nginx takes is parsed
   * behind PLACEHOLDER_METHOD by the parser, initialised again, from the space after it; so are the ones after it in
   * the same read. Any other is refused as before.
   */
  private methodRefused(err: ParserError & { reason?: string; bytesParsed?: number }, read: Buffer, wire: Buffer): void {
    const parser = this.parser;
    if (parser === null) return this.failed(err, wire);
    let bytes = read;
    // a head begun in an earlier read: its method may have too
    if (this.phase === Phase.Head && this.line !== null && this.line.open) {
      if (this.lineReads === null) return this.failed(err, wire);
      bytes = Buffer.concat([...this.lineReads, read]);
    }
    for (;;) {
      const skipped = bytes.length - read.length;
      const span = refusedMethod(bytes, skipped + (err.bytesParsed ?? 0), err.code !== 'HPE_INVALID_METHOD');
      if (span === null) return this.failed(err, wire);
      const length = span.end - span.start;
      if (length > this.methodLimit()) return this.failed(methodTooLong(length), wire);
      this.restartParser(parser);
      parser.execute(PLACEHOLDER_METHOD);
      const name = bytes.toString('latin1', span.start, span.end);
      if (span.open) return this.methodOpen(name, err, wire);
      this.unknownMethod = name;
      parser[HTTPParser.kOnHeadersComplete] = onParserHeadersCompleteUnknown;
      const rest = span.end >= skipped ? read.subarray(span.end - skipped) : bytes.subarray(span.end);
      const ret = parser.execute(rest);
      if (this.phase === Phase.Dead) return;
      if (typeof ret === 'number') return this.executed(ret, rest, wire);
      if (!refusedAsMethod(ret)) {
        if (ret.code === 'HPE_HEADER_OVERFLOW' && this.phase !== Phase.Head) ret.requestLineBytes = lineLength(rest, length);
        return this.failed(ret, wire);
      }
      // the next request of the same read
      err = ret;
      bytes = read = rest;
    }
  }

  /**
   * The read ended inside a refused method: llhttp waits after PLACEHOLDER_METHOD (a FIN now is a request cut short,
   * as for any head) and the next reads come through the socket ('data', read()) so that the token's rest is seen
   * before llhttp sees what follows it.
   */
  private methodOpen(name: string, err: ParserError, wire: Buffer): void {
    this.openMethod = { name, error: err };
    if (this.consumed) {
      this.consumed = false;
      this.parser!.unconsume();
      const socket = this.socket;
      if (socket._handle) socket._handle._consumed = false;
      socket.removeListener('pause', onSocketPause);
      socket.removeListener('resume', onSocketResume);
    }
    this.executed(wire.length, wire, wire);
  }

  /** The next read after a method left open: its first bytes finish the token (or show it is none nginx takes). */
  private methodContinued(parser: LlhttpParser, chunk: Buffer): void {
    const open = this.openMethod!;
    let end = 0;
    while (end < chunk.length && isMethodByte(chunk[end])) end++;
    const length = open.name.length + end;
    if (length > this.methodLimit()) return this.failed(methodTooLong(length), chunk);
    open.name += chunk.toString('latin1', 0, end);
    if (end === chunk.length) return this.executed(chunk.length, chunk, chunk);
    this.openMethod = null;
    if (chunk[end] !== 0x20) return this.failed(open.error, chunk);
    this.unknownMethod = open.name;
    parser[HTTPParser.kOnHeadersComplete] = onParserHeadersCompleteUnknown;
    const rest = chunk.subarray(end);
    const ret = parser.execute(rest);
    if (typeof ret !== 'number' && refusedAsMethod(ret)) return this.methodRefused(ret, rest, chunk);
    this.executed(ret, rest, chunk);
  }

  /** A method longer than a request line may be is nginx's 414 (the line does not fit its buffer). */
  private methodLimit(): number {
    return requestLineLimit(this.group.settings.maxHeaderSize);
  }

  private restartParser(parser: LlhttpParser): void {
    parser.initialize(HTTPParser.REQUEST, {}, this.group.settings.maxHeaderSize, HTTPParser.kLenientNone);
    this.headerPairs = [];
    this.url = '';
  }

  // --- parser events (called with the parser as `this`, see below)
  headersComplete(
    versionMajor: number, versionMinor: number, headers: string[] | undefined, method: string, url: string | undefined, upgrade: boolean, keepAlive: boolean,
  ): number {
    if (headers === undefined) {
      headers = this.headerPairs;
      this.headerPairs = [];
    }
    if (url === undefined || url === '') {
      url = this.url;
      this.url = '';
    }
    const req = new IncomingMessage(this.socket) as ParsedRequest;
    req.httpVersionMajor = versionMajor;
    req.httpVersionMinor = versionMinor;
    req.httpVersion = `${versionMajor}.${versionMinor}`;
    req.url = url;
    req.upgrade = upgrade;
    req._addHeaderLines(headers, headers.length < MAX_HEADER_PAIRS ? headers.length : MAX_HEADER_PAIRS);
    req.method = method;
    if (upgrade) {
      // the rest of this read belongs to the new protocol (WebSocket) or is refused (CONNECT)
      this.upgrade = req;
      return 2;
    }
    this.incoming = req;
    // A request without a body is complete with its head: it is ended here, after it is handed out as llhttp's
    // message-complete event would, and that event is not listened to (a JS call per request)
    const bodiless = !http1RequestHasBody(req.headers);
    if (bodiless !== this.endsWithHead) {
      this.endsWithHead = bodiless;
      this.parser![HTTPParser.kOnMessageComplete] = bodiless ? undefined : onParserMessageComplete;
    }
    if (this.res !== null || this.queue !== null) {
      // pipelined: answered once the responses before it finished; read no further meanwhile
      (this.queue ??= []).push([req, keepAlive]);
      this.socket._paused = true;
      this.socket.pause();
    } else {
      this.dispatch(req, keepAlive);
    }
    if (bodiless) this.messageComplete();
    return 0;
  }

  body(chunk: Buffer): void {
    const req = this.incoming;
    if (req === null || req._dumped) return;
    // IncomingMessage's contract: push() false stops the socket, its _read() resumes it (unless _paused)
    if (!req.push(chunk)) this.socket.pause();
  }

  messageComplete(): void {
    const req = this.incoming;
    if (req !== null && !req.complete) {
      req.complete = true;
      if (this.headerPairs.length > 0) {
        req._addHeaderLines(this.headerPairs, this.headerPairs.length); // trailers
        this.headerPairs = [];
        this.url = '';
      }
      // No reader yet (a bodiless request, as it is dispatched): the 'readable' tick the end would schedule has no
      // one to tell. A later reader still gets 'end' (read, resume and on('readable') run the stream themselves).
      const state = req._readableState;
      if (req.readableFlowing === null && state.length === 0 && req.listenerCount('readable') === 0) state.emittedReadable = true;
      req.push(null);
    }
    const socket = this.socket;
    if (!socket._paused && socket.readable) socket.resume();
  }

  private dispatch(req: ParsedRequest, keepAlive: boolean): void {
    const socket = this.socket;
    const group = this.group;
    const res = new H1Response(req, socket, keepAlive, this);
    this.res = res;
    socket._httpMessage = res;
    this.phase = Phase.Request;
    if (group.timeoutsOn) {
      const bodyMs = group.settings.timeouts.bodyMs;
      startRequestTimeout(socket, group.settings.timeouts, this.timerMs !== bodyMs);
      this.timerMs = bodyMs;
    }
    if (req.httpVersionMajor === 1 && req.httpVersionMinor === 1) {
      const expect = req.headers.expect;
      if (expect !== undefined) {
        if (!/(?:^|\W)100-continue(?:$|\W)/i.test(expect)) {
          res.writeHead(417);
          res.end();
          return;
        }
        // as nginx: 100 Continue goes out when the body is first read (proxied, or a plugin reads it), so a request
        // refused before that (401 from key-auth) is answered without inviting the body; H1Response then closes
        res._expect_continue = true;
        const read = req._read;
        req._read = function continueThenRead(this: ParsedRequest, n: number) {
          if (res._expect_continue && !res.headersSent && !socket.destroyed) {
            res._expect_continue = false;
            socket.write('HTTP/1.1 100 Continue\r\n\r\n', 'latin1');
          }
          this._read = read;
          return read.call(this, n);
        };
      }
    }
    group.handlers.request(req, res);
  }

  /** The last write of the current response completed: 'finish', 'close', then the next request or the end. */
  private finishResponse(err: Error | null | undefined): void {
    const res = this.res;
    if (err || res === null || res.writableFinished) return; // a failed write: the socket's close ends it
    res.writableFinished = true;
    res.emit('finish');
    if (this.res !== res) return;
    this.res = null;
    const socket = this.socket;
    socket._httpMessage = null;
    res.socket = null;
    const req = res.req as ParsedRequest;
    // a body nobody read is read off the wire and dropped (Node's _dump), so the connection stays usable
    if (!req._consuming && !req._readableState.resumeScheduled && !(req.complete && req.readableLength === 0)) req._dump();
    res.emitClose();
    if (this.phase === Phase.Dead) return;
    if (res.closesConnection) {
      this.phase = Phase.Dead;
      if (!req.complete && !req.destroyed) return lingerThenClose(socket, req);
      socket.destroySoon();
      return;
    }
    const queue = this.queue;
    if (queue !== null) {
      const [next, keepAlive] = queue.shift()!;
      if (queue.length === 0) {
        this.queue = null;
        if (this.deferredError === null) {
          socket._paused = false;
          socket.resume();
        }
      }
      this.dispatch(next, keepAlive);
      return;
    }
    const deferred = this.deferredError;
    if (deferred !== null) {
      this.deferredError = null;
      return this.clientError(deferred);
    }
    this.phase = Phase.Idle;
    this.phaseStart = performance.now();
    if (this.timerMs <= 0 || this.timerMs > this.keepAliveTimeoutMs) this.wantTimeout(this.keepAliveTimeoutMs);
  }

  private drained(): void {
    const res = this.res;
    if (res !== null && res.needDrain) {
      res.needDrain = false;
      res.emit('drain');
    }
  }

  private timedOut(): void {
    const settings = this.group.settings;
    switch (this.phase) {
      case Phase.Fresh:
      case Phase.Head: {
        const left = settings.headersTimeout - (performance.now() - this.phaseStart);
        if (left <= 1) return this.headTimedOut();
        this.timerMs = -1;
        return this.wantTimeout(Math.ceil(left));
      }
      case Phase.Idle: {
        const left = this.keepAliveTimeoutMs - (performance.now() - this.phaseStart);
        if (left <= 1) return void this.socket.destroy();
        this.timerMs = -1;
        return this.wantTimeout(Math.ceil(left));
      }
      case Phase.Request:
        // the header timer still armed while a request is out: only client_body_timeout/send_timeout cut here
        if (!this.group.timeoutsOn) return;
        this.timerMs = -1;
        return clientSocketTimedOut(settings.timeouts, this.socket);
      default:
        this.socket.destroy();
    }
  }

  private headTimedOut(): void {
    const err = new Error('Request timeout') as ParserError;
    err.code = 'ERR_HTTP_REQUEST_TIMEOUT';
    this.clientError(err);
  }

  /** As node:http's socketOnError: the listener's clientError handler answers (or destroys), once. */
  private clientError(err: ParserError): void {
    const socket = this.socket;
    if (this.phase === Phase.Dead) {
      socket.destroy();
      return;
    }
    this.phase = Phase.Dead;
    socket.removeListener('error', this.onError);
    socket.on('error', noop);
    this.group.handlers.clientError(err, socket);
  }

  /** The client finished sending (FIN): a request cut short is a parse error; otherwise the socket ends too. */
  private ended(): void {
    if (this.deferredError !== null) return; // answered, then closed, once the requests before it are
    const parser = this.parser;
    const ret = parser !== null && this.phase !== Phase.Dead ? parser.finish() : undefined;
    if (ret !== undefined && typeof ret !== 'number') {
      if (typeof ret.reason === 'string') ret.message = `Parse Error: ${ret.reason}`;
      return this.clientError(ret);
    }
    if (this.socket.writable) this.socket.end();
  }

  private closed(): void {
    this.phase = Phase.Dead;
    this.group.connections.delete(this);
    this.release();
    const socket = this.socket;
    socket._httpMessage = null;
    const aborted = (): Error => Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
    const res = this.res;
    this.res = null;
    if (res !== null && !res.req.destroyed) res.req.destroy(aborted());
    const req = this.incoming;
    if (req !== null && !req.complete && !req.destroyed) req.destroy(aborted());
    const queue = this.queue;
    this.queue = null;
    if (queue !== null) for (const [waiting] of queue) if (!waiting.destroyed) waiting.destroy(aborted());
    // a response not finished: cut (the access line logs what was sent, or 499)
    if (res !== null) res.emitClose();
  }

  private release(): void {
    const parser = this.parser;
    if (parser === null) return;
    this.parser = null;
    parser.conn = null;
    if (this.consumed) {
      this.consumed = false;
      parser.unconsume();
      const socket = this.socket;
      if (socket._handle) socket._handle._consumed = false;
      socket.removeListener('pause', onSocketPause);
      socket.removeListener('resume', onSocketResume);
    }
    // not from inside one of its own callbacks (an upgrade is handed over from kOnExecute)
    setImmediate(closeParser, parser);
  }

  /** Upgrade / CONNECT: the socket leaves this server, with the bytes read past the head. */
  private handOver(req: ParsedRequest, head: Buffer): void {
    this.upgrade = null;
    const socket = this.socket;
    this.phase = Phase.Dead;
    this.group.connections.delete(this);
    socket.removeListener('data', this.onData);
    socket.removeListener('error', this.onError);
    socket.removeListener('end', this.onEnd);
    socket.removeListener('close', this.onClose);
    socket.removeListener('drain', this.onDrain);
    socket.removeListener('timeout', this.onTimeout);
    socket.setTimeout(0);
    this.release();
    socket._httpMessage = null;
    (socket as { readableFlowing: boolean | null }).readableFlowing = null;
    if (req.method === 'CONNECT') this.group.handlers.connect(req, socket);
    else this.group.handlers.upgrade(req, socket, head);
  }
}

function closeParser(parser: LlhttpParser): void {
  parser.close();
}

function onParserExecute(this: LlhttpParser, ret: number | (ParserError & { reason?: string })): void {
  this.conn?.executed(ret, undefined);
}

/** A consumed handle is not read through the Readable: pausing the socket must stop the handle (node:http's). */
function onSocketPause(this: HttpSocket): void {
  const handle = this._handle;
  if (handle && handle.reading) {
    handle.reading = false;
    handle.readStop();
  }
}

function onSocketResume(this: HttpSocket): void {
  if (this._paused) {
    this.pause();
    return;
  }
  const handle = this._handle;
  if (handle && !handle.reading) {
    handle.reading = true;
    handle.readStart();
  }
}

function onParserHeaders(this: LlhttpParser, headers: string[], url: string): void {
  const conn = this.conn;
  if (conn === null) return;
  if (conn.headerPairs.length < MAX_HEADER_PAIRS) for (const h of headers) conn.headerPairs.push(h);
  conn.url += url;
}

function onParserHeadersComplete(
  this: LlhttpParser, versionMajor: number, versionMinor: number, headers: string[] | undefined, method: number, url: string | undefined,
  _statusCode: unknown, _statusMessage: unknown, upgrade: boolean, keepAlive: boolean,
): number {
  const conn = this.conn;
  if (conn === null) return 0;
  const name = METHOD_BY_CODE[method];
  // llhttp also parses RTSP/x.x request lines (PLAY, SETUP...), which have no HTTP method: nginx answers 400, and so
  // does a head this callback fails (-1: llhttp's user-callback error, through the listener's clientError handler)
  if (name === undefined) return -1;
  return conn.headersComplete(versionMajor, versionMinor, headers, name, url, upgrade, keepAlive);
}

/** The head parsed behind PLACEHOLDER_METHOD: handed out with its own method; the next ones are llhttp's again. */
function onParserHeadersCompleteUnknown(
  this: LlhttpParser, versionMajor: number, versionMinor: number, headers: string[] | undefined, _method: number, url: string | undefined,
  _statusCode: unknown, _statusMessage: unknown, upgrade: boolean, keepAlive: boolean,
): number {
  this[HTTPParser.kOnHeadersComplete] = onParserHeadersComplete;
  const conn = this.conn;
  if (conn === null) return 0;
  const method = conn.unknownMethod!;
  conn.unknownMethod = null;
  return conn.headersComplete(versionMajor, versionMinor, headers, method, url, upgrade, keepAlive);
}

function refusedAsMethod(err: ParserError & { reason?: string }): boolean {
  return err.code === 'HPE_INVALID_METHOD' || (err.code === 'HPE_INVALID_CONSTANT' && err.reason === RTSP_METHOD_REASON);
}

/** As llhttp's overflow, with the request line's length so far: the clientError handler answers 414. */
function methodTooLong(length: number): ParserError {
  const err = new Error('Parse Error: Header overflow') as ParserError;
  err.code = 'HPE_HEADER_OVERFLOW';
  err.requestLineBytes = length;
  return err;
}

/** The request line of a head parsed behind a placeholder, in one read: its method, then up to its LF in `rest`. */
function lineLength(rest: Buffer, methodLength: number): number {
  const lf = rest.indexOf(10);
  return methodLength + (lf === -1 ? rest.length : lf);
}

function onParserBody(this: LlhttpParser, chunk: Buffer): void {
  this.conn?.body(chunk);
}

function onParserMessageComplete(this: LlhttpParser): void {
  this.conn?.messageComplete();
}

export type H1NetServer = NetServer & H1Control;
export type H1TlsServer = TlsServer & H1Control;

function control<T extends NetServer>(server: T, group: ConnectionGroup): T & H1Control {
  return Object.assign(server, {
    closeIdleConnections: () => group.closeIdle(),
    closeAllConnections: () => group.closeAll(),
  });
}

export interface SocketOptions {
  readonly keepAlive?: boolean;
  readonly keepAliveInitialDelay?: number;
}

/** A cleartext HTTP/1.x server: accepts itself, or takes sockets a front door emits as 'connection'. */
export function createH1Server(settings: H1Settings, handlers: H1Handlers, sock: SocketOptions): H1NetServer {
  const group = new ConnectionGroup(settings, handlers);
  const server = new NetServer({ ...sock, noDelay: true, allowHalfOpen: true }, group.accept);
  return control(server, group);
}

/** The same over TLS (certificates by SNI as `tls` says); HTTP/1.1 offered by ALPN as node:https does. */
export function createH1TlsServer(settings: H1Settings, handlers: H1Handlers, tls: TlsOptions & SocketOptions): H1TlsServer {
  const group = new ConnectionGroup(settings, handlers);
  const server = new TlsServer({ ALPNProtocols: ['http/1.1'], ...tls, noDelay: true, allowHalfOpen: true } as TlsOptions);
  server.on('secureConnection', group.accept);
  return control(server, group);
}

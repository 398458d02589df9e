// RFC 9112 response framing for the upstream client: status line, header section, message body length (§6.3),
// chunked coding with its trailer section (§7.1). Whatever a strict reader must not guess at (obs-fold, bare CR or
// LF, a bad or repeated Content-Length, Content-Length with Transfer-Encoding, a coding other than chunked) fails
// the exchange, as nginx's "upstream sent invalid header" does (502).
import { upstreamError } from './errors';

/** Kong's proxy_buffer_size (160k): the largest response head nginx would accept from an upstream. */
export const MAX_HEAD_BYTES = 160 * 1024;
/** How much of a read is searched as text for a whole head before the Buffer search (gather) takes over. */
const HEAD_PROBE_BYTES = 4096;

export interface ResponseEvents {
  onResponseHead(status: number, headers: string[]): void;
  onResponseBody(chunk: Buffer): void;
  /** `extra`: bytes arrived after the end of the message (the connection cannot be trusted again). */
  onResponseEnd(trailers: string[] | null, extra: boolean): void;
}

const enum State {
  Head,
  Length,
  ChunkSize,
  ChunkExt,
  ChunkSizeLf,
  ChunkData,
  ChunkDataCr,
  ChunkDataLf,
  Trailers,
  UntilClose,
  Done,
}

const CR = 13;
const LF = 10;
const CRLFCRLF = Buffer.from('\r\n\r\n', 'latin1');
const NOTHING = Buffer.alloc(0);
const CLOSE_TOKEN = /(?:^|,)[ \t]*close[ \t]*(?:,|$)/i;
const KEEP_ALIVE_TOKEN = /(?:^|,)[ \t]*keep-alive[ \t]*(?:,|$)/i;
const DIGITS = /^[0-9]{1,15}$/;

type Latin1Buffer = Buffer & { latin1Slice(start: number, end: number): string };

/** tchar (RFC 9110 §5.6.2) by latin1 code: 1 for a token character. */
const TCHAR = new Uint8Array(256);
for (const c of "!#$%&'*+-.^_`|~") TCHAR[c.charCodeAt(0)] = 1;
for (let c = 48; c <= 57; c++) TCHAR[c] = 1;
for (let c = 65; c <= 90; c++) TCHAR[c] = TCHAR[c + 32] = 1;

// tchar names and field values (RFC 9110 §5.6.2, §5.5: VCHAR, obs-text, SP, HTAB) checked over strings, as
// TCHAR and FIELD_CHAR are over bytes (a loop costs less than a regex call per field). Used on header fields plugins set (forward/client-head),
// whose strings may hold codes above 255: none is a token character or a valid field character.
export function isToken(text: string, from: number, to: number): boolean {
  if (from >= to) return false;
  for (let i = from; i < to; i++) if (TCHAR[text.charCodeAt(i)] !== 1) return false;
  return true;
}

/** field-vchar, SP and HTAB by byte (RFC 9110 §5.5): 1 for a byte a field value may hold. CR and LF are not. */
const FIELD_CHAR = new Uint8Array(256);
for (let c = 32; c < 256; c++) FIELD_CHAR[c] = 1;
FIELD_CHAR[9] = 1;
FIELD_CHAR[127] = 0;

/** Field names already found to be tokens: plugins set the same few names on every request (X-RateLimit-*, X-Consumer-*). */
const tokenNames = new Set<string>();
/** Bounded: names built from request data (a Lua plugin's) stop being remembered once it is full. */
const MAX_TOKEN_NAMES = 4096;

/** isToken over a whole name, remembered for names that are (a Set hit costs less than the scan of a long name). */
export function isTokenName(name: string): boolean {
  if (tokenNames.has(name)) return true;
  if (!isToken(name, 0, name.length)) return false;
  if (tokenNames.size < MAX_TOKEN_NAMES) tokenNames.add(name);
  return true;
}

export function hasBadFieldChar(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if ((c < 32 && c !== 9) || c === 127 || c > 255) return true;
  }
  return false;
}

/** Whether the bytes at `from` spell `lower` (lower-case ASCII letters and '-') in any case. */
function lowerEquals(bytes: Buffer, from: number, lower: string): boolean {
  for (let i = 0; i < lower.length; i++) if ((bytes[from + i] | 0x20) !== lower.charCodeAt(i)) return false;
  return true;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 0x20;
  if (l >= 97 && l <= 102) return l - 87;
  return -1;
}

export class ResponseParser {
  private state = State.Done;
  private partial: Buffer | null = null;
  private remaining = 0;
  private sizeDigits = 0;
  private headRequest = false;
  private gathered: Buffer = NOTHING;
  private gatheredFrom = 0;
  private gatheredNext = 0;
  /** The framing fields of the last head readFields read (-1: no Content-Length). */
  private fieldLength = -1;
  private fieldChunked = false;
  private fieldClose = false;
  private fieldKeepAlive = false;
  /** The response allows the connection to carry another request (HTTP/1.1 without `close`, or 1.0 keep-alive). */
  keepAlive = false;
  /** At least one byte of a response arrived for the current request. */
  started = false;
  /** Set by the owner when it stops listening (abort, error): parsing stops at once. */
  halted = false;

  constructor(private readonly events: ResponseEvents) {}

  reset(headRequest: boolean): void {
    this.state = State.Head;
    this.partial = null;
    this.headRequest = headRequest;
    this.keepAlive = false;
    this.started = false;
    this.halted = false;
  }

  get expectsClose(): boolean {
    return this.state === State.UntilClose;
  }

  get done(): boolean {
    return this.state === State.Done;
  }

  /** The peer closed: completes a close-delimited body, anything else was cut short. */
  finish(): void {
    if (this.state === State.UntilClose) {
      this.state = State.Done;
      this.events.onResponseEnd(null, false);
      return;
    }
    if (this.state !== State.Done) throw upstreamError('UPSTREAM_CLOSED', this.started ? 'upstream prematurely closed connection while reading response' : 'upstream closed connection before sending a response');
  }

  /** Throws an UpstreamError on a framing violation. */
  execute(buf: Buffer): void {
    if (buf.length > 0) this.started = true;
    let i = 0;
    const end = buf.length;
    while (i < end && !this.halted) {
      switch (this.state) {
        case State.Head: {
          const next = this.readHead(buf, i);
          if (next < 0) return;
          i = next;
          continue;
        }
        case State.Length: {
          const n = Math.min(this.remaining, end - i);
          this.remaining -= n;
          const chunk = i === 0 && n === end ? buf : buf.subarray(i, i + n);
          i += n;
          this.events.onResponseBody(chunk);
          if (this.remaining === 0 && !this.halted) this.complete(null, i < end);
          continue;
        }
        case State.UntilClose:
          this.events.onResponseBody(i === 0 ? buf : buf.subarray(i));
          return;
        case State.ChunkSize: {
          const c = buf[i];
          const v = hexValue(c);
          if (v >= 0) {
            // 13 hex digits stay below 2^53: anything larger is no real chunk
            if (++this.sizeDigits > 13) throw invalid('upstream sent too large chunk size');
            this.remaining = this.remaining * 16 + v;
            i++;
            continue;
          }
          if (this.sizeDigits === 0) throw invalid('upstream sent invalid chunked response');
          if (c === CR) this.state = State.ChunkSizeLf;
          else if (c === 59 /* ; */ || c === 32 || c === 9) this.state = State.ChunkExt;
          else throw invalid('upstream sent invalid chunked response');
          i++;
          continue;
        }
        case State.ChunkExt: {
          const c = buf[i++];
          if (c === CR) this.state = State.ChunkSizeLf;
          else if ((c < 32 && c !== 9) || c === 127) throw invalid('upstream sent invalid chunked response');
          continue;
        }
        case State.ChunkSizeLf:
          if (buf[i++] !== LF) throw invalid('upstream sent invalid chunked response');
          if (this.remaining === 0) {
            this.state = State.Trailers;
            this.partial = null;
          } else this.state = State.ChunkData;
          continue;
        case State.ChunkData: {
          const n = Math.min(this.remaining, end - i);
          this.remaining -= n;
          const chunk = buf.subarray(i, i + n);
          i += n;
          if (this.remaining === 0) this.state = State.ChunkDataCr;
          this.events.onResponseBody(chunk);
          continue;
        }
        case State.ChunkDataCr:
          if (buf[i++] !== CR) throw invalid('upstream sent invalid chunked response');
          this.state = State.ChunkDataLf;
          continue;
        case State.ChunkDataLf:
          if (buf[i++] !== LF) throw invalid('upstream sent invalid chunked response');
          this.state = State.ChunkSize;
          this.remaining = 0;
          this.sizeDigits = 0;
          continue;
        case State.Trailers: {
          const next = this.readTrailers(buf, i);
          if (next < 0) return;
          i = next;
          continue;
        }
        case State.Done:
          // bytes after a complete response (or before any request): the connection is not reused
          this.events.onResponseEnd(null, true);
          return;
      }
    }
  }

  private complete(trailers: string[] | null, extra: boolean): void {
    this.state = State.Done;
    this.events.onResponseEnd(trailers, extra);
  }

  /**
   * Gathers bytes up to the blank line: its offset in `gathered` (from `gatheredFrom`), or -1 while it is
   * incomplete. `gatheredNext` is where the rest of `buf` starts after it.
   */
  private gather(buf: Buffer, start: number): number {
    let data = buf;
    let from = start;
    let searchFrom = start;
    const prior = this.partial;
    if (prior !== null) {
      data = Buffer.concat([prior, buf.subarray(start)]);
      from = 0;
      searchFrom = Math.max(0, prior.length - 3);
    }
    const at = data.indexOf(CRLFCRLF, searchFrom);
    if (at < 0) {
      if (data.length - from > MAX_HEAD_BYTES) throw invalid('upstream sent too big header');
      this.partial = from === 0 && data !== buf ? data : Buffer.from(data.subarray(from));
      return -1;
    }
    if (at - from > MAX_HEAD_BYTES) throw invalid('upstream sent too big header');
    this.partial = null;
    this.gathered = data;
    this.gatheredFrom = from;
    this.gatheredNext = prior === null ? at + 4 : start + (at + 4 - prior.length);
    return at;
  }

  /** Parses one head (status line and fields); returns the index after it in `buf`, or -1 for more bytes. */
  private readHead(buf: Buffer, start: number): number {
    // the head as text (for the slices handed out) and as bytes (scanned: a byte load costs less than charCodeAt),
    // `base` mapping a text index to its byte
    let text = '';
    let data = buf;
    let base = start;
    let headEnd = -1;
    let next = 0;
    if (this.partial === null) {
      // the common case, a whole head in this read: one slice, searched as text (no Buffer search, no second slice)
      text = (buf as Latin1Buffer).latin1Slice(start, Math.min(buf.length, start + HEAD_PROBE_BYTES));
      const at = text.indexOf('\r\n\r\n');
      if (at >= 0) {
        headEnd = at + 2;
        next = start + at + 4;
      }
    }
    if (headEnd < 0) {
      const at = this.gather(buf, start);
      if (at === -1) return -1;
      data = this.gathered;
      base = this.gatheredFrom;
      this.gathered = NOTHING;
      text = (data as Latin1Buffer).latin1Slice(base, at + 2);
      headEnd = text.length;
      next = this.gatheredNext;
    }
    const eol = text.indexOf('\r\n');
    // HTTP/1.x SP 3DIGIT [SP reason]
    if (eol < 12 || !text.startsWith('HTTP/1.') || text.charCodeAt(8) !== 32 || (eol > 12 && text.charCodeAt(12) !== 32)) {
      throw invalid('upstream sent no valid HTTP/1.0 header');
    }
    const minor = text.charCodeAt(7) - 48;
    if (minor !== 0 && minor !== 1) throw invalid('upstream sent no valid HTTP/1.0 header');
    const d0 = text.charCodeAt(9) - 48;
    const d1 = text.charCodeAt(10) - 48;
    const d2 = text.charCodeAt(11) - 48;
    if (d0 < 1 || d0 > 9 || d1 < 0 || d1 > 9 || d2 < 0 || d2 > 9 || hasBadFieldChar(text, 0, eol)) throw invalid('upstream sent no valid HTTP/1.0 header');
    const status = d0 * 100 + d1 * 10 + d2;
    const headers: string[] = [];
    this.readFields(data, text, base, eol + 2 + base, headEnd + base, headers, true);
    const contentLength = this.fieldLength;
    const chunked = this.fieldChunked;
    if (status < 200) {
      // 1xx interim responses (100, 103) precede the final one and are dropped, as nginx does; 101 was never asked for
      if (status === 101) throw invalid('upstream sent unexpected 101 response');
      return next;
    }
    if (chunked && contentLength >= 0) throw invalid('upstream sent "Content-Length" and "Transfer-Encoding" headers at the same time');
    if (chunked && minor === 0) throw invalid('upstream sent "Transfer-Encoding" in an HTTP/1.0 response');
    this.keepAlive = !this.fieldClose && (minor === 1 || this.fieldKeepAlive);
    this.events.onResponseHead(status, headers);
    if (this.halted) return next;
    if (this.headRequest || status === 204 || status === 304) {
      this.complete(null, next < buf.length);
    } else if (chunked) {
      this.state = State.ChunkSize;
      this.remaining = 0;
      this.sizeDigits = 0;
    } else if (contentLength >= 0) {
      this.remaining = contentLength;
      if (contentLength === 0) this.complete(null, next < buf.length);
      else this.state = State.Length;
    } else {
      this.keepAlive = false;
      this.state = State.UntilClose;
    }
    return next;
  }

  /**
   * Field lines (a head's or a trailer section's), each in one pass over its bytes: a token up to the colon (no
   * whitespace before it, no obs-fold: a line starting with SP/HTAB is no token), OWS, field characters up to CRLF
   * (a bare CR or LF is none), OWS trimmed. `data[i..end)` is whole lines, each ending in CRLF, so the scans stop
   * inside; `text` is the same bytes as latin1 from `base`. Names and values go to `out`; in a head (`head`), the
   * framing fields are read into fieldLength, fieldChunked, fieldClose and fieldKeepAlive.
   */
  private readFields(data: Buffer, text: string, base: number, i: number, end: number, out: string[], head: boolean): void {
    const invalidLine = head ? 'upstream sent invalid header' : 'upstream sent invalid trailer';
    let contentLength = -1;
    let chunked = false;
    let close = false;
    let keepAliveToken = false;
    while (i < end) {
      const from = i;
      while (TCHAR[data[i]] === 1) i++;
      const colon = i;
      if (data[i] !== 58 || colon === from) throw invalid(invalidLine);
      i++;
      while (data[i] === 32 || data[i] === 9) i++;
      const vs = i;
      while (FIELD_CHAR[data[i]] === 1) i++;
      if (data[i] !== CR || data[i + 1] !== LF) throw invalid(invalidLine);
      let ve = i;
      while (ve > vs && (data[ve - 1] === 32 || data[ve - 1] === 9)) ve--;
      const name = text.slice(from - base, colon - base);
      const value = text.slice(vs - base, ve - base);
      if (head) {
        switch (colon - from) {
          case 10:
            if (lowerEquals(data, from, 'connection')) {
              const lower = value.length <= 10 ? value.toLowerCase() : '';
              if (lower === 'keep-alive') keepAliveToken = true;
              else if (lower === 'close' || CLOSE_TOKEN.test(value)) close = true;
              else if (KEEP_ALIVE_TOKEN.test(value)) keepAliveToken = true;
            }
            break;
          case 14:
            if (lowerEquals(data, from, 'content-length')) {
              if (contentLength >= 0) throw invalid('upstream sent duplicate header line: "Content-Length"');
              if (!DIGITS.test(value)) throw invalid('upstream sent invalid "Content-Length" header');
              contentLength = Number(value);
            }
            break;
          case 17:
            if (lowerEquals(data, from, 'transfer-encoding')) {
              if (chunked || value.toLowerCase() !== 'chunked') throw invalid('upstream sent unknown "Transfer-Encoding"');
              chunked = true;
            }
            break;
        }
      }
      out.push(name, value);
      i += 2;
    }
    this.fieldLength = contentLength;
    this.fieldChunked = chunked;
    this.fieldClose = close;
    this.fieldKeepAlive = keepAliveToken;
  }

  /** The trailer section after the last chunk: validated like header fields, handed over as a flat list. */
  private readTrailers(buf: Buffer, start: number): number {
    // the common case: no trailer fields, just the final CRLF
    if (this.partial === null && buf.length - start >= 2 && buf[start] === CR && buf[start + 1] === LF) {
      this.complete(null, start + 2 < buf.length);
      return start + 2;
    }
    if (this.partial !== null && this.partial.length === 1 && this.partial[0] === CR && buf[start] === LF) {
      this.partial = null;
      this.complete(null, start + 1 < buf.length);
      return start + 1;
    }
    if (this.partial === null && buf.length - start < 2) {
      this.partial = Buffer.from(buf.subarray(start));
      return -1;
    }
    const at = this.gather(buf, start);
    if (at === -1) return -1;
    const data = this.gathered;
    this.gathered = NOTHING;
    const text = (data as Latin1Buffer).latin1Slice(this.gatheredFrom, at + 2);
    const trailers: string[] = [];
    this.readFields(data, text, this.gatheredFrom, this.gatheredFrom, at + 2, trailers, false);
    const next = this.gatheredNext;
    this.complete(trailers, next < buf.length);
    return next;
  }
}

function invalid(message: string): Error {
  return upstreamError('UPSTREAM_INVALID_RESPONSE', message);
}

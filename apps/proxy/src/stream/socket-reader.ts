// Reads a socket straight into a buffer it owns (net's `onread` option) and hands each read to the relay's
// writer: no buffer allocated per read and no Readable queue in between. Measured on bench/stream at about half
// the proxy CPU per MB of the 'data'-event relay (fresh 64 KB buffers cost page faults as well as JS).
// Each reader owns its buffer (one buffer shared by all sockets cannot work: libuv keeps each socket's last buffer
// for its next read, so a buffer handed over to a queued write could not be taken back from the others).
import type { Socket } from 'node:net';

// Interactive sessions stay small: the first buffer is a slice of Node's buffer pool (no allocation of its own per
// connection); a read that fills its buffer means bulk traffic, which gets the large one.
const SMALL_BYTES = 4000;
const LARGE_BYTES = 256 * 1024;
/** Bytes a session holds before its relay starts; past this the socket stops reading until then (a slow upstream
 * connect must not let clients park unbounded data in the proxy). */
const EARLY_MAX_BYTES = 16 * 1024;

export class SocketReader {
  private buffer: Buffer = Buffer.allocUnsafe(SMALL_BYTES);
  /** The other buffer of the pair: a read goes into one while the write of the last read may still hold the other. */
  private spare: Buffer | null = null;
  private target: Socket | null = null;
  private onFull: () => void = noop;
  /** Bytes read before pipeTo (copied; EARLY_MAX_BYTES at most), written first on pipeTo. */
  private early: Buffer | null = null;

  /**
   * For `net.connect({ onread })` and readThrough(); the buffer function is asked again after each read. Bound
   * methods, not arrow functions made per reader: V8 keeps a closure's optimized code only while one of its
   * closures lives, and these are called on every read.
   */
  readonly onread = {
    buffer: this.nextBuffer.bind(this),
    callback: this.deliver.bind(this),
  };

  /**
   * From now on every read is written to `target`. When a write reports a full writer, reading stops (the socket
   * is resumed by the caller, after 'drain') and `onFull` runs.
   */
  pipeTo(target: Socket, onFull: () => void): void {
    this.target = target;
    this.onFull = onFull;
    const early = this.early;
    this.early = null;
    if (early !== null) target.write(early);
  }

  private nextBuffer(): Buffer {
    return this.buffer;
  }

  private deliver(nread: number, buf: Buffer): boolean {
    const target = this.target;
    if (target === null) {
      // Bytes that arrive before the relay (the client's first bytes while the upstream connects, a server's
      // greeting) are copied, and reading goes on up to a bound: stopping and restarting it costs system calls.
      const bytes = Buffer.from(buf.subarray(0, nread));
      this.early = this.early === null ? bytes : Buffer.concat([this.early, bytes]);
      return this.early.length < EARLY_MAX_BYTES;
    }
    const full = nread === buf.length;
    const ok = target.write(full ? buf : buf.subarray(0, nread));
    // A read that fills its buffer means bulk traffic: the buffers grow to the large size (once each).
    const wanted = full && buf.length < LARGE_BYTES ? LARGE_BYTES : buf.length;
    if (target.writableLength === 0) {
      // Written through: the same buffer takes the next read.
      if (wanted !== buf.length) this.buffer = Buffer.allocUnsafe(wanted);
      return true;
    }
    // A queued write keeps referencing `buf`: the next read must go elsewhere.
    if (ok) {
      // Queued below the writer's high-water mark (a small write behind a full kernel buffer; no 'drain' follows):
      // reading goes on, into a new buffer.
      this.buffer = Buffer.allocUnsafe(wanted);
      return true;
    }
    // The writer is full: reading stops until 'drain', when everything queued is written. So the other buffer of
    // the pair is free again by the next read, and bulk traffic allocates nothing (a fresh 256 KB buffer per
    // queued write cost page faults and major GCs: about 4% of the relay's CPU).
    const spare = this.spare;
    this.spare = buf;
    this.buffer = spare !== null && spare.length >= wanted ? spare : Buffer.allocUnsafe(wanted);
    this.onFull();
    return false;
  }
}

function noop(): void {}

interface NetInternals {
  _handle: { useUserBuffer?: (buf: Uint8Array) => void; reading?: boolean } | null;
  [key: symbol]: unknown;
}

interface OnreadKeys {
  readonly buffer: symbol;
  readonly gen: symbol;
  readonly cb: symbol;
}

/** net.Socket's private keys for `onread` (kBuffer, kBufferGen, kBufferCb), found once on the first socket seen. */
let onreadKeys: OnreadKeys | null | undefined;

function findOnreadKeys(socket: Socket): OnreadKeys | null {
  const byName = new Map(Object.getOwnPropertySymbols(socket).map((s) => [s.description, s]));
  const buffer = byName.get('kBuffer');
  const gen = byName.get('kBufferGen');
  const cb = byName.get('kBufferCb');
  return buffer && gen && cb ? { buffer, gen, cb } : null;
}

/**
 * net.Server has no `onread` option: this gives an accepted socket (created with pauseOnConnect, nothing read yet)
 * what `onread: reader.onread` gives a connecting one, and starts reading (into the reader's early bytes, so that
 * request bytes are here when the upstream connection is, and a reset while connecting is seen). The socket stays
 * the server's own, so server.close() still waits for it. Returns false if Node's net internals differ (the
 * caller then keeps the 'data' relay).
 */
export function readThrough(socket: Socket, reader: SocketReader): boolean {
  if (onreadKeys === undefined) onreadKeys = findOnreadKeys(socket);
  const keys = onreadKeys;
  const internals = socket as unknown as NetInternals;
  const handle = internals._handle;
  if (keys === null || handle === null || typeof handle.useUserBuffer !== 'function' || handle.reading) return false;
  const first = reader.onread.buffer();
  internals[keys.buffer] = first;
  internals[keys.gen] = reader.onread.buffer;
  internals[keys.cb] = reader.onread.callback;
  handle.useUserBuffer(first);
  socket.resume();
  return true;
}

// Reads a socket straight into a buffer it owns (net's `onread` option) and hands each read to the relay's
// writer: no buffer allocated per read and no Readable queue in between. Measured on bench/stream at about half
// the proxy CPU per MB of the 'data'-event relay (fresh 64 KB buffers cost page faults as well as JS).
import { Socket, type Server } from 'node:net';

// Interactive sessions stay small; a read that fills the buffer means bulk traffic, which gets the large one.
const SMALL_BYTES = 16 * 1024;
const LARGE_BYTES = 256 * 1024;

export class SocketReader {
  private buffer: Buffer = Buffer.allocUnsafe(SMALL_BYTES);
  private target: Socket | null = null;
  private onFull: () => void = noop;
  /** The first bytes a client sends while the upstream connects: copied (one read at most), written on pipeTo. */
  private early: Buffer[] = [];

  /** For `net.connect({ onread })` / `new Socket({ onread })`; the buffer function is asked again after each read. */
  readonly onread = {
    buffer: (): Buffer => this.buffer,
    callback: (nread: number, buf: Buffer): boolean => this.deliver(nread, buf),
  };

  /**
   * From now on every read is written to `target`. When a write reports a full writer, reading stops (the socket
   * is resumed by the caller, after 'drain') and `onFull` runs.
   */
  pipeTo(target: Socket, onFull: () => void): void {
    this.target = target;
    this.onFull = onFull;
    for (const chunk of this.early.splice(0)) target.write(chunk);
  }

  private deliver(nread: number, buf: Buffer): boolean {
    const target = this.target;
    if (target === null) {
      this.early.push(Buffer.from(buf.subarray(0, nread)));
      return false;
    }
    const full = nread === buf.length;
    const ok = target.write(full ? buf : buf.subarray(0, nread));
    // A write still queued keeps referencing `buf`: the next read must go elsewhere.
    if (target.writableLength !== 0) this.buffer = Buffer.allocUnsafe(full ? LARGE_BYTES : buf.length);
    else if (full && buf.length < LARGE_BYTES) this.buffer = Buffer.allocUnsafe(LARGE_BYTES);
    if (ok) return true;
    this.onFull();
    return false;
  }
}

function noop(): void {}

interface SocketInternals {
  _handle: unknown;
  _server: Server | null;
  server: Server | null;
}

/**
 * net.Server has no `onread` option, so an accepted socket (created with pauseOnConnect, nothing read yet) hands
 * its handle to a new Socket that reads through `reader` (starting at once, see `early`). The server's connection
 * count moves with it, so server.close() still waits for this session. Returns null if Node's net internals differ
 * (the caller then keeps the accepted socket and the 'data' relay).
 */
export function adoptAccepted(accepted: Socket, reader: SocketReader): Socket | null {
  const old = accepted as unknown as SocketInternals;
  if (old._handle === null || old._handle === undefined || old._server === undefined) return null;
  const socket = new Socket({
    handle: old._handle,
    allowHalfOpen: true,
    // Reading starts now: a first read lands in `early` and stops reading, so that request bytes are already
    // here when the upstream connection is, and a reset while connecting is seen.
    pauseOnCreate: false,
    readable: true,
    writable: true,
    onread: reader.onread,
  } as never);
  const adopted = socket as unknown as SocketInternals;
  adopted._server = old._server;
  adopted.server = old.server;
  old._server = null;
  old.server = null;
  old._handle = null;
  return socket;
}

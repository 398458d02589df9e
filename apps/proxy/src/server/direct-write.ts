// The last write of an exchange, straight to a plain TCP socket's handle: the response to the client, the bodiless
// request head to the upstream. net.Socket's Writable path around that one call (its write state and queue, the
// WriteWrap set up in JS, the afterWrite tick) cost about a sixth of the proxy's own CPU per request, for writes that
// have nothing queued before them and nothing after them to pace.
// Byte order is kept: the handle is written only when nothing written through the Writable is pending or corked,
// libuv sends a handle's writes in call order, and socket.end()'s shutdown waits for the handle's queued writes.
// bytesWritten stays right (net.Socket reads it off the handle). TLS sockets and sockets still connecting use
// socket.write as before.
import type { Socket } from 'node:net';
import { getSystemErrorName } from 'node:util';

interface StreamBaseBinding {
  WriteWrap: new () => DirectWriteReq;
  streamBaseState: Int32Array;
  kLastWriteWasAsync: number;
}

interface WritableHandle {
  writeLatin1String(req: DirectWriteReq, text: string): number;
}

interface DirectWriteReq {
  handle: WritableHandle;
  oncomplete: (this: DirectWriteReq, status: number) => void;
  socket: Socket;
  done: (err: Error | null) => void;
}

type PlainSocket = Socket & { _handle: WritableHandle | null; connecting: boolean; encrypted?: boolean; _unrefTimer(): void };

// The binding net.Socket writes through (lib/internal/stream_base_commons); process.binding warns only under
// --pending-deprecation.
const binding = (process as unknown as { binding(name: string): StreamBaseBinding }).binding('stream_wrap');
const { WriteWrap, streamBaseState, kLastWriteWasAsync } = binding;
/**
 * The request object for the next write. A write that completes at once leaves it untouched (Node's StreamBase
 * binds a request only to a write it queues), so one object serves every synchronous write.
 */
let spare = new WriteWrap();

export const enum Written {
  /** Not taken (TLS, connecting, Writable data pending): the caller writes through socket.write. */
  No,
  /** All of it is in the kernel. */
  Done,
  /** Part of it waits in libuv's queue: `done` is called once it left (or failed). */
  Queued,
  /** The write failed at once: the socket is being destroyed with the error. */
  Failed,
}

function writeError(status: number): Error {
  const code = getSystemErrorName(status);
  return Object.assign(new Error(`write ${code}`), { errno: status, code, syscall: 'write' });
}

function onDirectWriteComplete(this: DirectWriteReq, status: number): void {
  const socket = this.socket as PlainSocket;
  if (status < 0) {
    const err = writeError(status);
    if (!socket.destroyed) socket.destroy(err);
    this.done(err);
    return;
  }
  // as net.Socket after an async write: the socket's timeout counts from here
  if (!socket.destroyed) socket._unrefTimer();
  this.done(null);
}

/**
 * Writes `text` (latin1) as the socket's next bytes when the handle can take it directly; see Written.
 * `restartTimer`: restart the socket's timeout as net.Socket does on a write (a clock read and a timer-list move);
 * false where the timer counts from something else afterwards.
 */
export function writeLatin1Direct(socket: Socket, text: string, done: (err: Error | null) => void, restartTimer: boolean): Written {
  const s = socket as PlainSocket;
  const handle = s._handle;
  if (handle === null || handle === undefined || typeof handle.writeLatin1String !== 'function' || s.encrypted === true || s.connecting || s.writableLength !== 0 || s.writableCorked !== 0 || !s.writable) return Written.No;
  if (restartTimer) s._unrefTimer();
  const req = spare;
  req.handle = handle;
  req.oncomplete = onDirectWriteComplete;
  req.socket = socket;
  req.done = done;
  const status = handle.writeLatin1String(req, text);
  if (status !== 0) {
    socket.destroy(writeError(status));
    return Written.Failed;
  }
  if (streamBaseState[kLastWriteWasAsync] === 0) return Written.Done;
  // the handle holds on to this request until the write completes: the next write takes a new one
  spare = new WriteWrap();
  return Written.Queued;
}

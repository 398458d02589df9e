// Full-duplex relay between two sockets with backpressure (a full writer pauses its reader), half-close (a FIN
// from one side becomes end() toward the other; both sockets are allowHalfOpen), an idle timeout on the
// upstream connection (service read_timeout: no byte moved through it for that long) and a write timeout
// (service write_timeout: a writer that does not drain for that long ends the session).
import type { Socket } from 'node:net';
import type { SocketReader } from './socket-reader';

export interface PipeTimeouts {
  readonly idleMs: number;
  readonly writeMs: number;
}

export type PipeEnd = 'closed' | 'idle_timeout' | 'write_timeout' | 'client_error' | 'upstream_error';

/** The reader a socket was created with (its `onread`), if any; such a socket emits no 'data'. */
export interface RelayReaders {
  readonly client: SocketReader | null;
  readonly upstream: SocketReader | null;
}

const NO_READERS: RelayReaders = { client: null, upstream: null };

/** Resolves once both sockets are closed. Never rejects. */
export function relay(client: Socket, upstream: Socket, timeouts: PipeTimeouts, readers: RelayReaders = NO_READERS): Promise<PipeEnd> {
  return new Promise((resolve) => {
    let reason: PipeEnd = 'closed';
    let open = 2;
    const stop = (why: PipeEnd) => {
      if (reason === 'closed') reason = why;
      client.destroy();
      upstream.destroy();
    };
    const onClose = () => {
      if (--open === 0) resolve(reason);
    };
    forward(client, upstream, readers.client, timeouts.writeMs, stop);
    forward(upstream, client, readers.upstream, timeouts.writeMs, stop);
    client.on('error', () => stop('client_error'));
    upstream.on('error', () => stop('upstream_error'));
    // A socket fully closed (both directions done, or reset) leaves nothing for the other one to carry.
    client.once('close', () => {
      onClose();
      finishPeer(upstream);
    });
    upstream.once('close', () => {
      onClose();
      finishPeer(client);
    });
    upstream.setTimeout(timeouts.idleMs, () => stop('idle_timeout'));
  });
}

function finishPeer(socket: Socket): void {
  if (socket.destroyed) return;
  // Let what is queued toward this side drain, then close it; the write timeout bounds a peer that never reads.
  if (!socket.writableEnded) socket.end();
  if (socket.writableFinished) socket.destroy();
  else socket.once('finish', () => socket.destroy());
}

function forward(from: Socket, to: Socket, reader: SocketReader | null, writeMs: number, stop: (why: PipeEnd) => void): void {
  let stall: NodeJS.Timeout | null = null;
  const onDrain = () => {
    if (stall !== null) clearTimeout(stall);
    stall = null;
    from.resume();
  };
  const onFull = () => {
    stall = setTimeout(() => stop('write_timeout'), writeMs);
    to.once('drain', onDrain);
  };
  if (reader !== null) {
    // The reader stops reading by itself when `to` is full; resume() restarts it.
    reader.pipeTo(to, onFull);
  } else {
    from.on('data', (chunk: Buffer) => {
      if (to.write(chunk) || stall !== null) return;
      from.pause();
      onFull();
    });
  }
  // A reader reads on before the relay starts, so the FIN may already be in ('end' emitted to nobody).
  if (from.readableEnded) to.end();
  else {
    from.once('end', () => {
      if (!to.destroyed && !to.writableEnded) to.end();
    });
  }
  from.once('close', () => {
    if (stall !== null) clearTimeout(stall);
  });
  // A preread (or pauseOnConnect, or a reader that stopped at its early bound) left the socket paused; start it.
  from.resume();
}

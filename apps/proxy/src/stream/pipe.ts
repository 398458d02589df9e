// Full-duplex relay between two sockets with backpressure (a full writer pauses its reader), half-close (a FIN
// from one side becomes end() toward the other; both sockets are allowHalfOpen), an idle timeout on the
// upstream connection (service read_timeout: no byte moved through it for that long) and a write timeout
// (service write_timeout: a writer that does not drain for that long ends the session).
//
// The handlers are prototype methods, bound per session, not closures made per session: V8 keeps a closure's
// optimized code only while some closure of it is alive, so with sessions that come and go it dropped that code at
// major GCs and compiled the same handlers again, 1-10 ms of compiler work each time on the proxy's core.
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
  return new Promise((resolve) => new Relay(client, upstream, timeouts, readers, resolve));
}

class Relay {
  private reason: PipeEnd = 'closed';
  private open = 2;

  constructor(
    private readonly client: Socket,
    private readonly upstream: Socket,
    timeouts: PipeTimeouts,
    readers: RelayReaders,
    private readonly resolve: (end: PipeEnd) => void,
  ) {
    new Direction(client, upstream, readers.client, timeouts.writeMs, this);
    new Direction(upstream, client, readers.upstream, timeouts.writeMs, this);
    client.on('error', this.onClientError.bind(this));
    upstream.on('error', this.onUpstreamError.bind(this));
    // A socket fully closed (both directions done, or reset) leaves nothing for the other one to carry.
    client.once('close', this.onClientClose.bind(this));
    upstream.once('close', this.onUpstreamClose.bind(this));
    upstream.setTimeout(timeouts.idleMs, this.onIdle.bind(this));
  }

  stop(why: PipeEnd): void {
    if (this.reason === 'closed') this.reason = why;
    this.client.destroy();
    this.upstream.destroy();
  }

  private onClientError(): void {
    this.stop('client_error');
  }

  private onUpstreamError(): void {
    this.stop('upstream_error');
  }

  private onIdle(): void {
    this.stop('idle_timeout');
  }

  private onClientClose(): void {
    this.closed();
    finishPeer(this.upstream);
  }

  private onUpstreamClose(): void {
    this.closed();
    finishPeer(this.client);
  }

  private closed(): void {
    if (--this.open === 0) this.resolve(this.reason);
  }
}

function finishPeer(socket: Socket): void {
  if (socket.destroyed) return;
  // Let what is queued toward this side drain, then close it; the write timeout bounds a peer that never reads.
  if (!socket.writableEnded) socket.end();
  if (socket.writableFinished) socket.destroy();
  else socket.once('finish', socket.destroy);
}

/** One direction of the relay: bytes read from `from` are written to `to`. */
class Direction {
  private stall: NodeJS.Timeout | null = null;
  private onDrainBound: (() => void) | null = null;

  constructor(
    private readonly from: Socket,
    private readonly to: Socket,
    reader: SocketReader | null,
    private readonly writeMs: number,
    private readonly relay: Relay,
  ) {
    // The reader stops reading by itself when `to` is full; resume() restarts it.
    if (reader !== null) reader.pipeTo(to, this.onFull.bind(this));
    else from.on('data', this.onData.bind(this));
    // A reader reads on before the relay starts, so the FIN may already be in ('end' emitted to nobody).
    if (from.readableEnded) to.end();
    else from.once('end', this.onEnd.bind(this));
    from.once('close', this.onClose.bind(this));
    // A preread (or pauseOnConnect, or a reader that stopped at its early bound) left the socket paused; start it.
    from.resume();
  }

  private onData(chunk: Buffer): void {
    if (this.to.write(chunk) || this.stall !== null) return;
    this.from.pause();
    this.onFull();
  }

  private onFull(): void {
    this.stall = setTimeout(stopForWriteTimeout, this.writeMs, this.relay);
    this.onDrainBound ??= this.onDrain.bind(this);
    this.to.once('drain', this.onDrainBound);
  }

  private onDrain(): void {
    if (this.stall !== null) clearTimeout(this.stall);
    this.stall = null;
    this.from.resume();
  }

  private onEnd(): void {
    const to = this.to;
    if (!to.destroyed && !to.writableEnded) to.end();
  }

  private onClose(): void {
    if (this.stall !== null) clearTimeout(this.stall);
  }
}

function stopForWriteTimeout(relay: Relay): void {
  relay.stop('write_timeout');
}

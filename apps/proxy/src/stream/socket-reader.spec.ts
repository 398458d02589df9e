// SocketReader and the relay over it, on real loopback sockets: buffer reuse must never corrupt a write still
// queued, bytes read before the relay starts come first, backpressure ends in write_timeout, and an accepted
// socket reading through a reader keeps its server's connection count.
import { createHash, randomBytes } from 'node:crypto';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { relay } from './pipe';
import { readThrough, SocketReader } from './socket-reader';

const listen = (server: Server) =>
  new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));

async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met within 5 s');
    await new Promise((r) => setImmediate(r));
  }
}

/**
 * A listener whose accepted sockets read through a SocketReader, as plain stream listeners do. `readBuffers`, when
 * given, collects every distinct buffer a reader hands to its socket for reading.
 */
async function readingServer(readBuffers?: Set<Buffer>): Promise<{ server: Server; port: number; next: () => Promise<Reading> }> {
  const accepted: Reading[] = [];
  const server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (socket) => {
    const reader = new SocketReader();
    if (readBuffers !== undefined) {
      const next = reader.onread.buffer;
      (reader.onread as { buffer: () => Buffer }).buffer = () => {
        const buffer = next();
        readBuffers.add(buffer);
        return buffer;
      };
    }
    if (!readThrough(socket, reader)) throw new Error('readThrough failed');
    accepted.push({ socket, reader });
  });
  const port = await listen(server);
  const next = async (): Promise<Reading> => {
    await until(() => accepted.length > 0);
    return accepted.shift()!;
  };
  return { server, port, next };
}

interface Reading {
  readonly socket: Socket;
  readonly reader: SocketReader;
}

const connected = (port: number, allowHalfOpen = true) =>
  new Promise<Socket>((resolve, reject) => {
    const s = connect({ port, host: '127.0.0.1', allowHalfOpen }, () => resolve(s));
    s.once('error', reject);
  });

describe('SocketReader relay', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
  });

  it('carries 64 MB to a slow reader byte-identical, with bytes sent before the relay first, in two read buffers', async () => {
    const readBuffers = new Set<Buffer>();
    const front = await readingServer(readBuffers);
    servers.push(front.server);
    // Sink: reads in bursts so the relay's writes queue and its read buffer must be replaced, not reused.
    let sinkHash = '';
    let sinkBytes = 0;
    let sinkPauses = 0;
    const sinkDone = new Promise<void>((resolve) => {
      const sink = createServer({ allowHalfOpen: true }, (s) => {
        const h = createHash('sha256');
        let n = 0;
        s.on('data', (c: Buffer) => {
          h.update(c);
          sinkBytes += c.length;
          if (++n % 50 === 0) {
            sinkPauses++;
            s.pause();
            setImmediate(() => s.resume());
          }
        });
        s.on('end', () => {
          sinkHash = h.digest('hex');
          s.end();
          resolve();
        });
      });
      servers.push(sink);
    });
    const sinkPort = await listen(servers[servers.length - 1]);

    const client = await connected(front.port);
    const head = Buffer.from('first bytes, before the upstream exists');
    client.write(head);
    const { socket, reader } = await front.next();
    // The head is read (into the reader's early list) before the relay starts.
    await until(() => socket.bytesRead === head.length);
    const upstream = await connected(sinkPort);
    const ended = relay(socket, upstream, { idleMs: 10000, writeMs: 10000 }, { client: reader, upstream: null });

    const expected = createHash('sha256').update(head);
    const block = randomBytes(1024 * 1024);
    for (let i = 0; i < 64; i++) {
      // Vary the block so a reused buffer would show up in the hash.
      block[0] = i;
      expected.update(block);
      if (!client.write(Buffer.from(block))) await new Promise((r) => client.once('drain', r));
    }
    client.end();
    await sinkDone;
    expect(sinkBytes).toBe(head.length + 64 * 1024 * 1024);
    expect(sinkHash).toBe(expected.digest('hex'));
    client.destroy();
    expect(await ended).toBe('closed');
    expect(socket.bytesRead).toBe(head.length + 64 * 1024 * 1024);
    // The writes toward the pausing sink were left queued again and again, and still the reads went into the
    // first small buffer and one pair of large ones: no buffer per queued write.
    expect(sinkPauses).toBeGreaterThanOrEqual(10);
    expect(readBuffers.size).toBeLessThanOrEqual(3);
  });

  it('passes on bytes and a FIN that came before the relay started', async () => {
    const front = await readingServer();
    servers.push(front.server);
    let received = '';
    const upstreamEnded = new Promise<void>((resolve) => {
      const sink = createServer({ allowHalfOpen: true }, (s) => {
        s.on('data', (c: Buffer) => (received += c.toString()));
        s.on('end', () => {
          s.end();
          resolve();
        });
      });
      servers.push(sink);
    });
    const sinkPort = await listen(servers[servers.length - 1]);
    const client = await connected(front.port);
    client.end('request, then FIN');
    const { socket, reader } = await front.next();
    // The reader reads on before the relay: the FIN is in and 'end' has gone by with nobody listening.
    await until(() => socket.readableEnded);
    const upstream = await connected(sinkPort);
    const ended = relay(socket, upstream, { idleMs: 10000, writeMs: 10000 }, { client: reader, upstream: null });
    await upstreamEnded;
    expect(received).toBe('request, then FIN');
    client.destroy();
    expect(await ended).toBe('closed');
  });

  it('ends the session with write_timeout when the upstream stops reading', async () => {
    const front = await readingServer();
    servers.push(front.server);
    const held: Socket[] = [];
    const stuck = createServer({ pauseOnConnect: true }, (s) => held.push(s));
    servers.push(stuck);
    const stuckPort = await listen(stuck);
    const client = await connected(front.port);
    client.on('error', () => {});
    const { socket, reader } = await front.next();
    const upstream = await connected(stuckPort);
    const ended = relay(socket, upstream, { idleMs: 60000, writeMs: 200 }, { client: reader, upstream: null });
    const block = Buffer.alloc(1024 * 1024);
    let over = false;
    void ended.then(() => { over = true; });
    while (!over && !client.destroyed) {
      if (!client.write(block)) await Promise.race([new Promise((r) => client.once('drain', r)), ended]);
    }
    expect(await ended).toBe('write_timeout');
    client.destroy();
    for (const s of held) s.destroy();
  });

  it('keeps the server waiting in close() until the reading socket is gone', async () => {
    const front = await readingServer();
    const client = await connected(front.port, false);
    const { socket } = await front.next();
    expect(socket.remoteAddress).toBe('127.0.0.1');
    let closed = false;
    const closing = new Promise<void>((resolve) => front.server.close(() => { closed = true; resolve(); }));
    await new Promise((r) => setImmediate(r));
    expect(closed).toBe(false);
    socket.destroy();
    client.destroy();
    await closing;
    expect(closed).toBe(true);
  });
});

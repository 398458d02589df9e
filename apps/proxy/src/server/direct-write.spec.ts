// writeLatin1Direct on real loopback sockets: bytes arrive whole and in order with socket.write's, a write the
// kernel cannot take at once is queued and reported when it left, and whatever cannot go straight to the handle is
// left to socket.write.
import { once } from 'node:events';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { writeLatin1Direct, Written } from './direct-write';

interface Pair {
  server: Server;
  client: Socket;
  peer: Socket;
}

async function pair(): Promise<Pair> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const accepted = once(server, 'connection');
  const client = connect((server.address() as { port: number }).port, '127.0.0.1');
  await once(client, 'connect');
  const [peer] = (await accepted) as [Socket];
  return { server, client, peer };
}

function received(peer: Socket, bytes: number): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    peer.setEncoding('latin1');
    peer.on('data', (chunk: string) => {
      text += chunk;
      if (text.length >= bytes) resolve(text);
    });
  });
}

describe('writeLatin1Direct', () => {
  let p: Pair;
  beforeEach(async () => {
    p = await pair();
  });
  afterEach(() => {
    p.client.destroy();
    p.peer.destroy();
    p.server.close();
  });

  it('writes at once, in order with socket.write, and counts in bytesWritten', async () => {
    const arrived = received(p.peer, 15);
    const done = jest.fn();
    expect(writeLatin1Direct(p.client, 'first|', done, true)).toBe(Written.Done);
    p.client.write('second|', 'latin1');
    // the Writable's write went out at once too: nothing is pending, the handle may be written again
    expect(writeLatin1Direct(p.client, '\u00e9nd', done, true)).toBe(Written.Done);
    expect(await arrived).toBe('first|second|\u00e9nd');
    expect(p.client.bytesWritten).toBe(16);
    expect(done).not.toHaveBeenCalled();
  });

  it('queues what the kernel cannot take, reports it once sent, and keeps the order with later writes', async () => {
    p.peer.pause();
    const chunk = 'x'.repeat(16 * 1024);
    const done = jest.fn();
    let sent = 0;
    let written = Written.Done;
    for (let i = 0; i < 4096 && written === Written.Done; i++) {
      written = writeLatin1Direct(p.client, chunk, done, true);
      sent += chunk.length;
    }
    expect(written).toBe(Written.Queued);
    // a write after a queued one is still behind it on the wire (libuv's queue)
    p.client.write('|end', 'latin1');
    const arrived = received(p.peer, sent + 4);
    p.peer.resume();
    const text = await arrived;
    expect(text.length).toBe(sent + 4);
    expect(text.endsWith('x|end')).toBe(true);
    expect(done).toHaveBeenCalledTimes(1);
    expect(done).toHaveBeenCalledWith(null);
  });

  it('restarts the socket timeout as socket.write does, or leaves it running', async () => {
    const timedOutAfter = async (restartTimer: boolean): Promise<boolean> => {
      let fired = false;
      p.client.setTimeout(150, () => (fired = true));
      for (let i = 0; i < 6; i++) {
        await new Promise((r) => setTimeout(r, 50));
        writeLatin1Direct(p.client, 'tick', jest.fn(), restartTimer);
      }
      p.client.setTimeout(0);
      return fired;
    };
    expect(await timedOutAfter(true)).toBe(false);
    expect(await timedOutAfter(false)).toBe(true);
  });

  it('leaves a corked socket, pending Writable data and a socket still connecting to socket.write', async () => {
    p.client.cork();
    expect(writeLatin1Direct(p.client, 'a', jest.fn(), true)).toBe(Written.No);
    p.client.uncork();
    const connecting = connect((p.server.address() as { port: number }).port, '127.0.0.1');
    expect(writeLatin1Direct(connecting, 'a', jest.fn(), true)).toBe(Written.No);
    connecting.destroy();
    p.client.end();
    expect(writeLatin1Direct(p.client, 'a', jest.fn(), true)).toBe(Written.No);
  });

  it('fails a write to a connection the peer reset: the socket is destroyed with the error', async () => {
    // the client does not read (as a proxy's upstream socket between exchanges): only a write can meet the reset
    (p.client as unknown as { _handle: { readStop(): number } })._handle.readStop();
    p.peer.resetAndDestroy();
    await once(p.peer, 'close');
    const errors: Error[] = [];
    p.client.on('error', (err) => errors.push(err));
    const closed = new Promise((resolve) => p.client.once('close', resolve));
    let written = Written.Done;
    // the first write after the reset may still be taken by the kernel
    for (let i = 0; i < 20 && written === Written.Done; i++) {
      written = writeLatin1Direct(p.client, 'data', jest.fn(), true);
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(written).toBe(Written.Failed);
    await closed;
    expect(p.client.destroyed).toBe(true);
    expect(errors.map((e) => (e as Error & { code?: string }).code)).toEqual([expect.stringMatching(/^(EPIPE|ECONNRESET)$/)]);
  });
});

// An oversized head that arrives over several reads, on a real node:http server answering in JSON (as the Admin API
// and the status listener do): the overflow's own read starts mid-head, and the metered request line decides
// between 414 and 431.
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { jsonClientErrorHandler, meterRequestLines, RequestLineMeter, requestLineLimit } from './parser-errors';

const MAX_HEADER = 16_384;

/** Heads sent in two writes with a pause between (two reads), and the status each must get. */
const HEADS: Array<[string, string, number]> = [
  [`GET /?${'a'.repeat(1000)}`, `${'a'.repeat(20_000)} HTTP/1.1\r\nHost: a\r\n\r\n`, 414],
  [`GET / HTTP/1.1\r\nHost: a\r\nX-Big: ${'b'.repeat(1000)}`, `${'b'.repeat(20_000)}\r\n\r\n`, 431],
  // the line ended past the line limit (4 KiB here) in the second read, then a header overflowed
  [`GET /?${'q'.repeat(3000)}`, `${'q'.repeat(2000)} HTTP/1.1\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`, 414],
  [`GET /?${'q'.repeat(1000)}`, `${'q'.repeat(1000)} HTTP/1.1\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`, 431],
];

function send(port: number, first: string, rest: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.setNoDelay(true);
    let text = '';
    socket.on('data', (d) => (text += d.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(text));
    socket.once('connect', () => {
      socket.write(first);
      setTimeout(() => socket.writable && socket.write(rest), 60);
    });
  });
}

async function listen(metered: boolean): Promise<{ server: Server; port: number }> {
  const server = createServer({ maxHeaderSize: MAX_HEADER }, (_req, res) => res.end('ok'));
  server.on('clientError', jsonClientErrorHandler(requestLineLimit(MAX_HEADER)));
  if (metered) meterRequestLines(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise<void>((resolve) => s.close(() => resolve()));
});

describe('request line metering', () => {
  it('answers 414 for a request line and 431 for headers, whichever read the overflow falls in', async () => {
    const { server, port } = await listen(true);
    servers.push(server);
    const statuses: number[] = [];
    for (const [first, rest] of HEADS) statuses.push(Number(/^HTTP\/1\.1 (\d+)/.exec(await send(port, first, rest))?.[1]));
    expect(statuses).toEqual(HEADS.map((h) => h[2]));
  });

  it('still answers a head that fits, on the same connection after another', async () => {
    const { server, port } = await listen(true);
    servers.push(server);
    const text = await send(port, 'GET /a HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTT', 'P/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');
    expect(text.match(/HTTP\/1\.1 200/g)).toHaveLength(2);
  });

  it('counts the line over reads until its LF, and nothing after', () => {
    const meter = new RequestLineMeter();
    meter.begin(Buffer.from('GET /aaaa'));
    meter.measure(Buffer.from('bbbb'));
    expect([meter.bytes, meter.open]).toEqual([13, true]);
    meter.measure(Buffer.from('cc HTTP/1.1\r\nHost: x'));
    expect([meter.bytes, meter.open]).toEqual([25, false]);
    meter.measure(Buffer.from('more headers, no LF'));
    expect(meter.bytes).toBe(25);
  });
});

// `proxy_protocol` stream listeners: v1 and v2 headers (IPv4 and IPv6) give the client address used for
// `sources` routing and the access log when the peer is in trusted_ips (only then, as nginx's realip); a missing,
// malformed or truncated header closes only that connection.
import { connect } from 'node:net';
import { type Backend, type Running, closedBy, echoServer, routeRow, serviceRow, startStream, stopStream, until } from './support';
import { v2Header } from '../support/proxy-protocol';

jest.setTimeout(30000);

const v2v4 = (src: number[], srcPort: number) => v2Header('proxy', 4, [...src, 10, 0, 0, 1], srcPort, 4242);
const v2v6 = (src: number[], srcPort: number) => v2Header('proxy', 6, [...src, ...Array(15).fill(0), 1], srcPort, 4242);
const v2local = () => v2Header('local', 4, Array(8).fill(0), 0, 0);

function send(port: number, header: Buffer | string, payload: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let got = '';
    const s = connect({ host: '127.0.0.1', port }, () => s.write(Buffer.concat([Buffer.from(header), Buffer.from(payload)])));
    s.on('data', (c: Buffer) => {
      got += c.toString();
      if (got.length >= payload.length + 2) s.end();
    });
    s.on('close', () => resolve(got));
    s.on('error', reject);
  });
}

describe('stream proxy: PROXY protocol', () => {
  let running: Running | undefined;
  const backends: Backend[] = [];
  afterEach(async () => {
    await stopStream(running);
    running = undefined;
    for (const b of backends.splice(0)) await b.close();
  });

  async function start(trusted = true) {
    const a = await echoServer('A:');
    const b = await echoServer('B:');
    backends.push(a, b);
    const sa = serviceRow({ host: '127.0.0.1', port: a.port });
    const sb = serviceRow({ host: '127.0.0.1', port: b.port });
    // Equal-priority CIDR routes: Kong prefers the larger id, so the catch-all is created first.
    const catchAll = routeRow({ protocols: ['tcp'], sources: [{ ip: '0.0.0.0/0' }] }, sb);
    const documentation = routeRow({ protocols: ['tcp'], sources: [{ ip: '192.0.2.0/24' }, { ip: '2001:db8::/32' }] }, sa);
    running = await startStream(['127.0.0.1:0 proxy_protocol'], {
      _format_version: '3.0', services: [sa, sb],
      routes: [catchAll, documentation],
    }, { prereadTimeoutMs: 300, isTrusted: (ip) => trusted && ip === '127.0.0.1' });
  }

  it.each([
    ['v1 TCP4', 'PROXY TCP4 192.0.2.7 10.0.0.1 5555 4242\r\n', 'A:', '192.0.2.7'],
    ['v1 TCP6', 'PROXY TCP6 2001:db8::7 ::1 5555 4242\r\n', 'A:', '2001:db8::7'],
    ['v1 TCP4 outside the CIDR', 'PROXY TCP4 198.51.100.9 10.0.0.1 5555 4242\r\n', 'B:', '198.51.100.9'],
    ['v1 UNKNOWN keeps the TCP peer', 'PROXY UNKNOWN\r\n', 'B:', '127.0.0.1'],
    ['v2 IPv4', v2v4([192, 0, 2, 99], 5555), 'A:', '192.0.2.99'],
    ['v2 IPv6', v2v6([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x42], 5555), 'A:', '2001:db8::42'],
    ['v2 LOCAL keeps the TCP peer', v2local(), 'B:', '127.0.0.1'],
  ])('%s: routed and logged on the carried source', async (_name, header, tag, clientIp) => {
    await start();
    expect(await send(running!.port(), header, 'data')).toBe(`${tag}data`);
    await until(() => running!.log.lines.length === 1, 'log line');
    expect(running!.log.lines[0]).toMatchObject({ client_ip: clientIp, session: { status: 200 } });
  });

  it.each([
    ['v1 TCP4', 'PROXY TCP4 192.0.2.7 10.0.0.1 5555 4242\r\n'],
    ['v2 IPv4', v2v4([192, 0, 2, 99], 5555)],
  ])('%s from a peer outside trusted_ips: the TCP peer stays the client', async (_name, header) => {
    await start(false);
    expect(await send(running!.port(), header, 'data')).toBe('B:data');
    await until(() => running!.log.lines.length === 1, 'log line');
    expect(running!.log.lines[0]).toMatchObject({ client_ip: '127.0.0.1', session: { status: 200 } });
  });

  it.each([
    ['no header at all', Buffer.from('hello there\r\n'), 'invalid PROXY protocol header: no PROXY protocol header'],
    ['malformed v1', Buffer.from('PROXY TCP4 not-an-ip 10.0.0.1 1 2\r\n'), 'invalid PROXY protocol header: malformed PROXY v1 header'],
    ['markup as the v1 source', Buffer.from('PROXY TCP4 <script> 5.6.7.8 1 2\r\n'), 'invalid PROXY protocol header: malformed PROXY v1 header'],
    ['v1 port out of range', Buffer.from('PROXY TCP4 192.0.2.1 5.6.7.8 70000 2\r\n'), 'invalid PROXY protocol header: malformed PROXY v1 header'],
    ['v2 IPv6 family with an IPv4-sized block', v2Header('proxy', 6, Array(8).fill(0), 1, 2), 'invalid PROXY protocol header: PROXY v2 address block shorter than its family needs'],
    ['v1 without CRLF in 107 bytes', Buffer.from(`PROXY TCP4 ${'1'.repeat(120)}`), 'invalid PROXY protocol header: PROXY v1 header longer than 107 bytes'],
    ['truncated v2 (then silence)', v2v4([192, 0, 2, 1], 1).subarray(0, 20), 'PROXY protocol header not received (timeout)'],
    ['truncated v1 (then FIN)', Buffer.from('PROXY TCP4 192.0.2.1'), 'PROXY protocol header not received (closed)'],
  ])('rejects %s by closing that connection only', async (name, bytes, message) => {
    await start();
    const port = running!.port();
    // A healthy session in progress must survive the bad one.
    const good = connect({ host: '127.0.0.1', port });
    good.on('error', () => {});
    good.write('PROXY TCP4 192.0.2.5 10.0.0.1 1 2\r\n');
    await new Promise<void>((resolve) => good.once('data', () => resolve()));
    const bad = connect({ host: '127.0.0.1', port }, () => (name.includes('FIN') ? bad.end(bytes) : bad.write(bytes)));
    const result = await closedBy(bad);
    expect(result.data.length).toBe(0);
    const echoed = new Promise<string>((resolve) => good.once('data', (c: Buffer) => resolve(c.toString())));
    good.write('ping');
    expect(await echoed).toBe('ping');
    good.end();
    await until(() => running!.log.lines.length === 2, 'log lines');
    expect(running!.log.lines[0]).toMatchObject({ session: { status: 400 }, message, client_ip: '127.0.0.1' });
  });
});

// Methods outside llhttp's list, through a real traditional node: nginx (so Kong) takes any method of A-Z, '_' and
// '-', routes it (a route's `methods` may list it) and proxies it unchanged; anything else stays a 400. The upstream is
// a raw socket server: node:http's own parser would refuse these methods as the proxy once did.
import { connect as h2connect } from 'node:http2';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { http } from '../support/http';
import { loopbackConf, startNode, stopNode, tempPrefix, writeConf, type RunningNode } from '../support/cli-node';
import { waitFor } from '../support/wait';

/** What the upstream received: request line and body, in order. */
const seen: string[] = [];

/** Keep-alive HTTP/1.1 with Content-Length or chunked bodies, any method; answers `<method> <target> [<body>]`. */
function rawUpstream(): Server {
  return createServer((socket: Socket) => {
    let buf = Buffer.alloc(0);
    socket.on('error', () => socket.destroy());
    socket.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const lines = buf.subarray(0, end).toString('latin1').split('\r\n');
        const [method, target] = lines[0].split(' ');
        const header = (name: string) => lines.find((l) => l.toLowerCase().startsWith(`${name}:`))?.slice(name.length + 1).trim();
        let rest = buf.subarray(end + 4);
        let body = '';
        if (header('transfer-encoding') === 'chunked') {
          const text = rest.toString('latin1');
          const last = text.indexOf('0\r\n\r\n');
          if (last < 0) return;
          for (let at = 0; at < last; ) {
            const nl = text.indexOf('\r\n', at);
            const size = parseInt(text.slice(at, nl), 16);
            body += text.slice(nl + 2, nl + 2 + size);
            at = nl + 2 + size + 2;
          }
          rest = rest.subarray(last + 5);
        } else {
          const length = Number(header('content-length') ?? 0);
          if (rest.length < length) return;
          body = rest.subarray(0, length).toString('latin1');
          rest = rest.subarray(length);
        }
        buf = rest;
        const answer = `${method} ${target} [${body}]`;
        seen.push(answer);
        socket.write(`HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${answer.length}\r\n\r\n${answer}`);
      }
    });
  });
}

/**
 * Writes on one connection and reads `count` responses (Content-Length bodies), or until it closes. Several writes:
 * each after as many responses as writes before it.
 */
function exchange(port: number, raw: string | string[], count: number): Promise<Array<{ status: number; body: string }>> {
  const writes = typeof raw === 'string' ? [raw] : [...raw];
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let buf = '';
    const out: Array<{ status: number; body: string }> = [];
    const done = () => {
      socket.destroy();
      resolve(out);
    };
    socket.on('error', reject);
    socket.on('close', done);
    socket.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const length = Number(/\r\ncontent-length: *(\d+)/i.exec(buf.slice(0, end))?.[1] ?? 0);
        if (buf.length < end + 4 + length) return;
        out.push({ status: Number(buf.slice(9, 12)), body: buf.slice(end + 4, end + 4 + length) });
        buf = buf.slice(end + 4 + length);
        if (out.length === count) return done();
        if (writes.length > 0) socket.write(writes.shift()!);
      }
    });
    socket.write(writes.shift()!);
  });
}

describe('methods outside llhttp\'s list (real node)', () => {
  let node: RunningNode;
  let admin: string;
  let upstream: Server;
  /** The plain HTTP/1.1 listener, and the cleartext one that also takes h2c (its first bytes go through a front door). */
  let ports: number[];

  beforeAll(async () => {
    upstream = rawUpstream();
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    const up = (upstream.address() as AddressInfo).port;
    const prefix = tempPrefix();
    node = await startNode(['-c', writeConf(prefix, loopbackConf(prefix, { proxy_listen: '127.0.0.1:0, 127.0.0.1:0 http2' })), '-p', prefix]);
    admin = `http://127.0.0.1:${node.port('admin_listen')}`;
    ports = [node.port('proxy_listen', 0), node.port('proxy_listen', 1)];
    const post = async (path: string, body: unknown) => {
      const res = await http('POST', `${admin}${path}`, { body });
      if (res.status !== 201) throw new Error(`${path}: ${res.status} ${res.text}`);
    };
    await post('/services', { name: 'teapot', url: `http://127.0.0.1:${up}/teapot`, retries: 0 });
    await post('/services', { name: 'other', url: `http://127.0.0.1:${up}/other`, retries: 0 });
    await post('/services/teapot/routes', { name: 'brew', paths: ['/pot'], methods: ['BREW'] });
    await post('/services/other/routes', { name: 'get', paths: ['/pot'], methods: ['GET'] });
    await post('/services/other/routes', { name: 'any', paths: ['/any'] });
    await waitFor(async () => ((await exchange(ports[0], 'BREW /pot HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n', 1))[0]?.status === 200 ? true : undefined), 'the BREW route to be served');
  });

  afterAll(async () => {
    if (node) await stopNode(node);
    await new Promise((r) => upstream?.close(r));
  });

  it('POST /routes takes the methods Kong takes (upper-case letters only), and the route matches them', async () => {
    const bad = await http('POST', `${admin}/services/teapot/routes`, { body: { paths: ['/tea'], methods: ['MK_TEA'] } });
    expect(bad.status).toBe(400);
    expect(bad.json.fields).toEqual({ methods: [expect.any(String)] });
    const ok = await http('POST', `${admin}/services/teapot/routes`, { body: { paths: ['/tea'], methods: ['PROPFIND', 'MKTEA'] } });
    expect(ok.status).toBe(201);
    const reply = await waitFor(async () => {
      const [r] = await exchange(ports[0], 'MKTEA /tea HTTP/1.1\r\nHost: a\r\n\r\n', 1);
      return r.status === 200 ? r : undefined;
    }, 'the MKTEA route to be served');
    expect(reply.body).toBe('MKTEA /teapot []');
  });

  it.each([0, 1])('routes and proxies unknown methods unchanged, pipelined with known ones on one keep-alive connection (listener %d)', async (listener) => {
    seen.length = 0;
    const replies = await exchange(
      ports[listener],
      'BREW /pot HTTP/1.1\r\nHost: a\r\n\r\n' +
        'GET /pot HTTP/1.1\r\nHost: a\r\n\r\n' +
        'FOO_BAR /any/x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello' +
        'BREW /pot/earl-grey HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhot\r\n0\r\n\r\n',
      4,
    );
    expect(replies).toEqual([
      { status: 200, body: 'BREW /teapot []' },
      { status: 200, body: 'GET /other []' },
      { status: 200, body: 'FOO_BAR /other/x [hello]' },
      { status: 200, body: 'BREW /teapot/earl-grey [hot]' },
    ]);
    expect(seen).toEqual(replies.map((r) => r.body));
  });

  it('a method no route lists is no route match; a method nginx refuses is still 400', async () => {
    const [miss] = await exchange(ports[0], 'MKTEA /pot HTTP/1.1\r\nHost: a\r\n\r\n', 1);
    expect(miss.status).toBe(404);
    expect(JSON.parse(miss.body)).toMatchObject({ message: 'no Route matched with those values' });
    const withoutId = (body: string) => body.replace(/[0-9a-f]{32}/, '<id>');
    // what a method llhttp refuses by itself has always been answered with
    const [baseline] = await exchange(ports[0], 'G(T /pot HTTP/1.1\r\nHost: a\r\n\r\n', 1);
    expect(baseline.status).toBe(400);
    expect(withoutId(baseline.body)).toBe('Bad request\nrequest_id: <id>\n');
    for (const line of ['brew /pot HTTP/1.1', 'BR{W /pot HTTP/1.1']) {
      // the first request shows the connection took an unknown method before refusing this one
      const [first, second] = await exchange(ports[0], ['BREW /pot HTTP/1.1\r\nHost: a\r\n\r\n', `${line}\r\nHost: a\r\n\r\n`], 2);
      expect(first).toEqual({ status: 200, body: 'BREW /teapot []' });
      expect(second.status).toBe(400);
      expect(withoutId(second.body)).toBe(withoutId(baseline.body));
    }
  });

  it('HTTP/2 and HTTP/1.1 carry an unknown method alike on the listener that takes both', async () => {
    const [h1] = await exchange(ports[1], 'BREW /pot HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n', 1);
    expect(h1).toEqual({ status: 200, body: 'BREW /teapot []' });
    const session = h2connect(`http://127.0.0.1:${ports[1]}`);
    try {
      const body = await new Promise<string>((resolve, reject) => {
        const stream = session.request({ ':method': 'BREW', ':path': '/pot' }, { endStream: true });
        let text = '';
        stream.setEncoding('latin1');
        stream.on('data', (d: string) => (text += d));
        stream.on('end', () => resolve(text));
        stream.on('error', reject);
      });
      expect(body).toBe('BREW /teapot []');
    } finally {
      session.close();
    }
  });
});

// HTTPS certificate selection by SNI, HTTP/2 via ALPN (and HTTP/1.1 on the same port), h2c, WebSocket upgrade.
import { connect as h2connect, constants as h2, type Settings } from 'node:http2';
import { createServer } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createHash } from 'node:crypto';
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { renegotiationOutcome } from '../support/tls-renegotiation';
import { issueCertificate } from '@tollgate/pki';
import { send } from './support/client';
import { route, service, snapshot } from './support/config';
import { startTestDataPlane, type TestDataPlane } from './support/data-plane';
import { listenEntry } from './support/settings';
import { startUpstream, type Echo, type TestUpstream } from './support/upstreams';

function servedCommonName(port: number, servername: string | undefined): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, servername, rejectUnauthorized: false }, () => {
      const cn = socket.getPeerCertificate().subject.CN;
      socket.end();
      resolve(String(Array.isArray(cn) ? cn[0] : cn));
    });
    socket.on('error', reject);
  });
}

describe('TLS, HTTP/2 and WebSocket', () => {
  let upstream: TestUpstream;
  let t: TestDataPlane;

  beforeAll(async () => {
    upstream = await startUpstream();
    const exact = issueCertificate({ commonName: 'api.example.test', altNames: ['api.example.test'] });
    const wild = issueCertificate({ commonName: '*.wild.test', altNames: ['*.wild.test'] });
    const fallback = issueCertificate({ commonName: 'default.test', altNames: ['default.test'] });
    const svc = service({ port: upstream.port });
    t = await startTestDataPlane(
      snapshot({
        services: [svc],
        routes: [route(svc, { paths: ['/'] })],
        certificates: [
          { id: 'c0000000-0000-4000-8000-000000000001', cert: exact.cert, key: exact.key, cert_alt: null, key_alt: null, tags: null },
          { id: 'c0000000-0000-4000-8000-000000000002', cert: wild.cert, key: wild.key, cert_alt: null, key_alt: null, tags: null },
        ],
        snis: [
          { id: 'd0000000-0000-4000-8000-000000000001', name: 'api.example.test', certificate: { id: 'c0000000-0000-4000-8000-000000000001' } },
          { id: 'd0000000-0000-4000-8000-000000000002', name: '*.wild.test', certificate: { id: 'c0000000-0000-4000-8000-000000000002' } },
        ],
      }),
      {
        proxy_listeners: [
          listenEntry({ ssl: true, http2: true }),
          listenEntry({ ssl: true }),
          listenEntry({ http2: true }),
          listenEntry(),
        ],
      },
      fallback,
    );
  });

  afterAll(async () => {
    await t.dp.close();
    await upstream.close();
  });

  it.each([
    ['api.example.test', 'api.example.test'],
    ['a.wild.test', '*.wild.test'],
    ['deep.a.wild.test', '*.wild.test'],
    ['other.test', 'default.test'],
    [undefined, 'default.test'],
  ])('SNI %s is served the certificate %s', async (sni, cn) => {
    expect(await servedCommonName(t.ports[0], sni)).toBe(cn);
    expect(await servedCommonName(t.ports[1], sni)).toBe(cn);
  });

  it('http2 ssl listener negotiates h2 via ALPN and proxies', async () => {
    const session = h2connect(`https://127.0.0.1:${t.ports[0]}`, { rejectUnauthorized: false, servername: 'api.example.test' });
    // a reset after the test (the data plane closes at once in afterAll) must not surface as an uncaught error
    session.on('error', () => undefined);
    try {
      const { headers, body } = await new Promise<{ headers: Record<string, unknown>; body: string }>((resolve, reject) => {
        const stream = session.request({ ':path': '/h2?q=1', ':method': 'POST', 'content-type': 'text/plain' });
        let headers: Record<string, unknown> = {};
        const chunks: Buffer[] = [];
        stream.on('response', (h) => (headers = h));
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => resolve({ headers, body: Buffer.concat(chunks).toString() }));
        stream.on('error', reject);
        stream.end('over h2');
      });
      expect((session.socket as unknown as { alpnProtocol: string }).alpnProtocol).toBe('h2');
      expect(headers[h2.HTTP2_HEADER_STATUS]).toBe(200);
      expect(headers.via).toMatch(/^1\.1 tollgate\//);
      const echo = JSON.parse(body) as Echo;
      expect(echo.url).toBe('/h2?q=1');
      expect(echo.body).toBe('over h2');
      expect(echo.headers.via).toMatch(/^2 tollgate\//);
      expect(echo.headers['x-forwarded-proto']).toBe('https');
    } finally {
      session.close();
    }
  });

  it('HTTP/2 listeners announce nginx\'s limit of 128 concurrent streams (Node announces none: 2^32-1)', async () => {
    for (const url of [`https://127.0.0.1:${t.ports[0]}`, `http://127.0.0.1:${t.ports[2]}`]) {
      const session = h2connect(url, { rejectUnauthorized: false, servername: 'api.example.test' });
      session.on('error', () => undefined);
      try {
        const settings = await new Promise<Settings>((resolve) => session.once('remoteSettings', resolve));
        expect(settings.maxConcurrentStreams).toBe(128);
      } finally {
        session.close();
      }
    }
  });

  it('HTTPS listeners refuse a client-initiated TLS renegotiation at once, as nginx does (Node allows 3)', async () => {
    for (const port of [t.ports[0], t.ports[1]]) {
      const outcome = await renegotiationOutcome(port, 'api.example.test', 'GET /after HTTP/1.1\r\nHost: a\r\n\r\n');
      expect(outcome).toBe('refused');
    }
  });

  it('http2 ssl listener still serves HTTP/1.1', async () => {
    const reply = await new Promise<{ status: number; body: string; alpn: string }>((resolve, reject) => {
      const options = { host: '127.0.0.1', port: t.ports[0], path: '/one', rejectUnauthorized: false, agent: false, ALPNProtocols: ['http/1.1'] };
      const req = httpsRequest(options as never, (res: import('node:http').IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString(), alpn: (res.socket as unknown as { alpnProtocol: string }).alpnProtocol }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(reply.status).toBe(200);
    expect(reply.alpn).toBe('http/1.1');
    expect((JSON.parse(reply.body) as Echo).url).toBe('/one');
  });

  it('cleartext http2 listener accepts h2c prior knowledge and HTTP/1.1', async () => {
    const session = h2connect(`http://127.0.0.1:${t.ports[2]}`);
    session.on('error', () => undefined);
    try {
      const body = await new Promise<string>((resolve, reject) => {
        const stream = session.request({ ':path': '/h2c' });
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => resolve(Buffer.concat(chunks).toString()));
        stream.on('error', reject);
        stream.end();
      });
      expect((JSON.parse(body) as Echo).url).toBe('/h2c');
    } finally {
      session.close();
    }
    const reply = await send(t.ports[2], { path: '/h1' });
    expect((JSON.parse(reply.body) as Echo).url).toBe('/h1');
  });

  // The socket is handed over at the end of the request head: a declared body used to be awaited from a request
  // that never emits one, so the handshake never went upstream and the client waited forever.
  it.each([
    ['Content-Length: 0', ''],
    ['Content-Length: 5', 'hello'],
  ])('a WebSocket upgrade declaring %s is tunnelled, its body bytes relayed after the 101', async (framing, body) => {
    const wsUpstream = createServer();
    wsUpstream.on('upgrade', (req, socket, head: Buffer) => {
      socket.on('error', () => undefined);
      const accept = createHash('sha1').update(`${req.headers['sec-websocket-key']}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
      const framed = req.headers['content-length'] ?? req.headers['transfer-encoding'] ?? 'none';
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\nX-Upstream-Framing: ${framed}\r\n\r\n`);
      if (head.length > 0) socket.write(Buffer.concat([Buffer.from('echo:'), head]));
      socket.on('data', (d: Buffer) => socket.write(Buffer.concat([Buffer.from('echo:'), d])));
    });
    await new Promise<void>((r) => wsUpstream.listen(0, '127.0.0.1', r));
    const svc = service({ port: (wsUpstream.address() as { port: number }).port });
    t.provider.update(snapshot({ services: [svc], routes: [route(svc, { paths: ['/ws'] })] }, 3));
    try {
      const received = await new Promise<string>((resolve, reject) => {
        const socket = netConnect(t.ports[3], '127.0.0.1', () => {
          socket.write(`GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n${framing}\r\n\r\n${body}`);
        });
        const timer = setTimeout(() => { socket.destroy(); reject(new Error(`no tunnel within 5 s; got ${JSON.stringify(text)}`)); }, 5000);
        let text = '';
        socket.on('data', (d: Buffer) => {
          text += d.toString('latin1');
          if (text.includes('\r\n\r\n') && !text.includes('echo:frame')) socket.write('frame');
          if (text.includes('echo:frame')) {
            clearTimeout(timer);
            socket.destroy();
            resolve(text);
          }
        });
        socket.on('error', reject);
      });
      expect(received).toMatch(/^HTTP\/1\.1 101 Switching Protocols\r\n/);
      // the handshake goes up bodiless, as RFC 6455 has it
      expect(received).toContain('X-Upstream-Framing: none');
      if (body) expect(received).toContain(`echo:${body}`);
    } finally {
      wsUpstream.closeAllConnections();
      wsUpstream.close();
    }
  });

  it('WebSocket upgrade is tunnelled both ways', async () => {
    const wsUpstream = createServer();
    wsUpstream.on('upgrade', (req, socket) => {
      // the gateway resets the tunnel when the client leaves: not an uncaught error in this process
      socket.on('error', () => undefined);
      const accept = createHash('sha1').update(`${req.headers['sec-websocket-key']}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\nX-Upstream-Conn: ${req.headers.connection}\r\n\r\n`);
      socket.on('data', (d: Buffer) => socket.write(Buffer.concat([Buffer.from('echo:'), d])));
    });
    await new Promise<void>((r) => wsUpstream.listen(0, '127.0.0.1', r));
    const wsPort = (wsUpstream.address() as { port: number }).port;
    const svc = service({ port: wsPort });
    t.provider.update(snapshot({ services: [svc], routes: [route(svc, { paths: ['/ws'] })] }, 2));
    try {
      const received = await new Promise<string>((resolve, reject) => {
        const socket = netConnect(t.ports[3], '127.0.0.1', () => {
          socket.write('GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
        });
        let text = '';
        socket.on('data', (d: Buffer) => {
          text += d.toString('latin1');
          if (text.includes('\r\n\r\n') && !text.includes('echo:')) socket.write('ping-frame');
          if (text.includes('echo:ping-frame')) {
            socket.destroy();
            resolve(text);
          }
        });
        socket.on('error', reject);
      });
      expect(received).toMatch(/^HTTP\/1\.1 101 Switching Protocols\r\n/);
      expect(received).toContain('Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
      expect(received).toContain('X-Upstream-Conn: keep-alive, Upgrade');
      expect(received).toMatch(/\r\nUpgrade: websocket\r\n/);
      expect(received).toContain('echo:ping-frame');
    } finally {
      wsUpstream.closeAllConnections();
      wsUpstream.close();
    }
  });
});

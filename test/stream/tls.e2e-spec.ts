// `ssl` stream listeners: TLS terminated with the certificate chosen by SNI (then plain TCP or re-encrypted),
// tls_passthrough routed on the ClientHello's SNI with the bytes untouched, and bad input that only hurts itself.
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect, createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { issueCertificate } from '@tollgate/pki';
import { renegotiationOutcome } from '../support/tls-renegotiation';
import {
  type Backend, type Running, certificateRow, closedBy, echoServer, listenOn, routeRow, serviceRow, sniRow, startStream, stopStream, until,
} from './support';

jest.setTimeout(30000);

const certA = issueCertificate({ commonName: 'a.test', altNames: ['a.test'] });
const certB = issueCertificate({ commonName: 'b.test', altNames: ['b.test'] });

/** Sends `data`, reads until `expectLength` bytes came back, then closes. */
function tlsExchange(port: number, servername: string | undefined, data: string, expectLength: number): Promise<{ reply: string; cn: string | undefined }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let cn: string | undefined;
    const s: TLSSocket = tlsConnect({ host: '127.0.0.1', port, servername, rejectUnauthorized: false }, () => {
      const subjectCn = s.getPeerCertificate().subject?.CN;
      cn = Array.isArray(subjectCn) ? subjectCn[0] : subjectCn;
      s.write(data);
    });
    s.on('data', (c: Buffer) => {
      chunks.push(c);
      if (Buffer.concat(chunks).length >= expectLength) s.end();
    });
    s.on('close', () => resolve({ reply: Buffer.concat(chunks).toString(), cn }));
    s.on('error', reject);
  });
}

/** A TLS echo server with its own certificate: proves passthrough (the client sees this server's cert). */
async function tlsEcho(cert: { cert: string; key: string }, tag: string) {
  const server = createTlsServer({ cert: cert.cert, key: cert.key }, (s) => {
    s.write(tag);
    s.pipe(s);
    s.on('error', () => {});
  });
  const port = await listenOn(server);
  return { server, port };
}

describe('stream proxy: tls', () => {
  let running: Running | undefined;
  const backends: Backend[] = [];
  const closers: Array<() => void> = [];
  afterEach(async () => {
    await stopStream(running);
    running = undefined;
    for (const b of backends.splice(0)) await b.close();
    for (const c of closers.splice(0)) c();
  });

  async function terminating() {
    const echo = await echoServer('plain:');
    backends.push(echo);
    const service = serviceRow({ host: '127.0.0.1', port: echo.port });
    const ca = certificateRow(certA.cert, certA.key);
    const cb = certificateRow(certB.cert, certB.key);
    running = await startStream(['127.0.0.1:0 ssl'], {
      _format_version: '3.0',
      certificates: [ca, cb],
      snis: [sniRow('a.test', ca), sniRow('b.test', cb)],
      services: [service],
      routes: [routeRow({ protocols: ['tls'], snis: ['a.test', 'b.test', 'c.test'] }, service)],
    });
    return echo;
  }

  it.each([
    ['a.test', 'a.test'],
    ['b.test', 'b.test'],
    // A routed name without its own certificate gets the default stream certificate.
    ['c.test', 'localhost'],
  ])('terminates TLS for SNI %s with the certificate of CN %s, forwarding plain TCP', async (sni, cn) => {
    await terminating();
    const { reply, cn: seen } = await tlsExchange(running!.port(), sni, 'hi', 8);
    expect(seen).toBe(cn);
    expect(reply).toBe('plain:hi');
    await until(() => running!.log.lines.length === 1, 'log line');
    expect((running!.log.lines[0] as any).session.tls).toMatchObject({ sni, version: expect.stringMatching(/^TLSv1\.[23]$/) });
  });

  it('refuses a client-initiated TLS renegotiation, as nginx does, and keeps serving new sessions', async () => {
    await terminating();
    const outcome = await renegotiationOutcome(running!.port(), 'a.test', 'hi');
    expect(outcome).toBe('refused');
    const { reply } = await tlsExchange(running!.port(), 'a.test', 'hi', 8);
    expect(reply).toBe('plain:hi');
  });

  it('re-encrypts to a tls service', async () => {
    const upstream = await tlsEcho(certB, 'tls-up:');
    closers.push(() => upstream.server.close());
    const service = serviceRow({ protocol: 'tls', host: '127.0.0.1', port: upstream.port });
    const ca = certificateRow(certA.cert, certA.key);
    running = await startStream(['127.0.0.1:0 ssl'], {
      _format_version: '3.0', certificates: [ca], snis: [sniRow('a.test', ca)], services: [service],
      routes: [routeRow({ protocols: ['tls'], snis: ['a.test'] }, service)],
    });
    const { reply, cn } = await tlsExchange(running.port(), 'a.test', 'yo', 9);
    expect(cn).toBe('a.test');
    expect(reply).toBe('tls-up:yo');
  });

  it('passes TLS through on SNI to two different backends, untouched (the client sees each backend certificate)', async () => {
    const upA = await tlsEcho(certA, 'A:');
    const upB = await tlsEcho(certB, 'B:');
    closers.push(() => upA.server.close(), () => upB.server.close());
    const sa = serviceRow({ host: '127.0.0.1', port: upA.port });
    const sb = serviceRow({ host: '127.0.0.1', port: upB.port });
    running = await startStream(['127.0.0.1:0 ssl'], {
      _format_version: '3.0', services: [sa, sb],
      routes: [routeRow({ protocols: ['tls_passthrough'], snis: ['a.test'] }, sa), routeRow({ protocols: ['tls_passthrough'], snis: ['b.test'] }, sb)],
    });
    const a = await tlsExchange(running.port(), 'a.test', 'one', 5);
    const b = await tlsExchange(running.port(), 'b.test', 'two', 5);
    expect(a).toEqual({ reply: 'A:one', cn: 'a.test' });
    expect(b).toEqual({ reply: 'B:two', cn: 'b.test' });
    await until(() => running!.log.lines.length === 2, 'log lines');
    expect((running.log.lines[0] as any).session.tls).toBeNull(); // not terminated by us
  });

  it('bad input (garbage instead of TLS, unknown SNI, silence) is closed and logged without disturbing a session in progress', async () => {
    await terminating();
    const port = running!.port();
    // A good session stays open across the bad ones.
    const good: TLSSocket = await new Promise((resolve) => {
      const s = tlsConnect({ host: '127.0.0.1', port, servername: 'a.test', rejectUnauthorized: false }, () => resolve(s));
      s.on('error', () => {});
    });
    const garbage = netConnect({ host: '127.0.0.1', port }, () => garbage.write('GET / HTTP/1.1\r\n\r\n'));
    const garbageResult = await closedBy(garbage);
    expect(garbageResult.data.length).toBe(0);
    const unknown = tlsConnect({ host: '127.0.0.1', port, servername: 'unknown.test', rejectUnauthorized: false });
    const unknownResult = await closedBy(unknown);
    expect(unknownResult.error).not.toBeNull(); // closed before any handshake: the client sees a reset/EOF
    const halfHello = netConnect({ host: '127.0.0.1', port }, () => halfHello.end(Buffer.from([0x16, 0x03, 0x01, 0x02])));
    await closedBy(halfHello);

    const reply = await new Promise<string>((resolve) => {
      let got = '';
      good.on('data', (c: Buffer) => {
        got += c.toString();
        if (got === 'plain:still here') resolve(got);
      });
      good.write('still here');
    });
    expect(reply).toBe('plain:still here');
    good.end();
    await until(() => running!.log.lines.length === 4, 'log lines');
    const statuses = running!.log.lines.map((l: any) => [l.session.status, l.message ?? null]);
    expect(statuses).toEqual(expect.arrayContaining([
      [400, 'not a TLS ClientHello: not a TLS handshake record'],
      [500, 'no Route found with those values'],
      [400, 'TLS ClientHello not received (closed)'],
      [200, null],
    ]));
  });

  it('a client that never sends its ClientHello is dropped after the preread timeout', async () => {
    const echo = await echoServer();
    backends.push(echo);
    const service = serviceRow({ host: '127.0.0.1', port: echo.port });
    running = await startStream(['127.0.0.1:0 ssl'], { _format_version: '3.0', services: [service], routes: [routeRow({ protocols: ['tls'], snis: ['a.test'] }, service)] }, { prereadTimeoutMs: 150 });
    const silent = netConnect({ host: '127.0.0.1', port: running.port() });
    await closedBy(silent);
    await until(() => running!.log.lines.length === 1, 'log line');
    expect(running.log.lines[0]).toMatchObject({ session: { status: 400 }, message: 'TLS ClientHello not received (timeout)' });
  });
});

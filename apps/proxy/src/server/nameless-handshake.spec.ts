// onNamelessHandshake on real TLS servers and clients over loopback: a handshake without SNI waits for the hook and
// gets the certificate it returns; a named one does not run it; a rejection fails that handshake only; servers
// without a hook are untouched.
import { connect, createSecureContext, createServer, type Server, type TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { issueCertificate } from '@tollgate/pki';
import { onNamelessHandshake } from './nameless-handshake';

const fallback = issueCertificate({ commonName: 'fallback.test', altNames: ['fallback.test'] });
const chosen = issueCertificate({ commonName: 'chosen.test', altNames: ['chosen.test'] });

/** A TLS server with an SNICallback (which turns on OpenSSL's certificate callback) answering 'ok'. */
async function server(): Promise<{ server: Server; port: number }> {
  const s = createServer({ cert: fallback.cert, key: fallback.key, SNICallback: (_name, cb) => cb(null, undefined) }, (socket) => socket.end('ok'));
  s.on('tlsClientError', () => {});
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return { server: s, port: (s.address() as AddressInfo).port };
}

/** The certificate's CN the server presented, and what it sent; rejects when the handshake fails. */
function handshake(port: number, servername?: string): Promise<{ cn: string; body: string }> {
  return new Promise((resolve, reject) => {
    const socket: TLSSocket = connect({ host: '127.0.0.1', port, servername, rejectUnauthorized: false }, () => {
      const cn = String(socket.getPeerCertificate().subject?.CN);
      let body = '';
      socket.setEncoding('utf8');
      socket.on('data', (c: string) => (body += c));
      socket.on('end', () => resolve({ cn, body }));
    });
    socket.on('error', reject);
  });
}

describe('onNamelessHandshake', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
  });

  it('a handshake without SNI waits for the hook and is served the certificate it returns; a named one skips it', async () => {
    const { server: s, port } = await server();
    servers.push(s);
    const seen: (string | undefined)[] = [];
    expect(onNamelessHandshake(s, (socket) => {
      seen.push(socket.remoteAddress);
      return new Promise((resolve) => setTimeout(() => resolve(createSecureContext({ cert: chosen.cert, key: chosen.key })), 50));
    })).toBe(true);
    expect(await handshake(port)).toEqual({ cn: 'chosen.test', body: 'ok' });
    expect(seen).toEqual(['127.0.0.1']);
    expect(await handshake(port, 'fallback.test')).toEqual({ cn: 'fallback.test', body: 'ok' });
    expect(seen).toHaveLength(1);
  });

  it('null from the hook keeps the default certificate; a rejection or a throw fails that handshake only', async () => {
    const { server: s, port } = await server();
    servers.push(s);
    let mode: 'none' | 'reject' | 'throw' = 'none';
    onNamelessHandshake(s, () => {
      if (mode === 'throw') throw new Error('hook threw');
      return mode === 'reject' ? Promise.reject(new Error('hook rejected')) : null;
    });
    expect(await handshake(port)).toEqual({ cn: 'fallback.test', body: 'ok' });
    mode = 'reject';
    await expect(handshake(port)).rejects.toThrow();
    mode = 'throw';
    await expect(handshake(port)).rejects.toThrow();
    mode = 'none';
    expect(await handshake(port)).toEqual({ cn: 'fallback.test', body: 'ok' });
  });

  it('leaves servers without a hook alone', async () => {
    const hooked = await server();
    const plain = await server();
    servers.push(hooked.server, plain.server);
    let calls = 0;
    onNamelessHandshake(hooked.server, () => {
      calls++;
      return null;
    });
    expect(await handshake(plain.port)).toEqual({ cn: 'fallback.test', body: 'ok' });
    expect(calls).toBe(0);
    expect(await handshake(hooked.port)).toEqual({ cn: 'fallback.test', body: 'ok' });
    expect(calls).toBe(1);
  });
});

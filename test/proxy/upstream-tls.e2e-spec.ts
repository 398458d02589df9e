// Upstream TLS for https and grpcs services: tls_verify, tls_verify_depth, ca_certificates and client_certificate,
// against a real HTTPS (and HTTP/2) upstream whose certificate is issued by a test CA.
import { createServer, type Server } from 'node:https';
import { createSecureServer, type Http2SecureServer } from 'node:http2';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { issueCertificate, type PemPair } from '@tollgate/pki';
import { send } from './support/client';
import { grpcCall, grpcFrame } from './support/protocols';
import { listenEntry } from './support/settings';
import { route, service, snapshot } from './support/config';
import { startTestDataPlane, type TestDataPlane } from './support/data-plane';

const CA_ID = '00000000-0000-4000-8000-00000000ca01';
const CLIENT_CERT_ID = '00000000-0000-4000-8000-00000000cc01';

/** The snapshot rows the services refer to: the test CA (ca_certificates) and the client certificate. */
function tlsRows(ca: PemPair, clientPair: PemPair) {
  return {
    ca_certificates: [{ id: CA_ID, cert: ca.cert, cert_digest: null, tags: null, created_at: 1700000000, updated_at: 1700000000 }],
    certificates: [{ id: CLIENT_CERT_ID, cert: clientPair.cert, key: clientPair.key, cert_alt: null, key_alt: null, tags: null, snis: [], created_at: 1700000000, updated_at: 1700000000 }],
  };
}

describe('upstream TLS (https services)', () => {
  let ca: PemPair;
  let clientPair: PemPair;
  let upstream: Server;
  let port: number;
  let dp: TestDataPlane;

  beforeAll(async () => {
    ca = issueCertificate({ commonName: 'Tollgate Test CA', isCa: true });
    const leaf = issueCertificate({ commonName: 'localhost', altNames: ['localhost', '127.0.0.1'], issuer: ca, usage: 'server' });
    clientPair = issueCertificate({ commonName: 'tollgate-dp', issuer: ca, usage: 'client' });
    // The upstream asks for a client certificate but does not insist, so one server covers every case; it reports
    // the CN it saw (or null).
    upstream = createServer({ cert: leaf.cert, key: leaf.key, ca: ca.cert, requestCert: true, rejectUnauthorized: false }, (req, res) => {
      const sock = req.socket as TLSSocket;
      const peer = sock.getPeerCertificate();
      res.end(JSON.stringify({ client_cn: sock.authorized && peer?.subject ? peer.subject.CN : null }));
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', () => r()));
    port = (upstream.address() as AddressInfo).port;

    const base = { protocol: 'https', host: '127.0.0.1', port, retries: 0 } as const;
    const services = {
      verified: service({ ...base, tls_verify: true, ca_certificates: [CA_ID] }),
      unknownCa: service({ ...base, tls_verify: true }),
      unverified: service({ ...base, tls_verify: false }),
      withClientCert: service({ ...base, tls_verify: true, ca_certificates: [CA_ID], client_certificate: { id: CLIENT_CERT_ID } }),
      depth0: service({ ...base, tls_verify: true, ca_certificates: [CA_ID], tls_verify_depth: 0 }),
      depth1: service({ ...base, tls_verify: true, ca_certificates: [CA_ID], tls_verify_depth: 1 }),
    };
    const routes = Object.entries(services).map(([name, svc]) => route(svc, { paths: [`/${name}`] }));
    dp = await startTestDataPlane(
      snapshot({
        services: Object.values(services),
        routes,
        ...tlsRows(ca, clientPair),
      }),
    );
  });

  afterAll(async () => {
    await dp?.dp.close({ graceful: false, timeoutMs: 0 });
    await new Promise<void>((r) => upstream.close(() => r()));
  });

  it('tls_verify with the issuing CA in ca_certificates proxies (200)', async () => {
    const r = await send(dp.port, { path: '/verified' });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toEqual({ client_cn: null });
  });

  it('tls_verify against an unknown CA fails the upstream handshake (502)', async () => {
    const r = await send(dp.port, { path: '/unknownCa', headers: { accept: 'application/json' } });
    expect(r.status).toBe(502);
    expect(JSON.parse(r.body).message).toBe('An invalid response was received from the upstream server');
  });

  it('tls_verify = false accepts the upstream certificate unverified (200)', async () => {
    expect((await send(dp.port, { path: '/unverified' })).status).toBe(200);
  });

  it('client_certificate is presented to the upstream (mutual TLS)', async () => {
    const r = await send(dp.port, { path: '/withClientCert' });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toEqual({ client_cn: 'tollgate-dp' });
  });

  it('tls_verify_depth bounds the verified chain: leaf + CA passes depth 1, fails depth 0', async () => {
    expect((await send(dp.port, { path: '/depth1' })).status).toBe(200);
    expect((await send(dp.port, { path: '/depth0' })).status).toBe(502);
  });
});

describe('upstream TLS (grpcs services): each service gets the TLS it is configured with', () => {
  let upstream: Http2SecureServer;
  let dp: TestDataPlane;

  beforeAll(async () => {
    const ca = issueCertificate({ commonName: 'Tollgate Test CA', isCa: true });
    const leaf = issueCertificate({ commonName: 'localhost', altNames: ['localhost', '127.0.0.1'], issuer: ca, usage: 'server' });
    const clientPair = issueCertificate({ commonName: 'tollgate-dp', issuer: ca, usage: 'client' });
    // answers every call with the CN of the client certificate it saw (or "none")
    upstream = createSecureServer({ cert: leaf.cert, key: leaf.key, ca: ca.cert, requestCert: true, rejectUnauthorized: false });
    upstream.on('stream', (stream) => {
      const sock = stream.session?.socket as TLSSocket;
      const cn = sock.authorized ? String(sock.getPeerCertificate().subject.CN) : 'none';
      stream.resume();
      stream.on('end', () => {
        stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
        stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
        stream.end(grpcFrame(cn));
      });
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', () => r()));
    const base = { protocol: 'grpcs', host: '127.0.0.1', port: (upstream.address() as AddressInfo).port, retries: 0 } as const;
    // every service on the same upstream address: a session opened for one must not serve another's calls
    const services = {
      unverified: service({ ...base, tls_verify: false }),
      unknownCa: service({ ...base, tls_verify: true }),
      verified: service({ ...base, tls_verify: true, ca_certificates: [CA_ID] }),
      withClientCert: service({ ...base, tls_verify: true, ca_certificates: [CA_ID], client_certificate: { id: CLIENT_CERT_ID } }),
      depth0: service({ ...base, tls_verify: true, ca_certificates: [CA_ID], tls_verify_depth: 0 }),
    };
    const routes = Object.entries(services).map(([name, svc]) => route(svc, { protocols: ['grpc', 'grpcs'], paths: [`/${name}.Svc/`], strip_path: false }));
    dp = await startTestDataPlane(
      snapshot({
        services: Object.values(services),
        routes,
        ...tlsRows(ca, clientPair),
      }),
      { proxy_listeners: [listenEntry({ http2: true })] },
    );
  });

  afterAll(async () => {
    await dp?.dp.close({ graceful: false, timeoutMs: 0 });
    await new Promise<void>((r) => upstream.close(() => r()));
  });

  const answer = async (name: string) => {
    const r = await grpcCall(dp.port, `/${name}.Svc/Call`);
    return { status: r.headers[':status'], grpcStatus: r.trailers['grpc-status'] ?? r.headers['grpc-status'], cn: r.body.length > 5 ? r.body.subarray(5).toString() : null };
  };
  // a failed upstream handshake is a gRPC error answer: grpc-status 13 with the 502 message
  const refused = { status: 200, grpcStatus: '13', cn: null };

  it('in one order on one address: unverified passes, then an unknown CA fails, the right CA passes, the client certificate is shown, depth 0 fails', async () => {
    expect(await answer('unverified')).toEqual({ status: 200, grpcStatus: '0', cn: 'none' });
    expect(await answer('unknownCa')).toEqual(refused);
    expect(await answer('verified')).toEqual({ status: 200, grpcStatus: '0', cn: 'none' });
    expect(await answer('withClientCert')).toEqual({ status: 200, grpcStatus: '0', cn: 'tollgate-dp' });
    expect(await answer('depth0')).toEqual(refused);
    // and the sessions stay apart afterwards: the unverified one still passes, the unknown CA still fails
    expect((await answer('unverified')).grpcStatus).toBe('0');
    expect(await answer('unknownCa')).toEqual(refused);
  });
});

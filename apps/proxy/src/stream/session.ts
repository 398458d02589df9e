// One accepted stream connection, start to end: PROXY header, ClientHello preread (ssl listeners), routing,
// TLS termination or passthrough, upstream connect with retries, the relay, and one access-log line.
import type { Socket } from 'node:net';
import { TLSSocket, type SecureContext } from 'node:tls';
import type { CertificateHandshake } from '@tollgate/plugins';
import { type ClientHelloResult, MAX_CLIENT_HELLO, parseClientHello } from './client-hello';
import { connectUpstream, type Try } from './connect-upstream';
import { relay, type PipeEnd } from './pipe';
import { preread } from './preread';
import type { SocketReader } from './socket-reader';
import { parseProxyHeader, type ProxyHeaderResult, V2_MAX_LENGTH } from '../server/proxy-protocol';
import type { StreamConfig, StreamRoute } from '../compile/types';
import type { StreamAccessLog, StreamLog } from './types';

export interface ListenerContext {
  readonly listener: string;
  readonly ssl: boolean;
  readonly proxyProtocol: boolean;
  readonly getConfig: () => StreamConfig;
  readonly logger: StreamLog;
  readonly accessLog: StreamAccessLog | null;
  readonly defaultContext: SecureContext | null;
  readonly prereadTimeoutMs: number;
  /** trusted_ips: only a trusted peer's PROXY header sets the client address (nginx's set_real_ip_from). */
  readonly isTrusted: (ip: string) => boolean;
  /** Plugins' certificate phase before each handshake; a rejection fails the handshake. null: nothing to wait for. */
  readonly certificatePhase?: ((serverName: string, handshake: CertificateHandshake) => Promise<SecureContext | null> | null) | null;
}

const EMPTY: Buffer = Buffer.alloc(0);

function plainIp(address: string | undefined): string {
  if (address === undefined) return '';
  // Dual-stack listeners report IPv4 peers as ::ffff:a.b.c.d; routes and logs use the IPv4 form.
  return address.startsWith('::ffff:') && address.indexOf('.') !== -1 ? address.slice(7) : address;
}

const parseProxy = (buf: Buffer): ProxyHeaderResult | 'incomplete' => {
  const r = parseProxyHeader(buf);
  return r.kind === 'incomplete' ? 'incomplete' : r;
};
const parseHello = (buf: Buffer): ClientHelloResult | 'incomplete' => {
  const r = parseClientHello(buf);
  return r.kind === 'incomplete' ? 'incomplete' : r;
};

/**
 * What one session's log line is made of, filled in as the session goes. A plain object and module functions rather
 * than closures in runSession: V8 drops a closure's optimized code between sessions and compiled it again and again.
 */
interface SessionRecord {
  readonly socket: Socket;
  readonly ctx: ListenerContext;
  readonly startedAt: number;
  readonly started: number;
  readonly serverPort: number;
  clientIp: string;
  route: StreamRoute | null;
  tries: Try[];
  upstreamSocket: Socket | null;
  tlsInfo: { version: string | null; cipher: string | null; sni: string | null } | null;
  proxyLatency: number;
}

function logSession(s: SessionRecord, status: number, message: string | null): void {
  const ctx = s.ctx;
  if (message !== null) {
    const fields = { client_ip: s.clientIp, server_port: s.serverPort, route: s.route?.logRef ?? null, listener: ctx.listener };
    if (status === 500 || status === 503) ctx.logger.error(fields, message);
    else if (status >= 400) ctx.logger.warn({ ...fields, status }, message);
  }
  if (ctx.accessLog == null) return;
  const route = s.route;
  ctx.accessLog.write({
    session: {
      tls: s.tlsInfo,
      received: s.socket.bytesRead,
      sent: s.socket.bytesWritten,
      status,
      server_port: s.serverPort,
    },
    upstream: { received: s.upstreamSocket?.bytesRead ?? 0, sent: s.upstreamSocket?.bytesWritten ?? 0 },
    latencies: { kong: s.proxyLatency, session: Math.round(performance.now() - s.started) },
    tries: s.tries,
    client_ip: s.clientIp,
    started_at: s.startedAt,
    route: route?.logRef ?? null,
    service: route?.service ? { id: route.service.id, name: route.service.name } : null,
    listener: ctx.listener,
    ...(message !== null ? { message } : {}),
  });
}

function rejectSession(s: SessionRecord, status: number, message: string): void {
  s.socket.destroy();
  logSession(s, status, message);
}

function ignore(): void {}

/**
 * Runs the session; resolves when it is over and logged. Never rejects. `clientReader`: the reader `socket` was
 * created with (plain listeners without PROXY protocol, where nothing needs a preread), else null.
 */
export async function runSession(socket: Socket, ctx: ListenerContext, clientReader: SocketReader | null = null): Promise<void> {
  const config = ctx.getConfig();
  socket.on('error', ignore); // errors are handled where they matter; a reset must never crash the process
  const s: SessionRecord = {
    socket,
    ctx,
    startedAt: Date.now(),
    started: performance.now(),
    serverPort: socket.localPort ?? 0,
    clientIp: plainIp(socket.remoteAddress),
    route: null,
    tries: [],
    upstreamSocket: null,
    tlsInfo: null,
    proxyLatency: 0,
  };
  let clientPort = socket.remotePort ?? 0;
  const serverIp = plainIp(socket.localAddress);
  let buffered: Buffer = EMPTY;
  let sni: string | null = null;

  if (ctx.proxyProtocol) {
    const read = await preread(socket, EMPTY, parseProxy, V2_MAX_LENGTH + 1, ctx.prereadTimeoutMs);
    if (read.kind !== 'done') return rejectSession(s, 400, `PROXY protocol header not received (${read.kind})`);
    if (read.value.kind !== 'ok') return rejectSession(s, 400, `invalid PROXY protocol header: ${read.value.kind === 'invalid' ? read.value.reason : ''}`);
    if (read.value.source !== null && ctx.isTrusted(s.clientIp)) {
      s.clientIp = plainIp(read.value.source.ip);
      clientPort = read.value.source.port;
    }
    buffered = read.buffered.subarray(read.value.length);
  }

  if (ctx.ssl) {
    const read = await preread(socket, buffered, parseHello, MAX_CLIENT_HELLO + 1, ctx.prereadTimeoutMs);
    if (read.kind !== 'done') return rejectSession(s, 400, `TLS ClientHello not received (${read.kind})`);
    if (read.value.kind !== 'ok') return rejectSession(s, 400, `not a TLS ClientHello: ${read.value.kind === 'invalid' ? read.value.reason : ''}`);
    sni = read.value.sni;
    buffered = read.buffered;
  }

  const match = config.router.match({
    protocol: ctx.ssl ? 'tls' : 'tcp',
    sourceIp: s.clientIp,
    sourcePort: clientPort,
    destinationIp: serverIp,
    destinationPort: s.serverPort,
    sni: sni ?? undefined,
  });
  const route = match ? (config.routes.get(match.id) ?? null) : null;
  s.route = route;
  if (route === null) return rejectSession(s, 500, 'no Route found with those values');
  const service = route.service;
  if (service === null) return rejectSession(s, 503, 'no Service found with those values');

  let client: Socket = socket;
  if (ctx.ssl && !route.passthrough) {
    let chosen: SecureContext | null = null;
    const known = sni !== null && config.sni.find(sni) !== null;
    try {
      const pending = ctx.certificatePhase?.(sni ?? '', { known, peerIp: s.clientIp, peerPort: clientPort, stream: true });
      if (pending) chosen = await pending;
    } catch (err) {
      return rejectSession(s, 400, `TLS handshake failed: certificate phase: ${(err as Error).message}`);
    }
    const terminated = await terminate(socket, buffered, sni, config, chosen ?? ctx.defaultContext, ctx.prereadTimeoutMs);
    if (!terminated.ok) return rejectSession(s, 400, `TLS handshake failed: ${terminated.message}`);
    client = terminated.socket;
    s.tlsInfo = { version: terminated.socket.getProtocol(), cipher: terminated.socket.getCipher()?.name ?? null, sni };
    buffered = EMPTY;
  }

  const connected = await connectUpstream(service, s.clientIp);
  s.tries = connected.tries;
  s.proxyLatency = Math.round(performance.now() - s.started);
  if (!connected.ok) {
    client.destroy();
    return rejectSession(s, connected.status, connected.message);
  }
  s.upstreamSocket = connected.socket;
  // A client that went away while the upstream connection was made must not leave that connection behind.
  if (client.destroyed) {
    connected.socket.destroy();
    if (connected.peer && service.upstream) service.upstream.release(connected.peer);
    logSession(s, 499, null);
    return;
  }
  if (buffered.length > 0) connected.socket.write(buffered);
  const end: PipeEnd = await relay(
    client,
    connected.socket,
    { idleMs: service.readTimeout, writeMs: service.writeTimeout },
    { client: client === socket ? clientReader : null, upstream: connected.reader },
  );
  if (connected.peer && service.upstream) service.upstream.release(connected.peer);
  // nginx's stream status: 200 for a proxied session, however it ended; timeouts are worth a log line.
  if (end === 'idle_timeout' || end === 'write_timeout') ctx.logger.info({ client_ip: s.clientIp, route: route.logRef }, `stream session ended: ${end}`);
  logSession(s, 200, null);
}

type Terminated = { ok: true; socket: TLSSocket } | { ok: false; message: string };

function terminate(
  socket: Socket,
  buffered: Buffer,
  sni: string | null,
  config: StreamConfig,
  fallback: SecureContext | null,
  timeoutMs: number,
): Promise<Terminated> {
  return new Promise((resolve) => {
    const secureContext = (sni !== null ? config.sni.find(sni) : null) ?? fallback ?? undefined;
    // The preread bytes go back into the socket; TLSSocket reads what is buffered before the handle.
    socket.unshift(buffered);
    const tlsSocket = new TLSSocket(socket, { isServer: true, secureContext, requestCert: false });
    // nginx refuses client-initiated renegotiation. A TLSSocket built outside tls.Server reports a refused (or
    // too frequent) renegotiation only as '_tlsError' (tls.Server is what turns that into closing the socket)
    tlsSocket.disableRenegotiation();
    tlsSocket.on('_tlsError', (err: Error) => {
      tlsSocket.destroy(err);
      socket.destroy(); // the TLS layer may sit on a stream wrapper (the unshifted preread) that only half-closes
    });
    const timer = setTimeout(() => onError(new Error(`no handshake within ${timeoutMs} ms`)), timeoutMs);
    const onError = (err: Error) => {
      clearTimeout(timer);
      tlsSocket.destroy();
      socket.destroy();
      resolve({ ok: false, message: err.message });
    };
    tlsSocket.once('error', onError);
    tlsSocket.once('secure', () => {
      clearTimeout(timer);
      tlsSocket.removeListener('error', onError);
      tlsSocket.on('error', () => {});
      resolve({ ok: true, socket: tlsSocket });
    });
  });
}

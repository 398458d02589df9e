// Opens the upstream side of a stream: picks a peer (upstream balancer or the service's own host:port), connects
// within connect_timeout (TCP, plus the TLS handshake for `tls` services, as proxy_connect_timeout covers both),
// and retries connection failures up to service.retries more times, reporting each failure to the balancer.
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, createSecureContext, type SecureContext } from 'node:tls';
import type { BalancerContext, Peer } from '../upstream/types';
import { SocketReader } from './socket-reader';
import { isDnsName, resolveName, srvAddress, upstreamLookup } from '../upstream/dns-lookup';
import type { StreamService } from '../compile/types';

export interface Try {
  readonly ip: string;
  readonly port: number;
  /** ms spent on this try (connect, or until it failed). */
  readonly connectMs: number;
  /** Why it failed; absent for the try that connected. */
  readonly state?: 'failed' | 'timeout';
  readonly message?: string;
}

export type ConnectResult =
  /** reader: set for plain TCP upstreams, which read through it (see socket-reader.ts) from the connect on. */
  | { readonly ok: true; readonly socket: Socket; readonly reader: SocketReader | null; readonly peer: Peer | null; readonly tries: Try[] }
  /** status: 503 no healthy peer to pick, 502 every try failed, 504 the last try timed out. */
  | { readonly ok: false; readonly status: 502 | 503 | 504; readonly tries: Try[]; readonly message: string };

const NO_HEADERS = Object.freeze({});

export async function connectUpstream(service: StreamService, clientIp: string): Promise<ConnectResult> {
  const tries: Try[] = [];
  // A stream connection balances on the client address alone (hash_on ip; header, cookie, path and query hashes
  // have nothing to hash and fall back as Kong's do).
  const balancer: (BalancerContext & { triedPeers: Set<Peer> }) | null = service.upstream === null ? null : {
    clientIp,
    headers: NO_HEADERS,
    cookies: null,
    path: '',
    query: null,
    captures: null,
    consumerId: null,
    credentialId: null,
    triedPeers: new Set<Peer>(),
  };
  let lastStatus: 502 | 504 = 502;
  let lastMessage = '';
  // a new upstream's target names are resolved before its first pick, as Kong's balancer does
  if (service.upstream?.resolving) await service.upstream.ready();
  // a service host that is no upstream: SRV records, when they answer for it, choose the address and port
  let srv = service.upstream === null && isDnsName(service.host) ? srvAddress(service.host, service.port) : null;
  if (srv === undefined) {
    await resolveName(service.host);
    srv = srvAddress(service.host, service.port);
  }
  for (let attempt = 0; attempt < service.tries; attempt++) {
    let peer: Peer | null = null;
    let host = srv ? srv.ip : service.host;
    let port = srv ? srv.port : service.port;
    if (service.upstream && balancer) {
      peer = service.upstream.pick(balancer);
      if (peer === null) {
        if (attempt === 0) return { ok: false, status: 503, tries, message: 'failure to get a peer from the ring-balancer' };
        break;
      }
      host = peer.ip;
      port = peer.port;
    }
    const started = performance.now();
    const outcome = await connectOnce(service, host, port, peer?.hostHeader ?? service.host);
    const connectMs = Math.round(performance.now() - started);
    if (outcome.ok) {
      // An IP target is its own address (asking the socket costs a system call); a name's is the one connected to.
      tries.push({ ip: isIP(host) !== 0 ? host : (outcome.socket.remoteAddress ?? host), port, connectMs });
      if (peer && service.upstream) service.upstream.report(peer, { kind: 'success', status: 200, latencyMs: connectMs });
      return { ok: true, socket: outcome.socket, reader: outcome.reader, peer, tries };
    }
    tries.push({ ip: host, port, connectMs, state: outcome.timedOut ? 'timeout' : 'failed', message: outcome.message });
    lastStatus = outcome.timedOut ? 504 : 502;
    lastMessage = outcome.message;
    if (peer && service.upstream && balancer) {
      service.upstream.report(peer, outcome.timedOut ? { kind: 'timeout' } : { kind: 'tcp_failure' });
      service.upstream.release(peer);
      balancer.triedPeers.add(peer);
    }
  }
  return { ok: false, status: lastStatus, tries, message: lastMessage };
}

// A tls service's CA, client certificate and key make one SecureContext for the life of its compiled config, as
// the HTTP upstream pools keep theirs: building one per connection would parse them again every time.
const secureContexts = new WeakMap<StreamService, SecureContext>();

function secureContextOf(service: StreamService): SecureContext {
  let context = secureContexts.get(service);
  if (context === undefined) {
    context = createSecureContext({ ca: service.ca as string[] | undefined, cert: service.clientCert, key: service.clientKey });
    secureContexts.set(service, context);
  }
  return context;
}

type OnceResult = { ok: true; socket: Socket; reader: SocketReader | null } | { ok: false; timedOut: boolean; message: string };

function connectOnce(service: StreamService, host: string, port: number, serverName: string): Promise<OnceResult> {
  return new Promise((resolve) => new ConnectAttempt(service, host, port, serverName, resolve));
}

/**
 * One connect within connect_timeout. Its handlers are prototype methods bound per attempt, not per-call closures:
 * V8 keeps a closure's optimized code only while one of its closures lives, and dropped it between sessions.
 */
class ConnectAttempt {
  private readonly socket: Socket;
  private readonly reader: SocketReader | null;
  private readonly timer: NodeJS.Timeout;
  private readonly onErrorBound = this.onError.bind(this);
  private readonly onConnectedBound = this.onConnected.bind(this);
  private settled = false;

  constructor(
    private readonly service: StreamService,
    private readonly host: string,
    private readonly port: number,
    serverName: string,
    private readonly resolve: (result: OnceResult) => void,
  ) {
    const reader = service.tls ? null : new SocketReader();
    this.reader = reader;
    this.socket = reader === null
      ? tlsConnect({
          host,
          port,
          lookup: upstreamLookup,
          // proxy_ssl_name $upstream_host: the target's name (SNI is not sent for IP literals).
          servername: isIP(serverName) === 0 ? serverName : undefined,
          rejectUnauthorized: service.rejectUnauthorized,
          secureContext: secureContextOf(service),
          allowHalfOpen: true,
        } as never)
      : netConnect({ host, port, lookup: upstreamLookup, allowHalfOpen: true, noDelay: true, onread: reader.onread });
    this.timer = setTimeout(connectTimedOut, service.connectTimeout, this);
    this.socket.once('error', this.onErrorBound);
    this.socket.once(service.tls ? 'secureConnect' : 'connect', this.onConnectedBound);
  }

  timedOut(): void {
    this.done({ ok: false, timedOut: true, message: `upstream timed out (${this.service.connectTimeout} ms) while connecting to ${this.host}:${this.port}` });
    this.socket.destroy();
  }

  private onError(err: Error): void {
    this.done({ ok: false, timedOut: false, message: err.message });
    this.socket.destroy();
  }

  private onConnected(): void {
    this.done({ ok: true, socket: this.socket, reader: this.reader });
  }

  private done(result: OnceResult): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.timer);
    const socket = this.socket;
    socket.removeListener('error', this.onErrorBound);
    socket.removeListener(this.service.tls ? 'secureConnect' : 'connect', this.onConnectedBound);
    // Later errors belong to the session; keep one listener so an unlucky error never crashes the process.
    if (!result.ok) socket.on('error', ignore);
    this.resolve(result);
  }
}

function connectTimedOut(attempt: ConnectAttempt): void {
  attempt.timedOut();
}

function ignore(): void {}

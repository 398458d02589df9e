// Keep-alive connections to one upstream address (and TLS settings): the analogue of nginx's keepalive cache for
// Kong's pool key. upstream_keepalive_pool_size caps the idle connections kept (not the open ones: a busy upstream
// gets as many as it needs, as in nginx), _max_requests the requests one connection carries, _idle_timeout how long
// an idle one is kept; 0 turns each limit off, and a pool size of 0 turns keep-alive off.
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect, createSecureContext, type SecureContext, type TLSSocket } from 'node:tls';
import { isIP } from 'node:net';
import { upstreamLookup } from '../upstream/dns-lookup';
import { Http1Connection, sharedReadOptions, type ConnectionOwner, type UpstreamHandler, type UpstreamRequest } from './connection';

export interface PoolLimits {
  readonly poolSize: number;
  readonly maxRequests: number;
  /** ms; 0 = no limit */
  readonly idleTimeout: number;
}

export interface PoolTls {
  readonly rejectUnauthorized: boolean;
  readonly checkServerIdentity?: (host: string, cert: import('node:tls').PeerCertificate) => Error | undefined;
  readonly ca?: string[];
  readonly cert?: string;
  readonly key?: string;
}

export interface PoolAddress {
  readonly host: string;
  readonly port: number;
  /** ms */
  readonly connectTimeout: number;
  readonly tls: PoolTls | null;
  /** SNI; undefined for an address literal */
  readonly servername: string | undefined;
}

export class Http1Pool implements ConnectionOwner {
  readonly keepAlive: boolean;
  readonly connectTimeout: number;
  readonly idleTimeout: number;
  /** LIFO, as nginx's cache: the warmest connection goes first. */
  private readonly idle: Http1Connection[] = [];
  private readonly open = new Set<Http1Connection>();
  private secureContext: SecureContext | null = null;
  private session: Buffer | undefined;
  private closed = false;

  constructor(
    private readonly address: PoolAddress,
    private readonly limits: PoolLimits,
  ) {
    this.keepAlive = limits.poolSize > 0;
    this.connectTimeout = address.connectTimeout;
    this.idleTimeout = limits.idleTimeout;
  }

  request(req: UpstreamRequest, handler: UpstreamHandler): void {
    let conn = this.idle.pop();
    while (conn !== undefined && conn.dead) conn = this.idle.pop();
    (conn ?? this.connect()).start(req, handler);
  }

  retry(req: UpstreamRequest, handler: UpstreamHandler): void {
    this.connect().start(req, handler);
  }

  release(conn: Http1Connection): boolean {
    const { poolSize, maxRequests } = this.limits;
    if (this.closed || poolSize <= 0 || (maxRequests > 0 && conn.requests >= maxRequests)) return false;
    // over the cap, the longest idle one goes
    if (this.idle.length >= poolSize) this.idle.shift()!.destroy();
    this.idle.push(conn);
    return true;
  }

  forget(conn: Http1Connection): void {
    this.open.delete(conn);
    const at = this.idle.indexOf(conn);
    if (at !== -1) this.idle.splice(at, 1);
  }

  get idleCount(): number {
    return this.idle.length;
  }

  get openCount(): number {
    return this.open.size;
  }

  destroy(): void {
    this.closed = true;
    for (const conn of [...this.open]) conn.destroy();
    this.idle.length = 0;
  }

  private connect(): Http1Connection {
    const a = this.address;
    let conn: Http1Connection;
    if (a.tls === null) {
      const target: { conn: Http1Connection | null } = { conn: null };
      conn = new Http1Connection(this, netConnect({ host: a.host, port: a.port, lookup: upstreamLookup, onread: sharedReadOptions(target) }), false, true);
      target.conn = conn;
    } else {
      const t = a.tls;
      this.secureContext ??= createSecureContext({ ca: t.ca, cert: t.cert, key: t.key });
      const socket: TLSSocket = tlsConnect({
        host: a.host,
        port: a.port,
        lookup: upstreamLookup,
        servername: a.servername || (isIP(a.host) === 0 ? a.host : undefined),
        secureContext: this.secureContext,
        rejectUnauthorized: t.rejectUnauthorized,
        ALPNProtocols: ['http/1.1'],
        session: this.session,
        // only when set: an explicit undefined would replace Node's default hostname check
        ...(t.checkServerIdentity ? { checkServerIdentity: t.checkServerIdentity } : {}),
      });
      socket.on('session', (session: Buffer) => {
        this.session = session;
      });
      conn = new Http1Connection(this, socket, true);
    }
    this.open.add(conn);
    return conn;
  }
}

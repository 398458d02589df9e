// Opens the proxy_listen entries: http, https (certificate by SNI), http2 (ALPN h2 + HTTP/1.1), and the
// PROXY-protocol / h2c front door where asked, and `transparent` (IP_TRANSPARENT, for TPROXY). One handler per
// listener, built once.
import type { ServerOptions } from 'node:http';
import { createSecureServer, createServer as createH2cServer, type Http2Session } from 'node:http2';
import type { Server as NetServer, AddressInfo } from 'node:net';
import type { SecureContext, TLSSocket } from 'node:tls';
import type { ListenEntry, Settings } from '@tollgate/config/types';
import type { CertificateHandshake } from '@tollgate/plugins';
import type { ProxyContext } from '../forward/context';
import { recordOriginalDestination } from '../forward/client-info';
import { createRequestHandler, createUpgradeHandler, type UpgradeHandler } from '../forward/handler';
import { enforceClientTimeouts, meterRequestLines, requestLineLimit } from '@tollgate/errors';
import { createClientErrorHandler, createConnectHandler } from './client-errors';
import { createFrontDoor } from './front-door';
import { createH1Server, createH1TlsServer, MAX_HEADER_FIELDS, type H1Handlers } from './h1-server';
import { listenOn } from './listen-entry';
import { onNamelessHandshake } from './nameless-handshake';

/**
 * HTTP/2 header fields accepted per request, as on HTTP/1 (plus the pseudo-headers): client_max_headers
 * (lua_max_req_headers) limits what the router and plugins read, not what is proxied, as in Kong.
 */
const H2_MAX_HEADER_PAIRS = MAX_HEADER_FIELDS + 8;

export interface BoundListener {
  readonly entry: ListenEntry;
  readonly address: string;
  readonly port: number;
  readonly ssl: boolean;
  readonly http2: boolean;
  /** The socket that accepts (a front door when one is used). */
  readonly acceptor: NetServer;
  /** The protocol servers behind it. */
  readonly servers: readonly NetServer[];
  readonly h2Sessions: Set<Http2Session>;
}

export interface TlsMaterial {
  readonly cert: string;
  readonly key: string;
  /** SNI lookup into the config in force. */
  readonly findContext: (serverName: string) => SecureContext | null;
  /** Plugins' certificate phase, every handshake (`known`: findContext has the name); null: nothing to wait for. */
  readonly certificatePhase?: (serverName: string, handshake: CertificateHandshake) => Promise<SecureContext | null> | null;
}

function httpOptions(settings: Settings): ServerOptions {
  const headerTimeout = settings.client_header_timeout > 0 ? settings.client_header_timeout : 60000;
  return {
    maxHeaderSize: settings.client_max_header_size > 0 ? settings.client_max_header_size : undefined,
    headersTimeout: headerTimeout,
    // Bodies may stream for as long as they keep moving; only header reads are bounded.
    requestTimeout: 0,
    keepAliveTimeout: 75000,
    connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(headerTimeout / 4))),
    // Duplicate framing headers and other ambiguities are errors (request smuggling).
    insecureHTTPParser: false,
    joinDuplicateHeaders: false,
    // an HTTP/1.1 request without Host is refused by the request pipeline, with Kong's body and an access line
    requireHostHeader: false,
    noDelay: true,
  };
}

/**
 * What an HTTP/2 listener announces in its SETTINGS. Node announces no stream limit (2^32-1): a client could keep
 * tens of thousands of streams open per connection, each holding a request and an upstream connection, and stall
 * every listener of the worker. nginx (so Kong) announces 128 and refuses streams past it.
 */
function h2Settings(settings: Settings): { maxConcurrentStreams: number } {
  return { maxConcurrentStreams: settings.http2_max_concurrent_streams ?? 128 };
}

function socketOptions(entry: ListenEntry): { keepAlive?: boolean; keepAliveInitialDelay?: number } {
  const ka = entry.soKeepalive;
  if (ka === undefined || ka === false) return {};
  if (ka === true) return { keepAlive: true };
  return { keepAlive: true, keepAliveInitialDelay: ka.idle !== undefined ? ka.idle * 1000 : undefined };
}

export async function openProxyListener(
  entry: ListenEntry,
  settings: Settings,
  ctx: ProxyContext,
  tls: TlsMaterial,
): Promise<BoundListener> {
  const base = httpOptions(settings);
  const sock = socketOptions(entry);
  const clientError = createClientErrorHandler(ctx.flags, ctx.errors.defaultFormat, requestLineLimit(settings.client_max_header_size));
  const onConnect = createConnectHandler(ctx.flags, ctx.errors.defaultFormat);
  const timeouts = { bodyMs: settings.client_body_timeout, sendMs: settings.send_timeout };
  const sessions = new Set<Http2Session>();
  const trackSession = (session: Http2Session) => {
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
  };
  const scheme = entry.ssl ? 'https' : 'http';
  let servers: NetServer[];
  let acceptor: NetServer;
  const handlerFor = (port: number) => createRequestHandler(ctx, { scheme, port, portText: String(port) });
  // The port is known only after binding (port 0 in tests): the handlers are rebuilt then.
  const upgradeHandlerFor = (port: number) => createUpgradeHandler(ctx, { scheme, port, portText: String(port) });
  const lateHandler = (req: never, res: never) => handlers.current(req, res);
  const lateUpgrade: UpgradeHandler = (req, socket, head) => handlers.upgrade(req, socket, head);
  const handlers = { current: handlerFor(entry.port), upgrade: upgradeHandlerFor(entry.port) };

  const tlsOptions = {
    cert: tls.cert,
    key: tls.key,
    // Node calls it on the TLSSocket of the handshake: the client's address for the certificate phase
    SNICallback: function (this: { remoteAddress?: string; remotePort?: number } | undefined, name: string, cb: (err: Error | null, ctx?: SecureContext) => void) {
      let known: SecureContext | null;
      let pending: Promise<SecureContext | null> | null | undefined;
      try {
        known = tls.findContext(name);
        pending = tls.certificatePhase?.(name, { known: known !== null, peerIp: this?.remoteAddress, peerPort: this?.remotePort });
      } catch (err) {
        return cb(err as Error);
      }
      if (!pending) return cb(null, known ?? undefined);
      // a plugin's error fails this handshake only
      pending.then((ctx) => cb(null, known ?? ctx ?? undefined), (err: Error) => cb(err));
    },
    minVersion: 'TLSv1.2' as const,
  };

  if (entry.ssl && entry.http2) {
    const server = createSecureServer({ ...tlsOptions, allowHTTP1: true, maxHeaderListPairs: H2_MAX_HEADER_PAIRS, settings: h2Settings(settings), ...sock } as never);
    server.on('request', lateHandler as never);
    server.on('session', trackSession);
    server.on('clientError', clientError as never);
    meterRequestLines(server);
    server.on('connect', onConnect as never);
    enforceClientTimeouts(server, timeouts);
    servers = [server as unknown as NetServer];
  } else {
    // HTTP/1.x: the lean server (h1-server.ts), over TLS or not; an h2c listener adds HTTP/2 behind the front door
    const h1: H1Handlers = {
      request: lateHandler as never,
      upgrade: lateUpgrade as never,
      connect: onConnect as never,
      clientError,
    };
    const h1Settings = {
      maxHeaderSize: base.maxHeaderSize ?? 0,
      headersTimeout: base.headersTimeout!,
      keepAliveTimeout: base.keepAliveTimeout!,
      timeouts,
    };
    const server = entry.ssl ? createH1TlsServer(h1Settings, h1, { ...tlsOptions, ...sock }) : createH1Server(h1Settings, h1, sock);
    servers = [server];
    if (entry.http2) {
      const h2 = createH2cServer({ maxHeaderListPairs: H2_MAX_HEADER_PAIRS, settings: h2Settings(settings) });
      h2.on('request', lateHandler as never);
      h2.on('session', trackSession);
      enforceClientTimeouts(h2, timeouts);
      servers.push(h2 as unknown as NetServer);
    }
  }


  // nginx refuses a client-initiated renegotiation; Node's TLS server allows 3 in 10 minutes before it cuts
  if (entry.ssl) servers[0].on('secureConnection', (socket: TLSSocket) => socket.disableRenegotiation());

  // The certificate phase runs on every handshake, as in Kong; SNICallback covers only those that name a server.
  const certificatePhase = tls.certificatePhase;
  if (entry.ssl && certificatePhase) {
    onNamelessHandshake(servers[0] as never, (socket) =>
      certificatePhase('', { known: false, peerIp: socket.remoteAddress, peerPort: socket.remotePort }));
  }

  const needsFrontDoor = entry.proxyProtocol || (!entry.ssl && entry.http2);
  acceptor = needsFrontDoor
    ? createFrontDoor({
        proxyProtocol: entry.proxyProtocol,
        target: servers[0],
        targetReadsEvents: !entry.ssl,
        h2: !entry.ssl && entry.http2 ? servers[1] : undefined,
        headerTimeout: base.headersTimeout!,
        ...sock,
      })
    : servers[0];

  // Before any protocol server sees the socket: its local address is the client's original destination.
  if (entry.transparent) acceptor.prependListener('connection', recordOriginalDestination);
  await listenOn(acceptor, entry, 'proxy_listen');
  const address = acceptor.address() as AddressInfo;
  handlers.current = handlerFor(address.port);
  handlers.upgrade = upgradeHandlerFor(address.port);
  return { entry, address: address.address, port: address.port, ssl: entry.ssl, http2: entry.http2, acceptor, servers, h2Sessions: sessions };
}



// Opens the stream_listen entries: plain TCP or `ssl` (preread SNI, then terminate or pass through), each with
// optional PROXY protocol and `transparent`; backlog, ipv6only and so_keepalive as given. One accept handler per
// listener; each connection reads the StreamConfig in force once, when it is accepted.
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createSecureContext, type SecureContext } from 'node:tls';
import type { ListenEntry } from '@tollgate/config/types';
import type { StreamConfig } from '../compile/types';
import { runSession, type ListenerContext } from '../stream/session';
import { readThrough, SocketReader } from '../stream/socket-reader';
import type { StreamAccessLog, StreamLog } from '../stream/types';
import { listenOn } from './listen-entry';

const DEFAULT_PREREAD_TIMEOUT_MS = 60000;

/** Fallback certificate of `ssl` stream listeners (Kong's default stream cert) when no SNI matches. */
export interface DefaultCertificate {
  readonly cert: string;
  readonly key: string;
}

export interface StreamListenerOptions {
  /** The stream config in force; read once per accepted connection. */
  readonly getConfig: () => StreamConfig;
  readonly logger: StreamLog;
  readonly accessLog?: StreamAccessLog | null;
  /** Needed when any listener has `ssl`: the default certificate (ensureDefaultCertificate(prefix, 'stream')). */
  readonly defaultCertificate?: DefaultCertificate | null;
  /** trusted_ips: peers whose PROXY protocol header sets the client address. Default: nobody. */
  readonly isTrusted?: (ip: string) => boolean;
  /** Bound on the PROXY header / ClientHello read (ms). Default 60000, as client_header_timeout. */
  readonly prereadTimeoutMs?: number;
  /** Plugins' certificate phase, run before each TLS handshake (Kong's certificate phase on stream listeners). */
  readonly certificatePhase?: ListenerContext['certificatePhase'];
  /** Called with each accepted-socket's secure context lookups; defaults to the config's sni table. */
  readonly findContext?: (config: StreamConfig, serverName: string) => SecureContext | null;
}

export interface BoundStreamListener {
  readonly listener: string;
  readonly address: string;
  readonly port: number;
  readonly ssl: boolean;
  readonly proxyProtocol: boolean;
  readonly transparent: boolean;
}

export interface StreamListeners {
  readonly listeners: readonly BoundStreamListener[];
  /** Active sessions right now (for tests and metrics). */
  activeSessions(): number;
  /** Stops accepting; graceful waits up to timeoutMs for sessions to end, then destroys what is left. */
  close(opts?: { graceful?: boolean; timeoutMs?: number }): Promise<void>;
}

function keepAliveOf(entry: ListenEntry): { keepAlive: boolean; keepAliveInitialDelay?: number } {
  const ka = entry.soKeepalive;
  if (ka === undefined || ka === false) return { keepAlive: false };
  if (ka === true) return { keepAlive: true };
  return { keepAlive: true, keepAliveInitialDelay: ka.idle !== undefined ? ka.idle * 1000 : undefined };
}

const NOBODY = (): boolean => false;

export async function startStreamListeners(
  entries: readonly ListenEntry[],
  opts: StreamListenerOptions,
): Promise<StreamListeners> {
  const needsCert = entries.some((e) => e.ssl);
  let defaultContext: SecureContext | null = null;
  if (needsCert) {
    if (!opts.defaultCertificate) throw new Error('stream_listen: an ssl listener needs the default stream certificate');
    defaultContext = createSecureContext({ cert: opts.defaultCertificate.cert, key: opts.defaultCertificate.key });
  }
  const sessions = new Set<Socket>();
  const servers: Server[] = [];
  const bound: BoundStreamListener[] = [];
  try {
    for (const entry of entries) {
      const ctx: ListenerContext = {
        listener: entry.listener,
        ssl: entry.ssl,
        proxyProtocol: entry.proxyProtocol,
        getConfig: opts.getConfig,
        logger: opts.logger,
        accessLog: opts.accessLog ?? null,
        defaultContext,
        prereadTimeoutMs: opts.prereadTimeoutMs ?? DEFAULT_PREREAD_TIMEOUT_MS,
        isTrusted: opts.isTrusted ?? NOBODY,
        certificatePhase: opts.certificatePhase ?? null,
      };
      // Without a preread (ssl, PROXY header) the client socket can read through a SocketReader from the start;
      // pauseOnConnect keeps the accepted socket from reading before it has one.
      const direct = !entry.ssl && !entry.proxyProtocol;
      const server = createServer({ allowHalfOpen: true, pauseOnConnect: direct, noDelay: true, ...keepAliveOf(entry) }, (socket) => {
        let reader: SocketReader | null = null;
        if (direct) {
          reader = new SocketReader();
          if (!readThrough(socket, reader)) reader = null;
        }
        sessions.add(socket);
        socket.once('close', () => sessions.delete(socket));
        void runSession(socket, ctx, reader).catch((err: unknown) => {
          opts.logger.error({ err, listener: entry.listener }, 'stream session failed');
          socket.destroy();
        });
      });
      servers.push(server);
      await listenOn(server, entry, 'stream_listen');
      const address = server.address() as AddressInfo;
      bound.push(Object.freeze({
        listener: entry.listener,
        address: address.address,
        port: address.port,
        ssl: entry.ssl,
        proxyProtocol: entry.proxyProtocol,
        transparent: entry.transparent,
      }));
    }
  } catch (err) {
    for (const server of servers) server.close();
    throw err;
  }

  return {
    listeners: bound,
    activeSessions: () => sessions.size,
    async close({ graceful = true, timeoutMs = 10000 } = {}) {
      await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))).concat(
        drain(sessions, graceful ? timeoutMs : 0),
      ));
    },
  };
}

/** Waits for sessions to end on their own, up to timeoutMs; then destroys those left. */
async function drain(sessions: Set<Socket>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (sessions.size > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(50, Math.max(1, deadline - Date.now()))));
  }
  for (const socket of sessions) socket.destroy();
}


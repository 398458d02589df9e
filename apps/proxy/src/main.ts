// The data-plane agent: opens the proxy listeners, applies snapshots from a provider, proxies. Plain Node,
// no framework in the request path.
import { readFileSync } from 'node:fs';
import type { Server as HttpServer } from 'node:http';
import { Server as NetServer } from 'node:net';
import type { Settings } from '@tollgate/config/types';
import type { VersionedSnapshot } from '@tollgate/declarative/snapshot';
import { ensureDefaultCertificate } from '@tollgate/pki';
import type { ProxyContext, ProxyLogger } from './forward/context';
import { defaultErrorFormat } from './forward/errors';
import { compileHeaderFlags } from './forward/header-flags';
import { UpstreamPools } from './forward/pools';
import { closeGrpcSessions } from './forward/grpc';
import { compileTrustPolicy } from './forward/trust';
import type { ConfigProvider } from './provider/types';
import { Runtime, type ApplyResult } from './runtime/runtime';
import { openProxyListener, type BoundListener } from './server/listeners';
import { createUpstreamRuntime } from './upstream';
import { startStreamListeners, type StreamListeners } from './server/stream-listeners';
import { createAccessLog, guardProcess } from '@tollgate/logging';
import { requestLineLimit, type DnsStatsReport } from '@tollgate/errors';
import { streamAccessLog } from './stream/access-format';
import { setTrustedCertificates } from '@tollgate/pki';
import { createDnsCache } from './upstream/dns-cache';
import { dnsCacheOptions } from './upstream/dns-settings';
import { useDnsLookupCache } from './upstream/dns-lookup';
import { useDnsCache } from './upstream/runtime';
import { configureLocalSyslog, configureLua, loadPlugins, runCertificatePhase, setUpstreamHealthProvider } from '@tollgate/plugins';
import { targetAddressHealth } from './upstream/health-report';

export interface DataPlaneOptions {
  readonly provider: ConfigProvider;
  readonly logger?: ProxyLogger;
  /** Default certificate for https listeners; else ssl_cert/ssl_cert_key, else <prefix>/ssl/proxy-default.*. */
  readonly certificates?: { readonly cert: string; readonly key: string };
  /** Counts requests and 5xx per configuration hash (hybrid data planes report them to the control plane). */
  readonly releaseStats?: import('./forward/release-stats').ReleaseStatsCounter;
}

export interface ListenerAddress {
  readonly key: 'proxy_listen' | 'stream_listen';
  /** The listen entry as written, e.g. `0.0.0.0:8443 http2 ssl`. */
  readonly listener: string;
  readonly address: string;
  readonly port: number;
  readonly ssl: boolean;
  readonly http2: boolean;
}

export interface CloseOptions {
  /** Let in-flight requests finish (default true). */
  readonly graceful?: boolean;
  /** Upper bound on the wait; remaining connections are then cut (default 10 s). */
  readonly timeoutMs?: number;
}

export interface DataPlaneHandle {
  readonly listeners: readonly ListenerAddress[];
  readonly runtime: Runtime;
  /** Result of the last snapshot applied, or the error that kept the previous config. */
  readonly lastApply: () => ApplyResult | Error | null;
  /** GET /status/dns's `stats` for this worker: {} with new_dns_client = off (none are kept). */
  dnsStats(): DnsStatsReport;
  close(opts?: CloseOptions): Promise<void>;
}

const STDERR_LOGGER: ProxyLogger = {
  warn: (obj, msg) => process.stderr.write(`${JSON.stringify({ level: 'warn', msg, ...(obj as object) })}\n`),
  error: (obj, msg) => process.stderr.write(`${JSON.stringify({ level: 'error', msg, ...(obj as object) })}\n`),
};

export async function startDataPlane(settings: Settings, opts: DataPlaneOptions): Promise<DataPlaneHandle> {
  const logger = opts.logger ?? STDERR_LOGGER;
  if (opts.logger) guardProcess(logger); // a real worker process, not a test embedding the data plane
  configureLua(settings);
  configureLocalSyslog(settings.syslog_socket);
  const pluginLog = {
    debug: () => {},
    info: (msg: string, obj?: unknown) => logger.info?.(obj ?? {}, msg),
    warn: (msg: string, obj?: unknown) => logger.warn(obj ?? {}, msg),
    error: (msg: string, obj?: unknown) => logger.error(obj ?? {}, msg),
  };
  const runtime = new Runtime(
    (row, targets, previous) =>
      createUpstreamRuntime(row, targets, { previous, log: { info: (o, m) => logger.info?.(o, m), warn: (o, m) => logger.warn(o, m) } }),
    { registry: loadPlugins(settings.plugins), log: pluginLog },
  );
  // the prometheus plugin's kong_upstream_target_health reads this worker's balancers at scrape time
  setUpstreamHealthProvider(() => {
    const current = runtime.current;
    return { plugins: current.plugins?.instances ?? [], targets: () => targetAddressHealth(current.upstreams.values()) };
  });
  setTrustedCertificates(settings.lua_ssl_trusted_certificate);
  const dns = createDnsCache(dnsCacheOptions(settings));
  useDnsCache(dns);
  useDnsLookupCache(dns);
  const flags = compileHeaderFlags(settings.headers, settings.headers_upstream, settings.allow_debug_header === true);
  const ctx: ProxyContext = {
    runtime,
    pools: new UpstreamPools({
      poolSize: settings.upstream_keepalive_pool_size ?? 512,
      maxRequests: settings.upstream_keepalive_max_requests ?? 10000,
      idleTimeout: settings.upstream_keepalive_idle_timeout ?? 60,
    }),
    trust: compileTrustPolicy(settings.trusted_ips ?? [], settings.real_ip_header ?? 'X-Real-IP', settings.real_ip_recursive === true),
    flags,
    errors: { flags, defaultFormat: defaultErrorFormat(settings.error_default_type) },
    maxBodySize: settings.client_max_body_size ?? 0,
    bodyBufferLimit: bodyBufferLimit(settings.client_body_buffer_size ?? 0, settings.client_max_body_size ?? 0),
    maxHeaders: settings.client_max_headers ?? 0,
    maxRequestLine: requestLineLimit(settings.client_max_header_size),
    logger,
    accessLog: settings.proxy_access_log ? createAccessLog(settings.proxy_access_log) : null,
    accessLogFormat: settings.proxy_access_log_format ?? 'kong',
    releaseStats: opts.releaseStats ?? null,
    draining: false,
    inflight: 0,
    tunnels: new Set(),
  };

  let lastApply: ApplyResult | Error | null = null;
  const onSnapshot = (snapshot: VersionedSnapshot): boolean => {
    try {
      lastApply = runtime.apply(snapshot);
      return true;
    } catch (err) {
      // Kong keeps the old config when a new one fails to load.
      lastApply = err as Error;
      logger.error({ err: (err as Error).message, hash: snapshot.hash }, 'unable to update running config');
      return false;
    }
  };

  const entries = settings.proxy_listeners ?? [];
  const tls = entries.some((e) => e.ssl) ? defaultCertificate(settings, opts) : { cert: '', key: '' };
  const bound: BoundListener[] = [];
  let stream: StreamListeners | null = null;
  try {
    await opts.provider.start(onSnapshot);
    for (const entry of entries) {
      bound.push(await openProxyListener(entry, settings, ctx, {
        ...tls,
        findContext: (name) => runtime.current.sni.find(name),
        certificatePhase: (name, handshake) => runCertificatePhase(runtime.current.plugins, name, handshake),
      }));
    }
    if (settings.stream_listeners.length > 0) {
      stream = await startStreamListeners(settings.stream_listeners, {
        getConfig: () => runtime.current.stream,
        logger: { info: (o, m) => logger.info?.(o, m), warn: (o, m) => logger.warn(o, m), error: (o, m) => logger.error(o, m) },
        accessLog: ctx.accessLog ? streamAccessLog(ctx.accessLog, ctx.accessLogFormat) : undefined,
        isTrusted: ctx.trust.isTrusted,
        defaultCertificate: settings.stream_listeners.some((e) => e.ssl) ? ensureDefaultCertificate(settings.prefix, 'stream') : undefined,
        certificatePhase: (name, handshake) => runCertificatePhase(runtime.current.plugins, name, handshake),
      });
    }
  } catch (err) {
    await stream?.close({ graceful: false, timeoutMs: 0 });
    await Promise.allSettled(bound.map((l) => closeNet(l.acceptor)));
    await opts.provider.stop();
    ctx.pools.destroy();
    runtime.close();
    throw err;
  }

  let closing: Promise<void> | null = null;
  return {
    listeners: [
      ...bound.map((l) => Object.freeze({ key: 'proxy_listen', listener: l.entry.listener, address: l.address, port: l.port, ssl: l.ssl, http2: l.http2 })),
      ...(stream?.listeners ?? []).map((l) => Object.freeze({ key: 'stream_listen', listener: l.listener, address: l.address, port: l.port, ssl: l.ssl, http2: false })),
    ],
    runtime,
    lastApply: () => lastApply,
    dnsStats: () => dns.stats() ?? {},
    close(closeOpts = {}) {
      closing ??= Promise.all([shutdown(ctx, bound, opts.provider, closeOpts), stream?.close({ graceful: closeOpts.graceful !== false, timeoutMs: closeOpts.timeoutMs ?? 10000 })]).then(() => ctx.accessLog?.close());
      return closing;
    },
  };
}

function defaultCertificate(settings: Settings, opts: DataPlaneOptions): { cert: string; key: string } {
  if (opts.certificates) return opts.certificates;
  if (settings.ssl_cert?.length && settings.ssl_cert_key?.length) {
    return { cert: readFileSync(settings.ssl_cert[0], 'utf8'), key: readFileSync(settings.ssl_cert_key[0], 'utf8') };
  }
  const pair = ensureDefaultCertificate(settings.prefix, 'proxy');
  return { cert: pair.cert, key: pair.key };
}

async function shutdown(ctx: ProxyContext, bound: BoundListener[], provider: ConfigProvider, opts: CloseOptions): Promise<void> {
  const graceful = opts.graceful !== false;
  const timeoutMs = opts.timeoutMs ?? 10000;
  ctx.draining = true;
  await provider.stop();
  // Stop accepting. Busy connections close after their response (Connection: close). Idle keep-alive ones are
  // not closed at once: a client may be sending its next request on one right now, and closing under it resets
  // that request. For IDLE_GRACE_MS every request that arrives is still answered, with Connection: close, so a
  // client in a request loop leaves on its own; what is still idle after that is closed.
  const closed = bound.map((l) => stopAccepting(l.acceptor));
  for (const l of bound) for (const session of l.h2Sessions) session.close();
  const closeIdle = () => { for (const l of bound) for (const s of l.servers) (s as HttpServer).closeIdleConnections?.(); };
  if (graceful) {
    const now = Date.now();
    const deadline = now + timeoutMs;
    const closeIdleAt = now + Math.min(IDLE_GRACE_MS, timeoutMs / 2);
    // upgraded (WebSocket) tunnels do not end by themselves: they are cut below, as before
    while (Date.now() < deadline && (ctx.inflight > 0 || (await openConnections(bound)) > ctx.tunnels.size)) {
      if (Date.now() >= closeIdleAt) closeIdle();
      await new Promise((r) => setTimeout(r, 10));
    }
  } else closeIdle();
  for (const l of bound) {
    for (const s of l.servers) {
      (s as HttpServer).closeAllConnections?.();
      if (s !== l.acceptor && s.listening) s.close();
    }
    for (const session of l.h2Sessions) session.destroy();
  }
  for (const socket of ctx.tunnels) socket.destroy();
  await Promise.allSettled(closed);
  ctx.pools.destroy();
  closeGrpcSessions();
  ctx.runtime.close();
}

/** How long idle keep-alive connections of a draining listener may still bring one last request. */
const IDLE_GRACE_MS = 1000;

/**
 * Closes the listening socket only. http.Server#close would also close idle keep-alive connections at once
 * (Node 19+), under clients that may be sending on them; shutdown() closes those itself, after IDLE_GRACE_MS.
 */
function stopAccepting(server: NetServer): Promise<void> {
  return new Promise((resolve) => {
    if (server.listening === false) return resolve();
    NetServer.prototype.close.call(server, () => resolve());
  });
}

function openConnections(bound: readonly BoundListener[]): Promise<number> {
  return Promise.all(bound.map((l) => new Promise<number>((resolve) => l.acceptor.getConnections((err, n) => resolve(err ? 0 : n))))).then((counts) => counts.reduce((a, b) => a + b, 0));
}

function closeNet(server: { close(cb?: (err?: Error) => void): unknown; listening?: boolean }): Promise<void> {
  return new Promise((resolve) => {
    if (server.listening === false) return resolve();
    server.close(() => resolve());
  });
}

export { Runtime } from './runtime/runtime';
export { StaticConfigProvider, IpcConfigProvider, type ConfigProvider } from './provider';

/** The smaller of the two limits that are set (0 = unlimited for both keys). */
function bodyBufferLimit(bufferSize: number, maxBodySize: number): number {
  if (bufferSize === 0) return maxBodySize;
  return maxBodySize === 0 ? bufferSize : Math.min(bufferSize, maxBodySize);
}

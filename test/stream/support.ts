// Shared helpers of the stream e2e suites: snapshot rows with Kong's defaults, listen entries, echo/sink servers,
// and a running stream layer (startStreamListeners + compileStreamConfig) on 127.0.0.1 port 0.
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseListen } from '@tollgate/config';
import type { ListenEntry } from '@tollgate/config/types';
import type { Row, RouteRow, ServiceRow, Snapshot } from '@tollgate/declarative/snapshot';
import { ensureDefaultCertificate } from '@tollgate/pki';
import { compileConfig, type CompileOptions } from '../../apps/proxy/src/compile/compile-config';
import type { CompiledConfig, StreamConfig } from '../../apps/proxy/src/compile/types';
import { startStreamListeners, type StreamListeners } from '../../apps/proxy/src/server/stream-listeners';
import { createUpstreamRuntime } from '../../apps/proxy/src/upstream';

let seq = 0;
const uuid = () => `00000000-0000-4000-8000-${String(++seq).padStart(12, '0')}`;

export function serviceRow(fields: Partial<ServiceRow> & { host: string; port: number }): ServiceRow {
  return {
    id: uuid(), name: null, protocol: 'tcp', path: null, retries: 5,
    connect_timeout: 60000, write_timeout: 60000, read_timeout: 60000, enabled: true,
    tls_verify: null, tls_verify_depth: null, ca_certificates: null, client_certificate: null,
    ...fields,
  };
}

export function routeRow(fields: Partial<RouteRow> & { protocols: string[] }, service: ServiceRow | null): RouteRow {
  return {
    id: uuid(), name: null, methods: null, hosts: null, paths: null, headers: null, snis: null, sources: null, destinations: null,
    regex_priority: 0, strip_path: true, preserve_host: false, path_handling: 'v0', https_redirect_status_code: 426,
    request_buffering: true, response_buffering: true, created_at: 1, service: service ? { id: service.id } : null,
    ...fields,
  };
}

export function certificateRow(cert: string, key: string): Row {
  return { id: uuid(), cert, key, cert_alt: null, key_alt: null, tags: null };
}

export function sniRow(name: string, certificate: Row): Row {
  return { id: uuid(), name, certificate: { id: certificate.id }, tags: null };
}

export function entry(text: string): ListenEntry {
  const parsed = parseListen('stream_listen', text, 'stream');
  return parsed.listeners[0];
}

export interface LogSink {
  lines: Array<Record<string, unknown>>;
  messages: Array<{ level: string; msg: string; obj: object }>;
}

export interface Running {
  readonly streams: StreamListeners;
  readonly port: (i?: number) => number;
  readonly log: LogSink;
  setSnapshot(config: Snapshot): void;
  readonly config: () => StreamConfig;
}

const prefix = mkdtempSync(join(tmpdir(), 'tollgate-stream-'));
export const defaultCert = ensureDefaultCertificate(prefix, 'stream');

export async function startStream(listen: string[], snapshot: Snapshot, extra: { prereadTimeoutMs?: number; isTrusted?: (ip: string) => boolean } = {}): Promise<Running> {
  const log: LogSink = { lines: [], messages: [] };
  let version = 0;
  // the data plane's one compile step; the stream listeners read its stream part
  const compileOpts: CompileOptions = { createUpstream: (row, targets, previous) => createUpstreamRuntime(row, targets, { previous }) };
  let compiled: CompiledConfig = compileConfig({ hash: 'h0', version: 0, config: snapshot }, compileOpts).config;
  let current = compiled.stream;
  const logger = {
    info: (obj: object, msg: string) => log.messages.push({ level: 'info', msg, obj }),
    warn: (obj: object, msg: string) => log.messages.push({ level: 'warn', msg, obj }),
    error: (obj: object, msg: string) => log.messages.push({ level: 'error', msg, obj }),
  };
  const streams = await startStreamListeners(listen.map(entry), {
    getConfig: () => current,
    logger,
    accessLog: { write: (e) => log.lines.push(e) },
    defaultCertificate: defaultCert,
    prereadTimeoutMs: extra.prereadTimeoutMs,
    isTrusted: extra.isTrusted,
  });
  return {
    streams,
    port: (i = 0) => streams.listeners[i].port,
    log,
    config: () => current,
    setSnapshot(config) {
      const next = compileConfig({ hash: `h${++version}`, version, config }, { ...compileOpts, previous: compiled });
      compiled = next.config;
      current = compiled.stream;
      for (const rt of next.retired) rt.stop();
    },
  };
}

export async function stopStream(running: Running | undefined): Promise<void> {
  if (!running) return;
  await running.streams.close({ graceful: false });
  for (const rt of running.config().upstreams.values()) rt.stop();
}

/** An echo server that also records which server answered (tag) and the peer it saw. */
export interface Backend {
  server: Server;
  port: number;
  connections: number;
  close(): Promise<void>;
}

export async function listenOn(server: Server, host = '127.0.0.1'): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return (server.address() as AddressInfo).port;
}

export async function echoServer(tag = ''): Promise<Backend> {
  const sockets = new Set<Socket>();
  const b = { connections: 0 } as Backend;
  b.server = createServer({ allowHalfOpen: true }, (s) => {
    b.connections++;
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
    s.on('error', () => {});
    if (tag) s.write(tag);
    s.pipe(s);
  });
  b.port = await listenOn(b.server);
  b.close = async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => b.server.close(r));
  };
  return b;
}

/** Connects, sends `data` (then half-closes), and collects all that comes back until the server closes. */
export function exchange(port: number, data: Buffer | string, host = '127.0.0.1'): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const s = connect({ host, port, allowHalfOpen: true }, () => s.end(data));
    s.on('data', (c: Buffer) => chunks.push(c));
    s.on('end', () => s.end());
    s.on('close', () => resolve(Buffer.concat(chunks)));
    s.on('error', reject);
  });
}

/** Resolves when the server closes the connection (with what it sent, if anything). */
export function closedBy(socket: Socket): Promise<{ data: Buffer; error: string | null }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let error: string | null = null;
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', (e: NodeJS.ErrnoException) => (error = e.code ?? e.message));
    socket.on('close', () => resolve({ data: Buffer.concat(chunks), error }));
  });
}

export async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

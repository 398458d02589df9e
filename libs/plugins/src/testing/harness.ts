// A minimal gateway for plugin tests: prefix routing over a snapshot's routes, the real plugin pipeline, and
// plain node http forwarding to the service. It is what apps/proxy does, reduced to what plugins touch.
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import type { Row, Snapshot } from '@tollgate/declarative/snapshot';
import { compilePluginChains, type PluginChains } from '../chains';
import { loadPlugins, type PluginRegistry } from '../registry';
import { silentLogger } from '../logger';
import type { PluginLogger } from '../types';
import { PluginRun } from '../pipeline/plugin-run';
import { runAccessPhases, runBodyFilter, runHeaderFilter, scheduleLog } from '../pipeline/run-phases';
import type { HostRequest } from '../pipeline/host';

export interface HarnessOptions {
  readonly registry?: PluginRegistry;
  /** Client IP taken from this request header when present (to test IP-based plugins from loopback). */
  readonly clientIpHeader?: string;
  readonly log?: PluginLogger;
}

export interface Harness {
  readonly url: string;
  readonly port: number;
  reload(snapshot: Snapshot): void;
  close(): Promise<void>;
}

interface CompiledRoute { row: Row; prefix: string; service: Row | null; stripPath: boolean }

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te', 'trailer', 'host', 'content-length']);

export async function startHarness(snapshot: Snapshot, options: HarnessOptions = {}): Promise<Harness> {
  const registry = options.registry ?? loadPlugins(['bundled']);
  const log = options.log ?? silentLogger;
  let state = compile(snapshot, registry, log);
  const agent = new http.Agent({ keepAlive: true });
  const server = http.createServer((req, res) => {
    handle(state, req, res, options, log, agent).catch((err) => {
      log.error('harness failure', { err: String(err) });
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    reload: (next) => { state = compile(next, registry, log); },
    close: () => new Promise<void>((r) => { agent.destroy(); server.closeAllConnections(); server.close(() => r()); }),
  };
}

function compile(snapshot: Snapshot, registry: PluginRegistry, log: PluginLogger) {
  const services = new Map((snapshot.services ?? []).map((s) => [s.id, s as Row]));
  const routes: CompiledRoute[] = [];
  for (const row of snapshot.routes ?? []) {
    for (const prefix of (row.paths as string[] | null) ?? ['/']) {
      const serviceId = (row.service as { id: string } | null)?.id;
      routes.push({ row, prefix, service: serviceId ? services.get(serviceId) ?? null : null, stripPath: row.strip_path !== false });
    }
  }
  routes.sort((a, b) => b.prefix.length - a.prefix.length);
  return { routes, chains: compilePluginChains(snapshot, registry, { log }) };
}

async function handle(
  state: { routes: CompiledRoute[]; chains: PluginChains },
  req: IncomingMessage,
  res: ServerResponse,
  options: HarnessOptions,
  log: PluginLogger,
  agent: http.Agent,
): Promise<void> {
  const startedAt = Date.now();
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const rawPath = q === -1 ? url : url.slice(0, q);
  const route = state.routes.find((r) => rawPath.startsWith(r.prefix));
  if (!route || !route.service) {
    res.writeHead(404, { 'content-type': 'application/json; charset=utf-8' });
    res.end('{"message":"no Route matched with those values"}');
    return;
  }
  const service = route.service;
  const rest = route.stripPath ? rawPath.slice(route.prefix.length) : rawPath;
  const base = (service.path as string | null) ?? '/';
  const upstreamPath = joinPath(base, rest);
  const ipHeader = options.clientIpHeader ? req.headers[options.clientIpHeader] : undefined;
  const host: HostRequest = {
    method: req.method ?? 'GET',
    protocol: 'http',
    scheme: 'http',
    host: req.headers.host ?? '',
    rawPath,
    upstreamPath,
    rawQuery: q === -1 ? '' : url.slice(q + 1),
    headers: req.headers,
    clientIp: typeof ipHeader === 'string' ? ipHeader : req.socket.remoteAddress ?? '',
    readBody: () => readAll(req),
  };
  const run = new PluginRun(
    state.chains, host,
    { id: route.row.id, name: (route.row.name as string | null) ?? null, row: route.row },
    { id: service.id, name: (service.name as string | null) ?? null, row: service },
    randomUUID().replace(/-/g, ''), log, startedAt,
  );
  res.once('finish', () => {
    run.timings.totalLatency = Date.now() - startedAt;
    scheduleLog(run);
  });
  const pending = runAccessPhases(run);
  if (pending) await pending;
  run.timings.requestSize = Number(req.headers['content-length'] ?? 0);

  const exit = run.response.exitResponse;
  if (exit) {
    if (!run.request.bodyBuffered) req.resume();
    return respond(run, res, exit.status, exit.headers, exit.body);
  }

  const headers: IncomingHttpHeaders = { ...run.request.upstreamHeaders() };
  for (const h of HOP_BY_HOP) delete headers[h];
  headers.host = `${service.host}:${service.port}`;
  const body = run.request.bodyBuffered ? await run.request.bufferedBody() : null;
  if (body) headers['content-length'] = String(body.length);
  else if (req.headers['content-length']) headers['content-length'] = req.headers['content-length'];
  else if (req.headers['transfer-encoding']) headers['transfer-encoding'] = 'chunked';
  const sentAt = Date.now();
  run.timings.proxyLatency = sentAt - startedAt;
  const upReq = http.request({
    agent, host: service.host as string, port: service.port as number, method: run.request.method,
    path: run.request.getPath() + run.request.upstreamQuery(), headers,
  });
  upReq.on('response', (upRes) => {
    run.timings.upstreamLatency = Date.now() - sentAt;
    const out: Record<string, string | string[] | number | undefined> = {};
    for (const [k, v] of Object.entries(upRes.headers)) if (!HOP_BY_HOP.has(k) || k === 'content-length') out[k] = v;
    if (run.buffersResponse) {
      readAll(upRes).then((buf) => respond(run, res, upRes.statusCode ?? 502, out, buf));
      return;
    }
    runHeaderFilter(run, upRes.statusCode ?? 502, out);
    out['x-kong-upstream-latency'] = String(run.timings.upstreamLatency);
    res.writeHead(run.response.getStatus() || upRes.statusCode || 502, out as http.OutgoingHttpHeaders);
    upRes.on('data', (c: Buffer) => { run.timings.responseSize += c.length; });
    upRes.pipe(res);
  });
  upReq.on('error', () => {
    if (res.headersSent) return res.destroy();
    run.response.error(502, 'An invalid response was received from the upstream server');
    const e = run.response.exitResponse!;
    respond(run, res, e.status, e.headers, e.body);
  });
  if (body) upReq.end(body);
  else req.pipe(upReq);
}

function respond(run: PluginRun, res: ServerResponse, status: number, headers: Record<string, string | string[] | number | undefined>, body: Buffer): void {
  runHeaderFilter(run, status, headers);
  const sent = run.buffersResponse ? runBodyFilter(run, body) : body;
  headers['content-length'] = String(sent.length);
  run.timings.responseSize = sent.length;
  res.writeHead(status, headers as http.OutgoingHttpHeaders);
  res.end(sent);
}

function joinPath(base: string, rest: string): string {
  if (rest === '') return base;
  if (base.endsWith('/') && rest.startsWith('/')) return base + rest.slice(1);
  if (!base.endsWith('/') && !rest.startsWith('/')) return base + '/' + rest;
  return base + rest;
}

function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    stream.on('data', (c: Buffer) => parts.push(c));
    stream.on('end', () => resolve(Buffer.concat(parts)));
    stream.on('error', reject);
  });
}

export type { Row };

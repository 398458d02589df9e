// The status listener (`status_listen`, default 127.0.0.1:8007): health for load balancers and orchestrators.
// It lives in the supervisor so it answers for the node as a whole, whatever its role.
import { createServer, type Server } from 'node:http';
import type { Settings } from '@tollgate/config';
// the exposition formatter alone: '@tollgate/plugins' would load every bundled plugin into the supervisor
import { formatKongExposition } from '@tollgate/plugins/bundled/prometheus/exposition';
import { dnsStatusAnswer, enforceClientTimeouts, HTTP_VERSION_NOT_SUPPORTED, jsonClientErrorHandler, meterRequestLines, MISSING_HOST, refuseConnectJson, missingHost, requestLineLimit, unsupportedHttpVersion, type DnsStatusReport } from '@tollgate/errors';
import type { BoundListener } from '@tollgate/protocol';
import { Readiness } from './status-ready';

export interface StatusSource {
  /** null when no configuration is applied by every worker yet. */
  appliedHash(): string | null;
  workers(): number;
  databaseReachable?(): Promise<boolean>;
  /** prom-client JSON metrics of every data-plane worker. */
  collectMetrics?(): Promise<unknown[][]>;
  /** GET /status/dns with new_dns_client = on (apps/cli/src/supervisor/dns-report.ts). */
  dnsReport(): Promise<DnsStatusReport>;
}

const EMPTY_HASH = '00000000000000000000000000000000';
/** Node's default header budget, which the status server keeps. */
const STATUS_MAX_HEADER_SIZE = 16 * 1024;

export async function startStatusServer(settings: Settings, source: StatusSource): Promise<{ listeners: BoundListener[]; close(): Promise<void> }> {
  const readiness = new Readiness(settings, source);
  const handler = async (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
    const url = (req.url ?? '/').split('?')[0].replace(/\/+$/, '') || '/';
    const reply = (status: number, body: unknown) => {
      const text = JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    };
    try {
      if (unsupportedHttpVersion(req)) return reply(HTTP_VERSION_NOT_SUPPORTED.status, { message: HTTP_VERSION_NOT_SUPPORTED.message });
      if (missingHost(req)) {
        res.setHeader('connection', 'close');
        return reply(MISSING_HOST.status, { message: MISSING_HOST.message });
      }
      if (url === '/status' && (req.method === 'GET' || req.method === 'HEAD')) {
        const mem = process.memoryUsage();
        const body: Record<string, unknown> = {
          configuration_hash: (source.appliedHash() ?? EMPTY_HASH).slice(0, 32),
          server: { workers: source.workers() },
          memory: { supervisor_rss: `${(mem.rss / 1048576).toFixed(2)} MiB` },
        };
        if (source.databaseReachable) body.database = { reachable: await source.databaseReachable() };
        return reply(200, body);
      }
      if (url === '/status/ready' && (req.method === 'GET' || req.method === 'HEAD' || req.method === 'POST')) {
        const ready = await readiness.answer(req);
        if (ready.body === undefined) {
          res.writeHead(ready.status, { 'content-length': 0 });
          return res.end();
        }
        return reply(ready.status, ready.body);
      }
      if (url === '/status/dns' && req.method === 'GET') {
        const answer = await dnsStatusAnswer(settings.new_dns_client, () => source.dnsReport());
        return reply(answer.status, answer.body);
      }
      if (url === '/metrics' && (req.method === 'GET' || req.method === 'HEAD')) {
        // Workers count requests; the node's scrape is their sum, as one Kong node with many nginx workers reports.
        const perWorker = (await source.collectMetrics?.()) ?? [];
        // prom-client (and the @opentelemetry/api it loads) only once something scrapes
        const { AggregatorRegistry } = require('prom-client') as typeof import('prom-client');
        const registry = AggregatorRegistry.aggregate(perWorker as never);
        const text = formatKongExposition(await registry.metrics());
        res.writeHead(200, { 'content-type': registry.contentType, 'content-length': Buffer.byteLength(text) });
        return res.end(text);
      }
      return reply(404, { message: 'Not found' });
    } catch {
      if (res.headersSent) return void res.destroy();
      return reply(500, { message: 'An unexpected error occurred' });
    }
  };

  const servers: Server[] = [];
  const listeners: BoundListener[] = [];
  for (const entry of settings.status_listeners) {
    if (entry.ssl) {
      throw Object.assign(new Error(`status_listen: flag 'ssl' is not supported on the status listener (${entry.listener})`), { expected: true });
    }
    // requireHostHeader: Node's refusal has an empty body; the handler answers a missing Host in JSON
    const server = createServer({ connectionsCheckingInterval: 250, requireHostHeader: false }, (req, res) => void handler(req, res));
    server.headersTimeout = settings.client_header_timeout;
    // parser rejections (CL + TE, an oversized head, a header timeout) answered with a JSON message, not Node's empty body
    server.on('clientError', jsonClientErrorHandler(requestLineLimit(STATUS_MAX_HEADER_SIZE)));
    meterRequestLines(server);
    server.on('connect', (_req: unknown, socket: import('node:net').Socket) => refuseConnectJson(socket));
    enforceClientTimeouts(server, { bodyMs: settings.client_body_timeout, sendMs: settings.send_timeout });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) =>
        reject(Object.assign(new Error(`status_listen: cannot listen on ${entry.listener}: ${err.code === 'EADDRINUSE' ? 'address already in use' : err.message}`), { expected: true })));
      server.listen({ host: entry.ip, port: entry.port, backlog: entry.backlog, ipv6Only: entry.ipv6only }, () => resolve());
    });
    const addr = server.address() as import('node:net').AddressInfo;
    listeners.push({ key: 'status_listen', listener: entry.listener, address: addr.address, port: addr.port });
    servers.push(server);
  }
  return {
    listeners,
    close: () => Promise.all(servers.map((s) => new Promise<void>((r) => { s.close(() => r()); s.closeAllConnections(); }))).then(() => {}),
  };
}

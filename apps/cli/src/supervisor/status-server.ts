// The status listener (`status_listen`, default 127.0.0.1:8007): health for load balancers and orchestrators.
// It lives in the supervisor so it answers for the node as a whole, whatever its role.
import { createServer, type Server } from 'node:http';
import type { Settings } from '@tollgate/config';
import { AggregatorRegistry } from 'prom-client';
import { formatKongExposition } from '@tollgate/plugins';
import type { BoundListener } from './messages';

export interface StatusSource {
  /** null when no configuration is applied by every worker yet. */
  appliedHash(): string | null;
  workers(): number;
  databaseReachable?(): Promise<boolean>;
  /** prom-client JSON metrics of every data-plane worker. */
  collectMetrics?(): Promise<unknown[][]>;
}

const EMPTY_HASH = '00000000000000000000000000000000';

export async function startStatusServer(settings: Settings, source: StatusSource): Promise<{ listeners: BoundListener[]; close(): Promise<void> }> {
  let draining = false;
  const handler = async (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
    const url = (req.url ?? '/').split('?')[0].replace(/\/+$/, '') || '/';
    const reply = (status: number, body: unknown) => {
      const text = JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    };
    try {
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
      if (url === '/status/ready') {
        if (req.method === 'POST') {
          // Kong's drain switch: `POST /status/ready status=draining` makes readiness fail before a shutdown.
          const chunks: Buffer[] = [];
          for await (const c of req) chunks.push(c as Buffer);
          draining = /status=draining|"status"\s*:\s*"draining"/.test(Buffer.concat(chunks).toString());
          return reply(200, { message: draining ? 'draining' : 'ready' });
        }
        if (draining) return reply(503, { message: 'draining' });
        if (source.appliedHash() === null) return reply(503, { message: 'no configuration available (empty configuration present)' });
        return reply(200, { message: 'ready' });
      }
      if (url === '/metrics' && (req.method === 'GET' || req.method === 'HEAD')) {
        // Workers count requests; the node's scrape is their sum, as one Kong node with many nginx workers reports.
        const perWorker = (await source.collectMetrics?.()) ?? [];
        const registry = AggregatorRegistry.aggregate(perWorker as never);
        const text = formatKongExposition(await registry.metrics());
        res.writeHead(200, { 'content-type': registry.contentType, 'content-length': Buffer.byteLength(text) });
        return res.end(text);
      }
      return reply(404, { message: 'Not found' });
    } catch {
      return reply(500, { message: 'An unexpected error occurred' });
    }
  };

  const servers: Server[] = [];
  const listeners: BoundListener[] = [];
  for (const entry of settings.status_listeners) {
    if (entry.ssl) {
      throw Object.assign(new Error(`status_listen: flag 'ssl' is not supported on the status listener (${entry.listener})`), { expected: true });
    }
    const server = createServer((req, res) => void handler(req, res));
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

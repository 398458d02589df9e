// A real `tollgate start` node (traditional, SQLite in a temp prefix) with an echo upstream, for the auth
// plugin suites: they configure it over the Admin API and send real traffic to the proxy port.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { http, type Reply } from '../../support/http';
import { waitFor } from '../../support/wait';
import { loopbackConf, startNode, stopNode, tempPrefix, writeConf, type RunningNode } from '../../support/cli-node';

export interface AuthNode {
  readonly node: RunningNode;
  readonly admin: string;
  readonly proxy: string;
  readonly upstreamPort: number;
  /** Requests the upstream saw. */
  readonly seen: Array<{ path: string; headers: Record<string, unknown> }>;
  adminCall(method: string, path: string, body?: unknown): Promise<Reply>;
  /** Admin call that must answer `status`; returns the JSON body. */
  must(method: string, path: string, body: unknown, status: number): Promise<any>;
  proxyCall(method: string, path: string, opts?: { body?: unknown; headers?: Record<string, string> }): Promise<Reply>;
  /** Polls the proxy until `ok` holds for the reply (config propagation). */
  until(method: string, path: string, ok: (r: Reply) => boolean, opts?: { body?: unknown; headers?: Record<string, string> }): Promise<Reply>;
  close(): Promise<void>;
}

/** `declarative`: a function of the upstream port giving a declarative file (YAML/JSON text) for database = off. */
export async function startAuthNode(extraConf: Record<string, string> = {}, declarative?: (upstreamPort: number) => string): Promise<AuthNode> {
  const seen: AuthNode['seen'] = [];
  const upstream: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      seen.push({ path: req.url ?? '', headers: req.headers });
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ path: req.url, headers: req.headers, body: Buffer.concat(chunks).toString() }));
    });
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', () => r()));
  const prefix = tempPrefix();
  const upstreamPort = (upstream.address() as AddressInfo).port;
  const conf = { ...extraConf };
  if (declarative) {
    const file = join(prefix, 'kong.json');
    writeFileSync(file, declarative(upstreamPort));
    Object.assign(conf, { database: 'off', declarative_config: file });
  }
  const node = await startNode(['-c', writeConf(prefix, loopbackConf(prefix, conf)), '-p', prefix]);
  const admin = `http://127.0.0.1:${node.port('admin_listen')}`;
  const proxy = `http://127.0.0.1:${node.port('proxy_listen')}`;
  const kit: AuthNode = {
    node, admin, proxy, seen,
    upstreamPort,
    adminCall: (method, path, body) => http(method, admin + path, { body }),
    async must(method, path, body, status) {
      const r = await http(method, admin + path, { body });
      if (r.status !== status) throw new Error(`${method} ${path} -> ${r.status} ${r.text}`);
      return r.json;
    },
    proxyCall: (method, path, opts = {}) => http(method, proxy + path, opts),
    until: (method, path, ok, opts = {}) =>
      waitFor(async () => {
        const r = await http(method, proxy + path, opts);
        return ok(r) ? r : undefined;
      }, `${method} ${path} on the proxy`),
    async close() {
      await stopNode(node);
      await new Promise<void>((r) => upstream.close(() => r()));
    },
  };
  return kit;
}

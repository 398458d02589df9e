// Shared pieces of the hybrid end-to-end suites: cluster certificates, control/data plane configurations on
// loopback, an upstream to proxy to, and polling helpers. Processes are the real CLI (test/support/cli-node).
import { createServer, type Server } from 'node:http';
import { request } from 'node:https';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateClusterCertificate, type PemPair } from '@tollgate/pki';
import { http } from '../support/http';
import { startNode, tempPrefix, writeConf, type RunningNode } from '../support/cli-node';

export interface ClusterFiles { readonly cert: string; readonly key: string; readonly pair: PemPair }

export function clusterCertificate(dir = tempPrefix()): ClusterFiles {
  const pair = generateClusterCertificate(30);
  const cert = join(dir, 'cluster.crt');
  const key = join(dir, 'cluster.key');
  writeFileSync(cert, pair.cert);
  writeFileSync(key, pair.key);
  return { cert, key, pair };
}

export async function startControlPlane(files: ClusterFiles, opts: { prefix?: string; clusterPort?: number; adminPort?: number; extra?: Record<string, string> } = {}): Promise<RunningNode> {
  const prefix = opts.prefix ?? tempPrefix();
  const conf = writeConf(prefix, {
    prefix,
    role: 'control_plane',
    admin_listen: `127.0.0.1:${opts.adminPort ?? 0}`,
    cluster_listen: `127.0.0.1:${opts.clusterPort ?? 0}`,
    status_listen: '127.0.0.1:0',
    cluster_cert: files.cert,
    cluster_cert_key: files.key,
    ...opts.extra,
  });
  // generous: on a loaded machine a node (and a data plane's first sync) can take long to be ready
  return startNode(['-c', conf, '-p', prefix], { readyTimeoutMs: 90_000 });
}

export async function startDataPlane(files: ClusterFiles, clusterPort: number, opts: { prefix?: string; extra?: Record<string, string> } = {}): Promise<RunningNode> {
  const prefix = opts.prefix ?? tempPrefix();
  const conf = writeConf(prefix, {
    prefix,
    role: 'data_plane',
    database: 'off',
    proxy_listen: '127.0.0.1:0',
    status_listen: '127.0.0.1:0',
    worker_processes: '1',
    cluster_control_plane: `127.0.0.1:${clusterPort}`,
    cluster_cert: files.cert,
    cluster_cert_key: files.key,
    ...opts.extra,
  });
  // generous: on a loaded machine a node (and a data plane's first sync) can take long to be ready
  return startNode(['-c', conf, '-p', prefix], { readyTimeoutMs: 90_000 });
}

/** An upstream answering 200 with the path it saw. */
export async function startUpstream(): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(`upstream saw ${req.url}`);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, port: (server.address() as import('node:net').AddressInfo).port };
}

export async function waitFor<T>(probe: () => Promise<T | undefined | false>, what: string, timeoutMs = 10_000, intervalMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Resolves once GET `path` on the node's proxy answers 200. */
export function proxyAnswers(node: RunningNode, path: string, timeoutMs = 10_000): Promise<true> {
  return waitFor(async () => (await http('GET', `http://127.0.0.1:${node.port('proxy_listen')}${path}`)).status === 200 || undefined, `${path} on ${node.prefix}`, timeoutMs);
}

/** A raw pull against the cluster listener, as a data plane would make it. */
export function rawPull(port: number, pair: PemPair | null, params: Record<string, string>): Promise<{ status: number; body: string }> {
  const query = new URLSearchParams(params);
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1', port, path: `/v1/config?${query}`, servername: 'kong_clustering', ca: pair?.cert, agent: false,
      ...(pair ? { cert: pair.cert, key: pair.key } : {}),
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

export async function addRoute(adminPort: number, name: string, upstreamPort: number): Promise<void> {
  const svc = await http('PUT', `http://127.0.0.1:${adminPort}/services/${name}`, { body: { url: `http://127.0.0.1:${upstreamPort}` } });
  if (svc.status >= 300) throw new Error(`PUT /services/${name}: ${svc.status} ${svc.text}`);
  const route = await http('PUT', `http://127.0.0.1:${adminPort}/services/${name}/routes/${name}`, { body: { paths: [`/${name}`] } });
  if (route.status >= 300) throw new Error(`PUT route ${name}: ${route.status} ${route.text}`);
}

// The log phase (after the response, never delaying it), http-log batching and retries, file-log, prometheus,
// on a real node: the probe plugin is a package the node loads, the scrape is the status listener's /metrics.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUNDLED_PLUGINS } from '@tollgate/plugins';
import { http as request } from '../support/http';
import { KONG_BUNDLED_PLUGINS } from '../support/kong-bundled-plugins';
import { createKit, eventually, type Kit } from './support/kit';
import { jsPluginPackage, readLines } from './support/plugin-folder';

interface Collector { url: string; bodies: unknown[]; failFirst: number; hang: boolean; close(): Promise<void> }

async function startCollector(): Promise<Collector> {
  const c: Collector = { url: '', bodies: [], failFirst: 0, hang: false, close: async () => undefined };
  const server = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (p: Buffer) => parts.push(p));
    req.on('end', () => {
      if (c.hang) return;
      if (c.failFirst > 0) {
        c.failFirst--;
        res.writeHead(500).end();
        return;
      }
      c.bodies.push(JSON.parse(Buffer.concat(parts).toString()));
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  c.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/logs`;
  c.close = () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); });
  return c;
}

// What the log phase saw, written by a probe plugin inside the node's worker.
const probeFile = join(mkdtempSync(join(tmpdir(), 'tollgate-probe-')), 'probe.log');
const probe = jsPluginPackage('log-probe', `
const { appendFileSync } = require('node:fs');
exports.schema = [];
exports.handler = {
  name: 'log-probe', priority: 1, version: '1.0.0',
  log(kong) { appendFileSync(${JSON.stringify(probeFile)}, JSON.stringify({ status: kong.response.getStatus(), total: kong.timings.totalLatency }) + '\\n'); },
};
`);
const seenInLog = {
  clear: () => writeFileSync(probeFile, ''),
  first: (): { status: number; total: number | null } | undefined => readLines(probeFile).map((l) => JSON.parse(l))[0],
};

describe('log phase, http-log, file-log, prometheus (proxy)', () => {
  let kit: Kit;
  let batched: Collector;
  let single: Collector;
  let hanging: Collector;
  let logFile: string;

  beforeAll(async () => {
    [batched, single, hanging] = await Promise.all([startCollector(), startCollector(), startCollector()]);
    hanging.hang = true;
    single.failFirst = 2;
    logFile = join(mkdtempSync(join(tmpdir(), 'tollgate-filelog-')), 'access.json');
    kit = await createKit({ plugins: ['bundled', probe] });
    const b = kit.builder;
    const s = b.service(kit.upstream.port, { name: 'orders' });
    const batchRoute = b.route(s, ['/batch'], { name: 'batch' });
    const singleRoute = b.route(s, ['/single'], { name: 'single' });
    const hangRoute = b.route(s, ['/hang'], { name: 'hang' });
    const fileRoute = b.route(s, ['/file'], { name: 'file' });
    const keyed = b.route(s, ['/keyed'], { name: 'keyed' });
    const alice = b.consumer('alice');
    b.keyAuth(alice, 'k');
    b.plugin('key-auth', {}, { route: keyed });
    b.plugin('http-log', { http_endpoint: batched.url, queue: { max_batch_size: 3, max_coalescing_delay: 60 } }, { route: batchRoute });
    b.plugin('http-log', { http_endpoint: single.url, queue: { initial_retry_delay: 0.01 } }, { route: singleRoute });
    b.plugin('http-log', { http_endpoint: hanging.url, timeout: 60000 }, { route: hangRoute });
    b.plugin('file-log', { path: logFile }, { route: fileRoute });
    b.plugin('prometheus', { status_code_metrics: true, latency_metrics: true, bandwidth_metrics: true, per_consumer: true });
    b.plugin('log-probe', {});
    await kit.start();
  });
  afterAll(async () => {
    await kit.close();
    await Promise.all([batched.close(), single.close(), hanging.close()]);
  });

  it('the log phase runs after the response finished', async () => {
    seenInLog.clear();
    await kit.get('/single/x');
    const entry = await eventually(() => seenInLog.first());
    expect(entry.status).toBe(200);
    expect(entry.total).not.toBeNull();
  });

  it('http-log retries with backoff until the endpoint accepts', async () => {
    const body = await eventually(() => single.bodies[0] as Record<string, any> | undefined);
    expect(single.failFirst).toBe(0);
    expect(body.request.method).toBe('GET');
    expect(body.request.uri).toBe('/single/x');
    expect(body.response.status).toBe(200);
    expect(body.route.name).toBe('single');
    expect(body.service.name).toBe('orders');
    expect(body.upstream_uri).toBe('/x');
    expect(typeof body.latencies.request).toBe('number');
  });

  it('http-log batches max_batch_size entries into one JSON array', async () => {
    for (let i = 0; i < 3; i++) await kit.get(`/batch/${i}`);
    const batch = await eventually(() => batched.bodies[0] as Array<Record<string, any>> | undefined);
    expect(Array.isArray(batch)).toBe(true);
    expect(batch.map((e) => e.request.uri)).toEqual(['/batch/0', '/batch/1', '/batch/2']);
  });

  it('an endpoint that never answers does not delay responses', async () => {
    for (let i = 0; i < 5; i++) {
      const started = Date.now();
      const res = await kit.get('/hang/x');
      expect(res.status).toBe(200);
      expect(Date.now() - started).toBeLessThan(1000);
    }
  });

  it('file-log appends one JSON document per request', async () => {
    await kit.get('/file/a');
    await kit.get('/file/b');
    const lines = await eventually(() => {
      if (!existsSync(logFile)) return undefined;
      const l = readFileSync(logFile, 'utf8').split('\n').filter(Boolean);
      return l.length >= 2 ? l : undefined;
    });
    expect(lines.map((l) => JSON.parse(l).request.uri)).toEqual(['/file/a', '/file/b']);
  });

  it('prometheus: the scrape has Kong metric names with their labels', async () => {
    await kit.get('/keyed/x', { apikey: 'k' });
    await kit.get('/keyed/x');
    seenInLog.clear();
    await kit.get('/keyed/x', { apikey: 'k' });
    await eventually(() => seenInLog.first());
    // the node's scrape: Kong serves /metrics on the status listener
    const res = await request('GET', `${kit.status}/metrics`);
    expect(res.status).toBe(200);
    const samples = parseExposition(res.text);
    expect(samples.get('kong_http_requests_total{service="orders",route="keyed",code="200",source="service",workspace="default",consumer="alice"}')).toBe(2);
    expect(samples.get('kong_http_requests_total{service="orders",route="keyed",code="401",source="kong",workspace="default",consumer=""}')).toBe(1);
    expect(samples.get('kong_request_latency_ms_count{service="orders",route="keyed",workspace="default"}')).toBe(3);
    expect(samples.get('kong_upstream_latency_ms_count{service="orders",route="keyed",workspace="default"}')).toBe(2);
    expect(samples.get('kong_kong_latency_ms_count{service="orders",route="keyed",workspace="default"}')).toBe(3);
    expect(samples.get('kong_bandwidth_bytes{service="orders",route="keyed",direction="egress",workspace="default",consumer="alice"}')).toBeGreaterThan(0);
    expect(samples.get('kong_datastore_reachable')).toBe(1);
    expect(res.text).toContain('# TYPE kong_request_latency_ms histogram');
    expect(res.text).toContain('# TYPE kong_nginx_connections_total gauge');
  });

  it('prometheus: latency buckets carry Kong\'s zero-padded le labels, le last', async () => {
    const res = await request('GET', `${kit.status}/metrics`);
    const KONG_LE = ['00001.0', '00002.0', '00005.0', '00007.0', '00010.0', '00015.0', '00020.0', '00030.0', '00050.0', '00075.0',
      '00100.0', '00200.0', '00500.0', '00750.0', '01000.0', '02000.0', '05000.0', '10000.0', '30000.0', '60000.0', '+Inf'];
    const samples = parseExposition(res.text);
    for (const metric of ['kong_request_latency_ms', 'kong_upstream_latency_ms', 'kong_kong_latency_ms']) {
      const prefix = `${metric}_bucket{service="orders",route="keyed",workspace="default",le="`;
      const les = res.text.split('\n').filter((l) => l.startsWith(prefix)).map((l) => l.slice(prefix.length, l.indexOf('"', prefix.length)));
      expect(les).toEqual(KONG_LE);
      expect(samples.get(`${prefix}+Inf"}`)).toBe(samples.get(`${metric}_count{service="orders",route="keyed",workspace="default"}`));
    }
    expect(res.text).not.toMatch(/_latency_ms_bucket\{le=/);
  });

  it("BUNDLED_PLUGINS is Kong 3.10's bundled set, each at Kong's priority", () => {
    expect(Object.fromEntries([...BUNDLED_PLUGINS].map(([name, m]) => [name, m.handler.priority]))).toEqual(KONG_BUNDLED_PLUGINS);
  });
});

/** Prometheus text format -> `name{labels}` -> value. */
function parseExposition(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    out.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return out;
}

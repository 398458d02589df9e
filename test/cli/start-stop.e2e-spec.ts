// `tollgate start | stop | health` end to end: the real CLI, real processes, real sockets.
import { createServer, connect, type Server } from 'node:net';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { http } from '../support/http';
import { waitFor } from '../support/wait';
import { loopbackConf, runCli, runCliAsync, startNode, stopNode, tempPrefix, writeConf, type RunningNode } from '../support/cli-node';


function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => { s.destroy(); resolve(false); });
    s.once('error', () => resolve(true));
  });
}

describe('tollgate start (traditional role)', () => {
  let node: RunningNode;
  let prefix: string;

  beforeAll(async () => {
    prefix = tempPrefix();
    const conf = writeConf(prefix, loopbackConf(prefix, { pg_password: 'supersecret' }));
    node = await startNode(['-c', conf, '-p', prefix]);
  });
  afterAll(async () => { if (node) await stopNode(node); });

  it('logs where every listener is bound', () => {
    expect(node.listeners.map((l) => l.key).sort()).toEqual(['admin_listen', 'proxy_listen', 'status_listen']);
    for (const l of node.listeners) expect(l.port).toBeGreaterThan(0);
  });

  it("GET / on the Admin API answers with Kong's node information", async () => {
    const r = await http('GET', `http://127.0.0.1:${node.port('admin_listen')}/`);
    expect(r.status).toBe(200);
    expect(r.json.version).toMatch(/^3\.\d+\.\d+$/);
    expect(r.json.edition).toBe('community');
    expect(typeof r.json.tollgate_version).toBe('string');
    expect(typeof r.json.hostname).toBe('string');
    expect(r.json.node_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.json.tagline).toEqual(expect.any(String));
    expect(Array.isArray(r.json.plugins.enabled_in_cluster)).toBe(true);
    expect(r.json.configuration.prefix).toBe(prefix);
    expect(r.text).not.toContain('supersecret'); // secrets never leave the node
  });

  it('GET /anything on the proxy answers 404 no Route matched', async () => {
    const r = await http('GET', `http://127.0.0.1:${node.port('proxy_listen')}/anything`);
    expect(r.status).toBe(404);
    // Kong 3.x adds the request id to its error bodies, and the same id to X-Kong-Request-Id.
    expect(r.json).toEqual({ message: 'no Route matched with those values', request_id: r.headers['x-kong-request-id'] });
  });

  it("writes one access-log line per proxied request to proxy_access_log, in Kong's nginx format by default", async () => {
    const r = await http('GET', `http://127.0.0.1:${node.port('proxy_listen')}/logged-path?x=1`);
    const line = await waitFor(async () => {
      const text = existsSync(join(prefix, 'logs', 'access.log')) ? readFileSync(join(prefix, 'logs', 'access.log'), 'utf8') : '';
      return text.split('\n').find((l) => l.includes('/logged-path?x=1'));
    }, 'the access log line');
    // Kong's kong_log_format: combined log format, then kong_request_id
    expect(line).toMatch(/^127\.0\.0\.1 - - \[\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\] "GET \/logged-path\?x=1 HTTP\/1\.1" 404 \d+ "-" "-" kong_request_id: "[0-9a-f]{32}"$/);
    expect(line).toContain(`kong_request_id: "${r.headers['x-kong-request-id']}"`);
    expect(line).toContain(`" 404 ${Buffer.byteLength(r.text)} "`); // $body_bytes_sent: the generated error body
  });

  it('reports ready on the status listener once the data plane applied its configuration', async () => {
    const r = await waitFor(async () => {
      const res = await http('GET', `http://127.0.0.1:${node.port('status_listen')}/status/ready`);
      return res.status === 200 ? res : undefined;
    }, '/status/ready');
    expect(r.json).toEqual({ message: 'ready' });
  });

  it('tollgate health -p PREFIX exits 0 with a report', async () => {
    const r = await runCliAsync(['health', '-p', prefix]);
    expect(r.stdout).toContain(`status listener 127.0.0.1:${node.port('status_listen')} ... ready`);
    expect(r.stdout).toContain('tollgate is healthy');
    expect(r.code).toBe(0);
  });

  it('writes the pid file into the prefix', () => {
    expect(readFileSync(join(prefix, 'pids', 'tollgate.pid'), 'utf8').trim()).toBe(String(node.child.pid));
  });
});

describe('tollgate stop', () => {
  it('stops the node gracefully: exit 0, no listener left, pid file removed', async () => {
    const prefix = tempPrefix();
    const conf = writeConf(prefix, loopbackConf(prefix));
    const node = await startNode(['-c', conf, '-p', prefix]);
    const ports = node.listeners.map((l) => l.port);
    const r = await runCliAsync(['stop', '-p', prefix]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('tollgate stopped');
    expect(await node.exited).toEqual({ code: 0, signal: null });
    for (const p of ports) expect(await refused(p)).toBe(true);
    expect(existsSync(join(prefix, 'pids', 'tollgate.pid'))).toBe(false);
    expect((await runCliAsync(['health', '-p', prefix])).code).toBe(1);
  });

  it('Ctrl-C (SIGINT) stops the node with exit 0', async () => {
    const prefix = tempPrefix();
    const node = await startNode(['-c', writeConf(prefix, loopbackConf(prefix)), '-p', prefix]);
    node.child.kill('SIGINT');
    expect(await node.exited).toEqual({ code: 0, signal: null });
  });

  it('tollgate stop on an empty prefix exits 1 and says so', () => {
    const prefix = tempPrefix();
    const r = runCli(['stop', '-p', prefix]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`tollgate is not running in ${prefix}\n`);
  });
});

describe('tollgate start failures', () => {
  let blocker: Server;
  let busyPort: number;
  beforeAll(async () => {
    blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    busyPort = (blocker.address() as import('node:net').AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => blocker.close(() => r())));

  it.each([
    ['proxy_listen'],
    ['admin_listen'],
    ['status_listen'],
  ])('a port already in use on %s fails fast naming the key and the address', (key) => {
    const prefix = tempPrefix();
    const conf = writeConf(prefix, loopbackConf(prefix, { [key]: `127.0.0.1:${busyPort}` }));
    const started = Date.now();
    const r = runCli(['start', '-c', conf, '-p', prefix]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(key);
    expect(r.stderr).toContain(`127.0.0.1:${busyPort}`);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(existsSync(join(prefix, 'pids', 'tollgate.pid'))).toBe(false);
  });

  it('a bad configuration file fails with one message listing every bad key', () => {
    const prefix = tempPrefix();
    const conf = writeConf(prefix, { prefix, proxy_listen: '127.0.0.1:99999', admin_lisen: '127.0.0.1:0' });
    const r = runCli(['start', '-c', conf, '-p', prefix]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('proxy_listen');
    expect(r.stderr).toContain('admin_lisen');
    expect(r.stderr).toContain('admin_listen'); // did-you-mean
  });
});

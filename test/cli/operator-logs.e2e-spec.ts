// Logs as an operator reads them, through the real `tollgate start`: level words, text on a terminal, JSON
// elsewhere; the access log in JSON on request; the Admin API's own access and error logs.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { connect as h2connect } from 'node:http2';
import { connect, createServer as createNetServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { BIN, loopbackConf, ROOT, startNode, stopNode, tempPrefix, writeConf, type RunningNode } from '../support/cli-node';
import { http } from '../support/http';
import { waitFor } from '../support/wait';
import { guardPipes } from '../support/child-pipes';

jest.setTimeout(90_000);

const readLines = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : []);

describe('proxy_access_log_format = json, admin_access_log and admin_error_log', () => {
  let node: RunningNode;
  let prefix: string;

  beforeAll(async () => {
    prefix = tempPrefix();
    const conf = writeConf(prefix, loopbackConf(prefix, {
      proxy_access_log_format: 'json',
      admin_access_log: 'logs/admin-requests.log',
      admin_error_log: 'logs/admin-errors.log',
      log_level: 'info',
    }));
    node = await startNode(['-c', conf, '-p', prefix]);
  });
  afterAll(async () => { if (node) await stopNode(node); });

  it('writes one JSON object per proxied request', async () => {
    await http('GET', `http://127.0.0.1:${node.port('proxy_listen')}/json-logged?x=1`);
    const entry = await waitFor(async () => readLines(join(prefix, 'logs', 'access.log')).map((l) => JSON.parse(l)).find((e) => e.request.uri === '/json-logged?x=1'), 'the JSON access line');
    expect(entry).toMatchObject({ client_ip: '127.0.0.1', request: { method: 'GET' }, response: { status: 404 } });
    expect(entry.request_id).toMatch(/^[0-9a-f]{32}$/);
  });

  it("writes every Admin API request to admin_access_log in nginx's combined format, refused ones included", async () => {
    await http('GET', `http://127.0.0.1:${node.port('admin_listen')}/services?size=1`, { headers: { 'user-agent': 'ops/1', referer: 'http://gui.local/' } });
    await http('GET', `http://127.0.0.1:${node.port('admin_listen')}/no-such-thing`);
    const file = join(prefix, 'logs', 'admin-requests.log');
    await waitFor(async () => (readLines(file).length >= 2 ? true : undefined), 'two admin access lines');
    const lines = readLines(file);
    expect(lines.find((l) => l.includes('/services?size=1'))).toMatch(/^127\.0\.0\.1 - - \[[^\]]+\] "GET \/services\?size=1 HTTP\/1\.1" 200 \d+ "http:\/\/gui\.local\/" "ops\/1"$/);
    expect(lines.find((l) => l.includes('/no-such-thing'))).toMatch(/"GET \/no-such-thing HTTP\/1\.1" 404 \d+ "-" "-"$/);
    expect(readLines(join(prefix, 'logs', 'access.log')).some((l) => l.includes('/services?size=1'))).toBe(false);
  });

  it("writes the control plane's log lines to admin_error_log, the proxy's to proxy_error_log", async () => {
    const admin = await waitFor(async () => {
      const lines = readLines(join(prefix, 'logs', 'admin-errors.log')).map((l) => JSON.parse(l));
      return lines.some((l) => l.msg === 'admin API listening') ? lines : undefined;
    }, 'the admin log line');
    expect(admin.every((l) => l.name === 'tollgate-admin' && typeof l.level === 'string')).toBe(true);
    const proxy = readLines(join(prefix, 'logs', 'error.log')).map((l) => JSON.parse(l));
    expect(proxy.some((l) => String(l.msg).startsWith('tollgate started'))).toBe(true);
    expect(proxy.some((l) => l.msg === 'admin API listening')).toBe(false);
  });
});

describe('console logs', () => {
  it('are JSON lines with the level as a word when stderr is not a terminal', async () => {
    const prefix = tempPrefix();
    const node = await startNode(['-c', writeConf(prefix, loopbackConf(prefix)), '-p', prefix]);
    try {
      const started = node.logs.map((l) => JSON.parse(l)).find((l) => String(l.msg).startsWith('tollgate started'));
      expect(started).toMatchObject({ level: 'notice', name: 'tollgate', role: 'traditional' });
    } finally {
      await stopNode(node);
    }
  });

  it('are human-readable on a terminal: time, level, message, key=value fields', async () => {
    const prefix = tempPrefix();
    const conf = writeConf(prefix, loopbackConf(prefix));
    // script(1) gives the node a pseudo-terminal; its output is what a person at that terminal would read
    const child = guardPipes(spawn('script', ['-qfec', `${process.execPath} ${BIN} start -c ${conf} -p ${prefix}`, '/dev/null'], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] }));
    let screen = '';
    child.stdout.on('data', (chunk) => (screen += chunk.toString()));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      await waitFor(async () => (screen.includes('tollgate started') ? true : undefined), 'the start line on the terminal', 60_000);
      const line = screen.split(/\r?\n/).find((l) => l.includes('tollgate started'))!;
      expect(line).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z notice tollgate started \\(role traditional, prefix ${prefix}\\) role=traditional prefix=${prefix}$`));
      expect(screen).not.toContain('{"level"');
    } finally {
      child.stdin.write('\x03'); // Ctrl-C at the terminal: the node stops gracefully
      await exited;
    }
  });

  it('are JSON lines on a terminal too with log_format = json', async () => {
    const prefix = tempPrefix();
    const conf = writeConf(prefix, loopbackConf(prefix, { log_format: 'json' }));
    const child = guardPipes(spawn('script', ['-qfec', `${process.execPath} ${BIN} start -c ${conf} -p ${prefix}`, '/dev/null'], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] }));
    let screen = '';
    child.stdout.on('data', (chunk) => (screen += chunk.toString()));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      await waitFor(async () => (screen.includes('tollgate started') ? true : undefined), 'the start line on the terminal', 60_000);
      const line = screen.split(/\r?\n/).find((l) => l.includes('tollgate started'))!;
      expect(JSON.parse(line)).toMatchObject({ level: 'notice', name: 'tollgate', role: 'traditional', prefix });
    } finally {
      child.stdin.write('\x03');
      await exited;
    }
  });
});

describe('stream sessions in the access log', () => {
  it("are written in nginx's stream `basic` format by default, as Kong logs them", async () => {
    const echo = createNetServer((socket) => socket.on('error', () => undefined).pipe(socket));
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    const prefix = tempPrefix();
    const node = await startNode(['-c', writeConf(prefix, loopbackConf(prefix, { stream_listen: '127.0.0.1:0' })), '-p', prefix]);
    try {
      const adminUrl = `http://127.0.0.1:${node.port('admin_listen')}`;
      expect((await http('POST', `${adminUrl}/services`, { body: { name: 'echo', protocol: 'tcp', host: '127.0.0.1', port: (echo.address() as AddressInfo).port } })).status).toBe(201);
      expect((await http('POST', `${adminUrl}/services/echo/routes`, { body: { protocols: ['tcp'], destinations: [{ ip: '127.0.0.1' }] } })).status).toBe(201);
      const reply = await waitFor(async () => {
        const received = await new Promise<string>((resolve) => {
          const c = connect(node.port('stream_listen'), '127.0.0.1', () => c.end('hello stream'));
          let data = '';
          c.on('data', (chunk) => (data += chunk));
          c.on('close', () => resolve(data));
          c.on('error', () => resolve(''));
        });
        return received === 'hello stream' ? received : undefined;
      }, 'the tcp route on the data plane');
      expect(reply).toBe('hello stream');
      const line = await waitFor(async () => readLines(join(prefix, 'logs', 'access.log')).find((l) => / TCP 200 /.test(l)), 'the stream access line');
      expect(line).toMatch(/^127\.0\.0\.1 \[\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\] TCP 200 12 12 \d+\.\d{3}$/);
    } finally {
      await stopNode(node);
      echo.close();
    }
  });
});

describe("HTTP/2 requests in Kong's access-log format", () => {
  /** A node with an `http2 ssl` proxy listener, an h2 session to it and an upstream to route to. */
  async function h2Node(extra: Record<string, string>) {
    const upstream = createHttpServer((_req, res) => res.end('from the upstream'));
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const prefix = tempPrefix();
    const node = await startNode(['-c', writeConf(prefix, loopbackConf(prefix, { proxy_listen: '127.0.0.1:0 http2 ssl', ...extra })), '-p', prefix]);
    const session = h2connect(`https://127.0.0.1:${node.port('proxy_listen')}`, { rejectUnauthorized: false });
    session.on('error', () => undefined);
    const get = (path: string, headers: Record<string, string> = {}) => new Promise<{ status: number; body: string; id: string }>((resolve, reject) => {
      const stream = session.request({ ':path': path, 'user-agent': 'h2-client/1.0', ...headers });
      let status = 0;
      let id = '';
      let body = '';
      stream.on('response', (h) => { status = Number(h[':status']); id = String(h['x-kong-request-id']); });
      stream.on('data', (c) => (body += c));
      stream.on('end', () => resolve({ status, body, id }));
      stream.on('error', reject);
    });
    /** A route /h2-up to the upstream, answering through the proxy. */
    const route = async () => {
      const admin = `http://127.0.0.1:${node.port('admin_listen')}`;
      expect((await http('POST', `${admin}/services`, { body: { name: 'up', url: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}` } })).status).toBe(201);
      expect((await http('POST', `${admin}/services/up/routes`, { body: { paths: ['/h2-up'] } })).status).toBe(201);
      return waitFor(async () => { const r = await get('/h2-up'); return r.status === 200 ? r : undefined; }, 'the route on the proxy');
    };
    const close = async () => {
      session.destroy();
      await stopNode(node);
      upstream.close();
    };
    return { prefix, get, route, close };
  }

  it('carry the client address (after the realip rewrite, as nginx) and the body bytes sent, for the gateway\'s own answers and proxied ones', async () => {
    const { prefix, get, route, close } = await h2Node({ trusted_ips: '127.0.0.1' });
    const lineOf = (id: string) => waitFor(async () => readLines(join(prefix, 'logs', 'access.log')).find((l) => l.endsWith(`kong_request_id: "${id}"`)), `the access line of ${id}`);
    try {
      const miss = await get('/h2-nothing?x=1');
      expect(miss.status).toBe(404);
      expect(await lineOf(miss.id)).toMatch(new RegExp(`^127\\.0\\.0\\.1 - - \\[[^\\]]+\\] "GET /h2-nothing\\?x=1 HTTP/2\\.0" 404 ${Buffer.byteLength(miss.body)} "-" "h2-client/1\\.0" kong_request_id: "${miss.id}"$`));

      // the peer is in trusted_ips: $remote_addr is what real_ip_header (X-Real-IP) says, as nginx's realip module
      const relayed = await get('/h2-relayed', { 'x-real-ip': '203.0.113.9' });
      expect(await lineOf(relayed.id)).toMatch(/^203\.0\.113\.9 - - \[[^\]]+\] "GET \/h2-relayed HTTP\/2\.0" 404 /);

      const proxied = await route();
      expect(await lineOf(proxied.id)).toMatch(new RegExp(`^127\\.0\\.0\\.1 - - \\[[^\\]]+\\] "GET /h2-up HTTP/2\\.0" 200 ${Buffer.byteLength('from the upstream')} "-" "h2-client/1\\.0" kong_request_id: "${proxied.id}"$`));
    } finally {
      await close();
    }
  });

  it('in proxy_access_log_format = json, response.size is the body sent, for the gateway\'s own answers and proxied ones', async () => {
    const { prefix, get, route, close } = await h2Node({ proxy_access_log_format: 'json' });
    const entryOf = (id: string) => waitFor(async () => readLines(join(prefix, 'logs', 'access.log')).map((l) => JSON.parse(l)).find((e) => e.request_id === id), `the access line of ${id}`);
    try {
      const miss = await get('/h2-nothing');
      expect(miss.status).toBe(404);
      expect((await entryOf(miss.id)).response).toEqual({ status: 404, size: Buffer.byteLength(miss.body) });
      const proxied = await route();
      expect((await entryOf(proxied.id)).response).toEqual({ status: 200, size: Buffer.byteLength('from the upstream') });
    } finally {
      await close();
    }
  });
});

// Plugins on a real node (`tollgate start`): Admin API validation, key-auth and rate-limiting on live traffic,
// and the prometheus scrape on the status listener aggregated across data-plane workers.
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { http } from '../support/http';
import { waitFor } from '../support/wait';
import { loopbackConf, startNode, stopNode, tempPrefix, writeConf, type RunningNode } from '../support/cli-node';


describe('plugins on a running node', () => {
  let node: RunningNode;
  let upstream: Server;
  let admin: string;
  let proxy: string;

  beforeAll(async () => {
    upstream = createServer((req, res) => res.end(JSON.stringify({ path: req.url, consumer: req.headers['x-consumer-username'] ?? null })));
    // WebSocket-style upgrades: answer 101 and report the consumer the gateway authenticated.
    upstream.on('upgrade', (req, socket) => {
      socket.on('error', () => undefined);
      socket.end(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nX-Seen-Consumer: ${req.headers['x-consumer-username'] ?? 'none'}\r\n\r\n`);
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', () => r()));
    const prefix = tempPrefix();
    node = await startNode(['-c', writeConf(prefix, loopbackConf(prefix, { worker_processes: '2' })), '-p', prefix]);
    admin = `http://127.0.0.1:${node.port('admin_listen')}`;
    proxy = `http://127.0.0.1:${node.port('proxy_listen')}`;
    const port = (upstream.address() as import('node:net').AddressInfo).port;
    expect((await http('POST', `${admin}/services`, { body: { name: 'echo', url: `http://127.0.0.1:${port}` } })).status).toBe(201);
    expect((await http('POST', `${admin}/services/echo/routes`, { body: { name: 'r', paths: ['/echo'] } })).status).toBe(201);
    expect((await http('POST', `${admin}/consumers`, { body: { username: 'alice' } })).status).toBe(201);
    expect((await http('POST', `${admin}/consumers/alice/key-auth`, { body: { key: 'alice-key' } })).status).toBe(201);
    expect((await http('POST', `${admin}/routes/r/plugins`, { body: { name: 'key-auth' } })).status).toBe(201);
    expect((await http('POST', `${admin}/routes/r/plugins`, { body: { name: 'rate-limiting', config: { minute: 1000, policy: 'local' } } })).status).toBe(201);
    expect((await http('POST', `${admin}/plugins`, { body: { name: 'prometheus', config: { status_code_metrics: true, latency_metrics: true } } })).status).toBe(201);
  });
  afterAll(async () => {
    if (node) await stopNode(node);
    await new Promise<void>((r) => upstream.close(() => r()));
  });

  it('POST /plugins rejects a config that breaks a cross-field rule, as Kong does', async () => {
    const r = await http('POST', `${admin}/plugins`, { body: { name: 'rate-limiting', config: { policy: 'local' } } });
    expect(r.status).toBe(400);
    expect(r.json.code).toBe(2);
    expect(r.json.name).toBe('schema violation');
    // Kong's plugin schemas declare these checks at the plugin level, so they land in fields['@entity'].
    expect(r.json.fields['@entity'][0]).toMatch(/^at least one of these fields must be non-empty: 'config\.second', 'config\.minute'/);
  });

  // Kong's `consumer = typedefs.no_consumer`: authentication plugins (and cors) cannot be scoped to a consumer
  it.each(['key-auth', 'basic-auth', 'jwt', 'acl', 'cors'])('POST /plugins rejects %s scoped to a consumer', async (name) => {
    const config = name === 'acl' ? { allow: ['admins'] } : undefined;
    const r = await http('POST', `${admin}/consumers/alice/plugins`, { body: { name, config } });
    expect(r.status).toBe(400);
    expect(r.json).toEqual({ code: 2, name: 'schema violation', message: 'schema violation (consumer: value must be null)', fields: { consumer: 'value must be null' } });
  });

  it('POST /plugins scopes a plugin without that rule to a consumer', async () => {
    const r = await http('POST', `${admin}/consumers/alice/plugins`, { body: { name: 'request-size-limiting' } });
    expect(r.status).toBe(201);
    expect((await http('DELETE', `${admin}/plugins/${r.json.id}`)).status).toBe(204);
  });

  it('POST /plugins rejects a plugin that is not enabled', async () => {
    const r = await http('POST', `${admin}/plugins`, { body: { name: 'no-such-plugin' } });
    expect(r.status).toBe(400);
    expect(r.json.fields).toEqual({ name: "plugin 'no-such-plugin' not enabled; add it to the 'plugins' configuration property" });
  });

  it('key-auth answers 401 without a key and proxies with one, adding the consumer headers', async () => {
    const denied = await waitFor(async () => {
      const r = await http('GET', `${proxy}/echo/x`);
      return r.status === 401 ? r : undefined;
    }, 'the key-auth plugin to apply');
    expect(denied.json.message).toBe('No API key found in request');
    const ok = await http('GET', `${proxy}/echo/x`, { headers: { apikey: 'alice-key' } });
    expect(ok.status).toBe(200);
    expect(ok.json).toEqual({ path: '/x', consumer: 'alice' });
    expect(ok.headers['x-ratelimit-limit-minute']).toBe('1000');
    expect(Number(ok.headers['x-ratelimit-remaining-minute'])).toBeLessThan(1000);
  });

  it('an Upgrade (WebSocket) request goes through the same plugins: 401 without a key, tunnel with one', async () => {
    const upgrade = (headers: Record<string, string>) =>
      new Promise<string>((resolve, reject) => {
        const sock = connect(node.port('proxy_listen'), '127.0.0.1');
        let text = '';
        sock.on('data', (c) => (text += c.toString()));
        sock.on('close', () => resolve(text));
        sock.on('error', reject);
        const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
        sock.write(`GET /echo/ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`);
        setTimeout(() => sock.destroy(), 3000);
      });
    const denied = await upgrade({});
    expect(denied).toMatch(/^HTTP\/1\.1 401 /);
    expect(denied).toContain('No API key found in request');
    expect(denied).not.toContain('101');
    const allowed = await upgrade({ apikey: 'alice-key' });
    expect(allowed).toMatch(/^HTTP\/1\.1 101 /);
    expect(allowed).toMatch(/X-Seen-Consumer: alice/i);
  });

  it('GET /metrics on the status listener sums the workers\' prometheus counters', async () => {
    await waitFor(async () => {
      const r = await http('GET', `${proxy}/echo/m`, { headers: { apikey: 'alice-key' } });
      return r.headers['x-ratelimit-limit-minute'] ? r : undefined;
    }, 'the plugins to apply');
    await http('GET', `${proxy}/echo/m`); // a 401
    // New connections each time (agent: false): with 2 workers, requests land on both.
    for (let i = 0; i < 6; i++) await http('GET', `${proxy}/echo/m`, { headers: { apikey: 'alice-key' } });
    const count = (text: string, code: string) =>
      [...text.matchAll(new RegExp(`kong_http_requests_total\\{[^}]*code="${code}"[^}]*\\} ([0-9]+)`, 'g'))].reduce((n, m) => n + Number(m[1]), 0);
    const scrape = await waitFor(async () => {
      const r = await http('GET', `http://127.0.0.1:${node.port('status_listen')}/metrics`);
      return count(r.text, '200') >= 7 ? r : undefined;
    }, 'the 200s to show in the scrape');
    expect(scrape.status).toBe(200);
    expect(scrape.headers['content-type']).toContain('text/plain');
    expect(scrape.text).toContain('# TYPE kong_http_requests_total counter');
    expect(count(scrape.text, '401')).toBeGreaterThanOrEqual(1);
    expect(scrape.text).toMatch(/^kong_datastore_reachable 1$/m);
    // Kong's bucket labels, zero-padded, so dashboards built for Kong keep matching.
    expect(scrape.text).toMatch(/^kong_request_latency_ms_bucket\{[^}]*le="00001\.0"\} \d+$/m);
    expect(scrape.text).toMatch(/^kong_node_info\{node_id="[0-9a-f-]{36}",version="3\.\d+\.\d+"\} 1$/m);
  });
});

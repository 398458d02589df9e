// Kong keys that Tollgate honours for upstream traffic, through the real `tollgate start`: dns_resolver and
// dns_hostsfile for the targets of upstream entities, lua_ssl_trusted_certificate for upstream TLS verification.
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { issueCertificate } from '@tollgate/pki';
import { loopbackConf, startNode, stopNode, tempPrefix, writeConf, type RunningNode } from '../support/cli-node';
import { startDnsServer, type TestDnsServer } from '../support/dns-server';
import { http } from '../support/http';
import { waitFor } from '../support/wait';

jest.setTimeout(90_000);

const listen = async (server: Server): Promise<number> => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
};

/** One port on both loopbacks: the answer says which address family the gateway connected to. */
async function listenDual(servers: Server[]): Promise<number> {
  const v4 = createHttpServer((_req, res) => res.end('over IPv4'));
  const v6 = createHttpServer((_req, res) => res.end('over IPv6'));
  const port = await listen(v4);
  await new Promise<void>((resolve) => v6.listen(port, '::1', resolve));
  servers.push(v4, v6);
  return port;
}

describe('dns_resolver, dns_hostsfile and lua_ssl_trusted_certificate', () => {
  let node: RunningNode;
  let dns: TestDnsServer;
  const servers: Server[] = [];
  let backendPort: number;
  let trustedPort: number;
  let untrustedPort: number;
  let dualPort: number;
  const admin = (path: string, body: unknown) => http('POST', `http://127.0.0.1:${node.port('admin_listen')}${path}`, { body });
  const proxied = (path: string) => waitFor(async () => {
    const r = await http('GET', `http://127.0.0.1:${node.port('proxy_listen')}${path}`);
    return r.status === 404 ? undefined : r; // 404 until the data plane has the route
  }, `the route ${path}`);

  beforeAll(async () => {
    const dir = tempPrefix();
    const backend = createHttpServer((req, res) => res.end(`backend saw ${req.url}`));
    backendPort = await listen(backend);
    const trustedCa = issueCertificate({ commonName: 'Operator CA', isCa: true });
    const otherCa = issueCertificate({ commonName: 'Unknown CA', isCa: true });
    const https = (ca: typeof trustedCa) => {
      const leaf = issueCertificate({ commonName: 'localhost', altNames: ['localhost', '127.0.0.1'], issuer: ca, usage: 'server' });
      return createHttpsServer({ cert: leaf.cert, key: leaf.key }, (_req, res) => res.end('tls ok')) as unknown as Server;
    };
    const trusted = https(trustedCa);
    const untrusted = https(otherCa);
    trustedPort = await listen(trusted);
    untrustedPort = await listen(untrusted);
    servers.push(backend, trusted, untrusted);

    dns = await startDnsServer(
      { 'dns-backend.tollgate.test': '127.0.0.1', 'dual.tollgate.test': ['127.0.0.1', '::1'], 'slow.tollgate.test': '127.0.0.1' },
      { delayMs: { 'slow.tollgate.test': 400 }, srv: { 'srv-backend.tollgate.test': [{ target: 'dns-backend.tollgate.test', port: backendPort }] } },
    );
    dualPort = await listenDual(servers);
    writeFileSync(join(dir, 'ca.pem'), trustedCa.cert);
    writeFileSync(join(dir, 'hosts'), '# test hosts file\n127.0.0.1   hosts-backend.tollgate.test  alias.tollgate.test\n');
    const conf = writeConf(dir, loopbackConf(dir, {
      dns_resolver: `127.0.0.1:${dns.port}`,
      dns_hostsfile: join(dir, 'hosts'),
      lua_ssl_trusted_certificate: join(dir, 'ca.pem'),
    }));
    node = await startNode(['-c', conf, '-p', dir]);
  });

  afterAll(async () => {
    if (node) await stopNode(node);
    await dns?.close();
    for (const s of servers) s.close();
  });

  it('resolves an upstream target through the name server of dns_resolver', async () => {
    expect((await admin('/upstreams', { name: 'via-dns' })).status).toBe(201);
    expect((await admin('/upstreams/via-dns/targets', { target: `dns-backend.tollgate.test:${backendPort}` })).status).toBe(201);
    expect((await admin('/services', { name: 'via-dns', host: 'via-dns' })).status).toBe(201);
    expect((await admin('/services/via-dns/routes', { paths: ['/dns'] })).status).toBe(201);
    const r = await proxied('/dns/x');
    expect([r.status, r.text]).toEqual([200, 'backend saw /x']);
    expect(dns.asked).toContain('dns-backend.tollgate.test');
  });

  it('a new target whose name resolves slowly: its first requests wait for the answer (no 503), and later changes never drop it', async () => {
    expect((await admin('/upstreams', { name: 'slow-dns' })).status).toBe(201);
    expect((await admin('/upstreams/slow-dns/targets', { target: `slow.tollgate.test:${backendPort}` })).status).toBe(201);
    expect((await admin('/services', { name: 'slow-dns', host: 'slow-dns' })).status).toBe(201);
    expect((await admin('/services/slow-dns/routes', { paths: ['/slow-dns'] })).status).toBe(201);
    const first = await proxied('/slow-dns/first');
    expect([first.status, first.text]).toEqual([200, 'backend saw /first']);
    // every configuration change rebuilds the balancer: the name it already resolved must keep answering meanwhile
    const statuses: number[] = [];
    let stop = false;
    const load = (async () => {
      while (!stop) statuses.push((await http('GET', `http://127.0.0.1:${node.port('proxy_listen')}/slow-dns/again`)).status);
    })();
    for (let i = 0; i < 3; i++) {
      expect((await admin('/services', { name: `unrelated-${i}`, host: 'unrelated.test' })).status).toBe(201);
      await new Promise((r) => setTimeout(r, 300));
    }
    stop = true;
    await load;
    expect(statuses.length).toBeGreaterThan(3);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
  });

  it('dns_order LAST,SRV,A,CNAME (the default): a name with A and AAAA records is reached over IPv4, AAAA never asked', async () => {
    expect((await admin('/upstreams', { name: 'dual-default' })).status).toBe(201);
    expect((await admin('/upstreams/dual-default/targets', { target: `dual.tollgate.test:${dualPort}` })).status).toBe(201);
    expect((await admin('/services', { name: 'dual-default', host: 'dual-default' })).status).toBe(201);
    expect((await admin('/services/dual-default/routes', { paths: ['/dual-default'] })).status).toBe(201);
    const r = await proxied('/dual-default');
    expect([r.status, r.text]).toEqual([200, 'over IPv4']);
    const asked = dns.questions.filter((q) => q.endsWith(' dual.tollgate.test'));
    expect(asked).toContain('A dual.tollgate.test');
    expect(asked).not.toContain('AAAA dual.tollgate.test');
  });

  it('resolves a service host that is no upstream entity through dns_resolver too (as Kong: one DNS client)', async () => {
    expect((await admin('/services', { name: 'plain-host', url: `http://dns-backend.tollgate.test:${backendPort}` })).status).toBe(201);
    expect((await admin('/services/plain-host/routes', { paths: ['/plain-host'] })).status).toBe(201);
    const r = await proxied('/plain-host/z');
    expect([r.status, r.text]).toEqual([200, 'backend saw /z']);
    // a name no server knows: Kong's answer for a failed resolution
    expect((await admin('/services', { name: 'nowhere', url: 'http://nowhere.tollgate.test:80' })).status).toBe(201);
    expect((await admin('/services/nowhere/routes', { paths: ['/nowhere'] })).status).toBe(201);
    const miss = await proxied('/nowhere');
    expect([miss.status, miss.json]).toEqual([503, { message: 'name resolution failed', request_id: expect.any(String) }]);
  });

  it('a service host answered by SRV records (Consul style) is reached on the record\'s port, not the service\'s', async () => {
    // port 9 (discard) has no listener: only the SRV record's port reaches the backend
    expect((await admin('/services', { name: 'srv-host', url: 'http://srv-backend.tollgate.test:9' })).status).toBe(201);
    expect((await admin('/services/srv-host/routes', { paths: ['/srv-host'] })).status).toBe(201);
    const first = await proxied('/srv-host/a');
    expect([first.status, first.text]).toEqual([200, 'backend saw /a']);
    expect(dns.questions).toContain('SRV srv-backend.tollgate.test');
    const again = await http('GET', `http://127.0.0.1:${node.port('proxy_listen')}/srv-host/b`);
    expect([again.status, again.text]).toEqual([200, 'backend saw /b']);
  });

  it('kong.service.set_target to a name answered by SRV records reaches the record\'s address and port', async () => {
    // the service's own address and set_target's port 9 have no listener: only the SRV record reaches the backend
    expect((await admin('/services', { name: 'srv-target', url: 'http://127.0.0.1:9' })).status).toBe(201);
    expect((await admin('/services/srv-target/routes', { name: 'srv-target', paths: ['/srv-target'] })).status).toBe(201);
    const pre = { name: 'pre-function', config: { access: ['kong.service.set_target("srv-backend.tollgate.test", 9)'] } };
    expect((await admin('/routes/srv-target/plugins', pre)).status).toBe(201);
    const r = await waitFor(async () => {
      const res = await http('GET', `http://127.0.0.1:${node.port('proxy_listen')}/srv-target/c`);
      return res.status === 200 ? res : undefined; // 404 before the route, 502 before the plugin reaches the data plane
    }, 'the set_target route');
    expect(r.text).toBe('backend saw /c');
  });

  it('answers an upstream target from dns_hostsfile before asking any name server', async () => {
    expect((await admin('/upstreams', { name: 'via-hosts' })).status).toBe(201);
    expect((await admin('/upstreams/via-hosts/targets', { target: `alias.tollgate.test:${backendPort}` })).status).toBe(201);
    expect((await admin('/services', { name: 'via-hosts', host: 'via-hosts' })).status).toBe(201);
    expect((await admin('/services/via-hosts/routes', { paths: ['/hosts'] })).status).toBe(201);
    const r = await proxied('/hosts/y');
    expect([r.status, r.text]).toEqual([200, 'backend saw /y']);
    expect(dns.asked).not.toContain('alias.tollgate.test');
  });

  it('verifies upstream TLS against lua_ssl_trusted_certificate when a service has no ca_certificates', async () => {
    expect((await admin('/services', { name: 'trusted', url: `https://localhost:${trustedPort}`, tls_verify: true, retries: 0 })).status).toBe(201);
    expect((await admin('/services/trusted/routes', { paths: ['/trusted'] })).status).toBe(201);
    expect((await admin('/services', { name: 'untrusted', url: `https://localhost:${untrustedPort}`, tls_verify: true, retries: 0 })).status).toBe(201);
    expect((await admin('/services/untrusted/routes', { paths: ['/untrusted'] })).status).toBe(201);
    const ok = await proxied('/trusted');
    expect([ok.status, ok.text]).toEqual([200, 'tls ok']);
    const refused = await proxied('/untrusted');
    expect(refused.status).toBe(502);
  });
});

describe('dns_order = AAAA,A', () => {
  it('reaches a name with A and AAAA records over IPv6', async () => {
    const servers: Server[] = [];
    const port = await listenDual(servers);
    const dns = await startDnsServer({ 'dual.tollgate.test': ['127.0.0.1', '::1'] });
    const dir = tempPrefix();
    const node = await startNode(['-c', writeConf(dir, loopbackConf(dir, { dns_resolver: `127.0.0.1:${dns.port}`, dns_order: 'AAAA,A' })), '-p', dir]);
    try {
      const admin = (path: string, body: unknown) => http('POST', `http://127.0.0.1:${node.port('admin_listen')}${path}`, { body });
      expect((await admin('/upstreams', { name: 'dual' })).status).toBe(201);
      expect((await admin('/upstreams/dual/targets', { target: `dual.tollgate.test:${port}` })).status).toBe(201);
      expect((await admin('/services', { name: 'dual', host: 'dual' })).status).toBe(201);
      expect((await admin('/services/dual/routes', { paths: ['/dual'] })).status).toBe(201);
      const r = await waitFor(async () => {
        const res = await http('GET', `http://127.0.0.1:${node.port('proxy_listen')}/dual`);
        return res.status === 404 ? undefined : res; // 404 until the data plane has the route
      }, 'the route /dual');
      expect([r.status, r.text]).toEqual([200, 'over IPv6']);
    } finally {
      await stopNode(node);
      await dns.close();
      for (const s of servers) s.close();
    }
  });
});


// acme on real nodes against a real ACME server (Debian's pebble): HTTP-01 challenges answered on the proxy's
// http port, certificates ordered through POST /acme and by a handshake naming an unknown host, then served by SNI
// on the proxy's https port (verified up to pebble's root), renewal, Kong's /acme endpoints and schema checks.
// storage kong (traditional node, SQLite: certificates saved as certificates + snis rows) and shm (DB-less node:
// the certificate is kept in the node's memory and served by the plugin's certificate phase), and redis.
import { X509Certificate, generateKeyPairSync } from 'node:crypto';
import { connect, type PeerCertificate } from 'node:tls';
import Redis from 'ioredis';
import { startAuthNode, type AuthNode } from './auth/node-kit';
import { startPebble, pebbleTlsMaterial, type Pebble } from './support/pebble';
import { stopNode, tempPrefix, type RunningNode } from '../support/cli-node';
import { clusterCertificate, startControlPlane, startDataPlane, startUpstream } from '../hybrid/hybrid-support';
import { http } from '../support/http';
import { waitFor } from '../support/wait';

jest.setTimeout(240_000);

interface Served {
  readonly cert: PeerCertificate;
  /** The chain verifies up to the root given. */
  readonly trusted: boolean;
  readonly error: string | null;
}

/** One TLS handshake on the proxy's https port naming `servername`; verification against `root` only. */
function handshake(port: number, servername: string, root: string): Promise<Served> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, servername, ca: [root], rejectUnauthorized: false }, () => {
      const served = { cert: socket.getPeerCertificate(), trusted: socket.authorized, error: socket.authorizationError ? String(socket.authorizationError) : null };
      socket.end();
      resolve(served);
    });
    socket.on('error', reject);
  });
}

const wellKnown = (proxy: string, host: string, token: string) => http('GET', `${proxy}/.well-known/acme-challenge/${token}`, { headers: { host } });

describe('acme, storage kong (traditional node)', () => {
  const dir = tempPrefix();
  const tls = pebbleTlsMaterial(dir);
  let kit: AuthNode;
  let pebble: Pebble;
  let root: string;
  let httpsPort: number;
  const config = () => ({
    account_email: 'ops@acme.test', api_uri: pebble.directory, storage: 'kong', rsa_key_size: 2048,
    domains: ['a.acme.test', 'b.acme.test', '*.wild.acme.test', 'nodns.acme.test'],
    // every stored certificate is due: PATCH /acme renews it now
    renew_threshold_days: 100000,
  });

  beforeAll(async () => {
    kit = await startAuthNode({
      proxy_listen: '127.0.0.1:0, 127.0.0.1:0 ssl',
      database: 'sqlite',
      lua_ssl_trusted_certificate: tls.caFile,
    });
    httpsPort = kit.node.port('proxy_listen', 1);
    pebble = await startPebble(dir, tls, kit.node.port('proxy_listen', 0), ['a.acme.test', 'b.acme.test', 'x.wild.acme.test', 'other.test']);
    root = await pebble.root();
    // Kong's acme answers challenges in access: a route must match the validation requests
    await kit.must('POST', '/services', { name: 'echo', url: `http://127.0.0.1:${kit.upstreamPort}` }, 201);
    await kit.must('POST', '/services/echo/routes', { name: 'all', paths: ['/'] }, 201);
  }, 120_000);
  afterAll(async () => {
    await kit?.close();
    await pebble?.close();
  });

  it('POST /plugins: only global, Kong\'s checks, unsupported storages named', async () => {
    const scoped = await kit.adminCall('POST', '/routes/all/plugins', { name: 'acme', config: { account_email: 'ops@acme.test' } });
    expect(scoped.status).toBe(400);
    expect(scoped.json.fields).toEqual({ route: 'value must be null' });
    const tos = await kit.adminCall('POST', '/plugins', { name: 'acme', config: { account_email: 'ops@acme.test', api_uri: 'https://acme-v02.api.letsencrypt.org' } });
    expect(tos.status).toBe(400);
    expect(tos.json.fields).toEqual({
      '@entity': ['terms of service must be accepted, see https://letsencrypt.org/repository/'],
      config: { tos_accepted: 'value must be true' },
    });
    const email = await kit.adminCall('POST', '/plugins', { name: 'acme', config: { account_email: 'notaemail' } });
    expect(email.json.fields).toEqual({ config: { account_email: 'invalid value: notaemail' } });
    const redis = await kit.adminCall('POST', '/plugins', { name: 'acme', config: { account_email: 'ops@acme.test', storage: 'redis', storage_config: { redis: {} } } });
    expect(redis.json.fields).toEqual({
      '@entity': ["failed conditional validation given value of field 'config.storage'"],
      config: { storage_config: { redis: { host: 'required field missing' } } },
    });
    const consul = await kit.adminCall('POST', '/plugins', { name: 'acme', config: { account_email: 'ops@acme.test', storage: 'consul' } });
    expect(consul.status).toBe(400);
    expect(consul.json.fields).toEqual({ config: { storage: 'storage "consul" is not supported by Tollgate; use one of: kong, shm, redis' } });
  });

  it('GET /acme/certificates before the plugin exists: 404 with a JSON body', async () => {
    const res = await kit.adminCall('GET', '/acme/certificates');
    expect(res.status).toBe(404);
    expect(res.json).toEqual({ message: 'Not found' });
  });

  it('GET /schemas/plugins/acme: Kong\'s defaults', async () => {
    const body = await kit.must('GET', '/schemas/plugins/acme', undefined, 200);
    const f = Object.assign({}, ...body.fields.find((x: Record<string, unknown>) => 'config' in x).config.fields);
    expect(f.storage).toMatchObject({ default: 'shm', one_of: ['kong', 'shm', 'redis', 'consul', 'vault'] });
    expect(f.api_uri.default).toBe('https://acme-v02.api.letsencrypt.org/directory');
    expect(f.rsa_key_size).toMatchObject({ default: 4096, one_of: [2048, 3072, 4096] });
    expect(f.renew_threshold_days.default).toBe(14);
    expect(f.fail_backoff_minutes.default).toBe(5);
    expect(f.cert_type).toMatchObject({ default: 'rsa', one_of: ['rsa', 'ecc'] });
    const enabled = await kit.must('GET', '/', undefined, 200);
    expect(enabled.plugins.available_on_server.acme).toMatchObject({ priority: 1705 });
  });

  describe('with the plugin', () => {
    beforeAll(async () => {
      await kit.must('POST', '/plugins', { name: 'acme', config: config() }, 201);
      // configured on the proxy: the sanity token answers
      await kit.until('GET', '/.well-known/acme-challenge/x', (r) => r.status === 404 && r.text === 'Not found\n', { headers: { host: 'a.acme.test' } });
    });

    it('GET /.well-known/acme-challenge/...: the sanity token, unknown tokens, hosts outside domains', async () => {
      const sanity = await wellKnown(kit.proxy, 'a.acme.test', 'x');
      expect([sanity.status, sanity.text]).toEqual([404, 'Not found\n']);
      const unknown = await wellKnown(kit.proxy, 'a.acme.test', 'no-such-token');
      expect(unknown.status).toBe(404);
      expect(unknown.json).toMatchObject({ message: 'Not found' });
      // not in domains: proxied like any request
      const other = await wellKnown(kit.proxy, 'other.test', 'x');
      expect(other.status).toBe(200);
      expect(other.json.path).toBe('/.well-known/acme-challenge/x');
    });

    it('POST /acme: Kong\'s refusals', async () => {
      expect(await kit.adminCall('POST', '/acme', {})).toMatchObject({ status: 400, json: { message: 'host must be provided and containing a single domain' } });
      expect(await kit.adminCall('POST', '/acme', { host: 'a.acme.test:80' })).toMatchObject({ status: 400, json: { message: 'port is not allowed in host' } });
      expect(await kit.adminCall('POST', '/acme', { host: 'other.test', test_http_challenge_flow: true })).toMatchObject({
        status: 400, json: { message: 'problem found running sanity check for other.test: host is not included in plugin config.domains' },
      });
      expect(await kit.adminCall('GET', '/acme/certificates')).toMatchObject({ status: 200, json: { data: {} } });
      expect(await kit.adminCall('GET', '/acme/certificates/b.acme.test')).toMatchObject({ status: 404, json: { message: 'Certificate for host b.acme.testnot found in storage' } });
    });

    it('POST /acme: pebble validates over HTTP-01 and the certificate is served by SNI', async () => {
      // (no handshake naming b.acme.test before: it would start an order itself, and POST /acme would find it locked)
      expect(await kit.adminCall('POST', '/acme', { host: 'b.acme.test' })).toMatchObject({ status: 201, json: { message: 'certificate for host b.acme.test is created' } });
      // stored as Kong does in traditional mode
      const sni = await kit.must('GET', '/snis/b.acme.test', undefined, 200);
      expect(sni.tags).toEqual(['managed-by-acme']);
      const cert = await kit.must('GET', `/certificates/${sni.certificate.id}`, undefined, 200);
      expect(cert.tags).toEqual(['managed-by-acme']);
      const served = await waitFor(async () => {
        const s = await handshake(httpsPort, 'b.acme.test', root);
        return s.trusted ? s : undefined;
      }, 'the ACME certificate to be served', 30_000, 200);
      expect(served.error).toBeNull();
      expect(served.cert.subjectaltname).toBe('DNS:b.acme.test');
      const listed = await kit.must('GET', '/acme/certificates', undefined, 200);
      expect(listed.data).toHaveLength(1);
      expect(listed.data[0]).toMatchObject({ host: 'b.acme.test', valid: true, pubkey_type: 'rsaEncryption' });
      expect(listed.data[0].serial_number.replace(/:/g, '')).toBe(served.cert.serialNumber.toUpperCase().replace(/^(00)+/, ''));
      expect(listed.data[0].digest).toBe(served.cert.fingerprint);
      expect(listed.data[0].issuer_cn).toBe(served.cert.issuer.CN);
      const one = await kit.must('GET', '/acme/certificates/b.acme.test', undefined, 200);
      expect(one.data).toEqual(listed.data[0]);
      expect(await kit.adminCall('GET', '/acme/certificates?invalid_only=true')).toMatchObject({ status: 200, json: { data: {} } });
      expect(pebble.logs.join('\n')).toMatch(/b\.acme\.test/);
    });

    it('a handshake naming an allowed host without a certificate orders one; the default is served meanwhile', async () => {
      const first = await handshake(httpsPort, 'x.wild.acme.test', root);
      expect(first.trusted).toBe(false);
      const served = await waitFor(async () => {
        const s = await handshake(httpsPort, 'x.wild.acme.test', root);
        return s.trusted ? s : undefined;
      }, 'the certificate ordered by the handshake', 90_000, 500);
      expect(served.cert.subjectaltname).toBe('DNS:x.wild.acme.test');
      // a host outside domains never gets one
      expect((await handshake(httpsPort, 'other.test', root)).trusted).toBe(false);
      const hosts = (await kit.must('GET', '/acme/certificates', undefined, 200)).data.map((d: { host: string }) => d.host);
      expect(hosts.sort()).toEqual(['b.acme.test', 'x.wild.acme.test']);
    });

    it('POST /acme: a failed order answers 500 with the CA\'s reason, then the host backs off for fail_backoff_minutes', async () => {
      // pebble cannot resolve this name: the authorization fails
      const failed = await kit.adminCall('POST', '/acme', { host: 'nodns.acme.test' });
      expect(failed.status).toBe(500);
      expect(failed.json.message).toMatch(/^failed to update certificate: could not create certificate for host: nodns\.acme\.test err: /);
      const again = await kit.adminCall('POST', '/acme', { host: 'nodns.acme.test' });
      expect(again.status).toBe(500);
      expect(again.json.message).toMatch(/^failed to update certificate: please try again in (29\d|300) seconds for host nodns\.acme\.test because of previous failure; this is configurable with config\.fail_backoff_minutes$/);
    });

    it('PATCH /acme renews certificates within renew_threshold_days, and the new one is served', async () => {
      const old = (await kit.must('GET', '/acme/certificates/b.acme.test', undefined, 200)).data.serial_number;
      expect(await kit.adminCall('PATCH', '/acme')).toMatchObject({ status: 202, json: { message: 'Renewal process started successfully' } });
      const renewed = await waitFor(async () => {
        const r = await kit.adminCall('GET', '/acme/certificates/b.acme.test');
        return r.status === 200 && r.json.data.serial_number !== old ? r.json.data.serial_number as string : undefined;
      }, 'the renewed certificate', 120_000, 500);
      await waitFor(async () => {
        const s = await handshake(httpsPort, 'b.acme.test', root);
        return s.trusted && s.cert.serialNumber.toUpperCase().replace(/^(00)+/, '') === renewed.replace(/:/g, '') ? true : undefined;
      }, 'the renewed certificate to be served', 30_000, 200);
      // the replaced certificate row is gone: one managed certificate per host
      const certs = await kit.must('GET', '/certificates?tags=managed-by-acme', undefined, 200);
      expect(certs.data).toHaveLength(2);
    });
  });
});

describe('acme, storage shm (DB-less node)', () => {
  const dir = tempPrefix();
  const tls = pebbleTlsMaterial(dir);
  let kit: AuthNode;
  let pebble: Pebble;
  let root: string;
  let httpsPort: number;
  // pebble's port is known after the node starts: the declarative file names a port filled in by POST /config
  let api = 'https://127.0.0.1:1/dir';
  // pebble also signs with an alternate root: preferred_chain picks the chain ending there
  let preferred = 'none yet';
  let mainRoot: string;
  const declarative = (upstreamPort: number) => JSON.stringify({
    _format_version: '3.0',
    services: [{ name: 'echo', url: `http://127.0.0.1:${upstreamPort}`, routes: [{ name: 'all', paths: ['/'] }] }],
    plugins: [{ name: 'acme', config: { account_email: 'ops@acme.test', api_uri: api, storage: 'shm', rsa_key_size: 2048, cert_type: 'ecc', allow_any_domain: true, preferred_chain: preferred } }],
  });

  beforeAll(async () => {
    kit = await startAuthNode({ proxy_listen: '127.0.0.1:0, 127.0.0.1:0 ssl', lua_ssl_trusted_certificate: tls.caFile }, declarative);
    httpsPort = kit.node.port('proxy_listen', 1);
    pebble = await startPebble(dir, tls, kit.node.port('proxy_listen', 0), ['c.acme.test', 'd.acme.test'], { alternateRoots: 1 });
    mainRoot = await pebble.root(0);
    root = await pebble.root(1);
    preferred = /CN=([^\n]+)/.exec(new X509Certificate(root).subject)![1];
    api = pebble.directory;
    await kit.must('POST', '/config', JSON.parse(declarative(kit.upstreamPort)), 201);
    await kit.until('GET', '/.well-known/acme-challenge/x', (r) => r.status === 404 && r.text === 'Not found\n', { headers: { host: 'c.acme.test' } });
  }, 120_000);
  afterAll(async () => {
    await kit?.close();
    await pebble?.close();
  });

  it('POST /acme: the certificate is kept in shm and served by the certificate phase', async () => {
    expect(await kit.adminCall('POST', '/acme', { host: 'c.acme.test' })).toMatchObject({ status: 201, json: { message: 'certificate for host c.acme.test is created' } });
    const served = await waitFor(async () => {
      const s = await handshake(httpsPort, 'c.acme.test', root);
      return s.trusted ? s : undefined;
    }, 'the certificate kept in shm to be served', 30_000, 200);
    expect(served.cert.subjectaltname).toBe('DNS:c.acme.test');
    expect(served.cert.asn1Curve ?? served.cert.nistCurve).toBeDefined(); // cert_type ecc
    // preferred_chain: the chain served ends at the alternate root, not at pebble's first one
    expect((await handshake(httpsPort, 'c.acme.test', mainRoot)).trusted).toBe(false);
    const one = await kit.must('GET', '/acme/certificates/c.acme.test', undefined, 200);
    expect(one.data).toMatchObject({ host: 'c.acme.test', valid: true, pubkey_type: 'id-ecPublicKey' });
  });

  it('POST /config: "kong" storage is refused in DB-less mode, as Kong', async () => {
    const config = JSON.parse(declarative(kit.upstreamPort));
    config.plugins[0].config.storage = 'kong';
    const r = await kit.adminCall('POST', '/config', config);
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.json)).toContain('\\"kong\\" storage can\'t be used with dbless mode');
  });

  it('a handshake for an unknown host orders it; the certificate phase serves it from shm', async () => {
    expect((await handshake(httpsPort, 'd.acme.test', root)).trusted).toBe(false);
    const served = await waitFor(async () => {
      const s = await handshake(httpsPort, 'd.acme.test', root);
      return s.trusted ? s : undefined;
    }, 'the certificate ordered by the handshake', 90_000, 500);
    expect(served.cert.subjectaltname).toBe('DNS:d.acme.test');
    const hosts = (await kit.must('GET', '/acme/certificates', undefined, 200)).data.map((d: { host: string }) => d.host);
    expect(hosts.sort()).toEqual(['c.acme.test', 'd.acme.test']);
  });
});

describe('acme, storage redis (traditional node; Redis at 127.0.0.1:6379)', () => {
  const dir = tempPrefix();
  const tls = pebbleTlsMaterial(dir);
  const namespace = `tollgate-acme-test-${process.pid}-${Date.now()}:`;
  const accountPem = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } }).privateKey;
  let kit: AuthNode;
  let pebble: Pebble;
  let root: string;
  let redis: Redis;

  beforeAll(async () => {
    redis = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    kit = await startAuthNode({ proxy_listen: '127.0.0.1:0, 127.0.0.1:0 ssl', database: 'sqlite', lua_ssl_trusted_certificate: tls.caFile });
    pebble = await startPebble(dir, tls, kit.node.port('proxy_listen', 0), ['e.acme.test']);
    root = await pebble.root();
    await kit.must('POST', '/services', { name: 'echo', url: `http://127.0.0.1:${kit.upstreamPort}` }, 201);
    await kit.must('POST', '/services/echo/routes', { name: 'all', paths: ['/'] }, 201);
    // the ACME account key comes from a keys entity (Kong's config.account_key)
    const set = await kit.must('POST', '/key-sets', { name: 'acme' }, 201);
    await kit.must('POST', '/keys', { kid: 'acct', set: { id: set.id }, pem: { private_key: accountPem } }, 201);
    await kit.must('POST', '/plugins', {
      name: 'acme',
      config: {
        account_email: 'ops@acme.test', api_uri: pebble.directory, rsa_key_size: 2048, domains: ['e.acme.test'],
        account_key: { key_id: 'acct', key_set: 'acme' },
        // Kong's deprecated storage_config.redis.namespace, moved to extra_options.namespace
        storage: 'redis', storage_config: { redis: { host: '127.0.0.1', port: 6379, namespace } },
      },
    }, 201);
    await kit.until('GET', '/.well-known/acme-challenge/x', (r) => r.status === 404 && r.text === 'Not found\n', { headers: { host: 'e.acme.test' } });
  }, 120_000);
  afterAll(async () => {
    if (redis) {
      const keys = await redis.keys(`${namespace}*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
    }
    await kit?.close();
    await pebble?.close();
  });

  it('GET /plugins/{id}: the legacy namespace field lands in extra_options', async () => {
    const plugin = (await kit.must('GET', '/plugins', undefined, 200)).data[0];
    expect(plugin.config.storage_config.redis).toMatchObject({ host: '127.0.0.1', port: 6379, extra_options: { namespace, scan_count: 10 } });
  });

  it('POST /acme: the account, renewal list and challenges live in Redis under the namespace; the certificate is served', async () => {
    expect(await kit.adminCall('POST', '/acme', { host: 'e.acme.test' })).toMatchObject({ status: 201, json: { message: 'certificate for host e.acme.test is created' } });
    const keys = (await redis.keys(`${namespace}*`)).map((k) => k.slice(namespace.length));
    const account = `kong_acme:account:${pebble.directory}:${Buffer.from('ops@acme.test').toString('base64')}`;
    expect(keys).toEqual(expect.arrayContaining(['kong_acme:renew_config:e.acme.test', account]));
    // the account was registered with the key of the keys entity
    expect(JSON.parse((await redis.get(namespace + account))!)).toEqual({ key: accountPem });
    // the challenge and the lock are gone once the order is done
    expect(keys.filter((k) => k.startsWith('kong_acme:http-01:') || k.startsWith('kong_acme:update_lock:'))).toEqual([]);
    const served = await waitFor(async () => {
      const s = await handshake(kit.node.port('proxy_listen', 1), 'e.acme.test', root);
      return s.trusted ? s : undefined;
    }, 'the certificate to be served', 30_000, 200);
    expect(served.cert.subjectaltname).toBe('DNS:e.acme.test');
    expect((await kit.must('GET', '/acme/certificates', undefined, 200)).data.map((d: { host: string }) => d.host)).toEqual(['e.acme.test']);
  });
});

describe('acme in hybrid mode: a data plane orders with redis storage, the control plane too', () => {
  const dir = tempPrefix();
  const tls = pebbleTlsMaterial(dir);
  const namespace = `tollgate-acme-hybrid-${process.pid}-${Date.now()}:`;
  const files = clusterCertificate(dir);
  let cp: RunningNode;
  let dp: RunningNode;
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  let pebble: Pebble;
  let root: string;
  let redis: Redis;
  let admin: string;

  beforeAll(async () => {
    redis = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    upstream = await startUpstream();
    cp = await startControlPlane(files, { extra: { database: 'sqlite', lua_ssl_trusted_certificate: tls.caFile } });
    dp = await startDataPlane(files, cp.port('cluster_listen'), { extra: { proxy_listen: '127.0.0.1:0, 127.0.0.1:0 ssl', lua_ssl_trusted_certificate: tls.caFile } });
    pebble = await startPebble(dir, tls, dp.port('proxy_listen', 0), ['f.acme.test', 'g.acme.test']);
    root = await pebble.root();
    admin = `http://127.0.0.1:${cp.port('admin_listen')}`;
    await http('PUT', `${admin}/services/echo`, { body: { url: `http://127.0.0.1:${upstream.port}` } });
    await http('PUT', `${admin}/services/echo/routes/all`, { body: { paths: ['/'] } });
    const shm = await http('POST', `${admin}/plugins`, { body: { name: 'acme', config: { account_email: 'ops@acme.test', api_uri: pebble.directory } } });
    expect(shm.status).toBe(400);
    expect(shm.json.fields).toEqual({ '@entity': ['"shm" storage can\'t be used in Hybrid mode'] });
    const created = await http('POST', `${admin}/plugins`, {
      body: {
        name: 'acme',
        config: {
          account_email: 'ops@acme.test', api_uri: pebble.directory, rsa_key_size: 2048, domains: ['f.acme.test', 'g.acme.test'],
          storage: 'redis', storage_config: { redis: { host: '127.0.0.1', port: 6379, extra_options: { namespace } } },
        },
      },
    });
    expect(created.status).toBe(201);
    await waitFor(async () => {
      const r = await http('GET', `http://127.0.0.1:${dp.port('proxy_listen', 0)}/.well-known/acme-challenge/x`, { headers: { host: 'f.acme.test' } });
      return r.status === 404 && r.text === 'Not found\n' ? true : undefined;
    }, 'the acme plugin on the data plane', 30_000, 100);
  }, 120_000);
  afterAll(async () => {
    if (redis) {
      const keys = await redis.keys(`${namespace}*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
    }
    if (dp) await stopNode(dp);
    if (cp) await stopNode(cp);
    await pebble?.close();
    await new Promise<void>((r) => (upstream ? upstream.server.close(() => r()) : r()));
  });

  it('a handshake on the data plane orders the certificate there and serves it from redis', async () => {
    const port = dp.port('proxy_listen', 1);
    expect((await handshake(port, 'f.acme.test', root)).trusted).toBe(false);
    const served = await waitFor(async () => {
      const s = await handshake(port, 'f.acme.test', root);
      return s.trusted ? s : undefined;
    }, 'the certificate ordered by the data plane', 90_000, 500);
    expect(served.cert.subjectaltname).toBe('DNS:f.acme.test');
    expect(await redis.exists(`${namespace}kong_acme:cert_key:f.acme.test`)).toBe(1);
  });

  it('POST /acme on the control plane: pebble validates through the data plane; the certificate is kept in redis and served', async () => {
    expect(await http('POST', `${admin}/acme`, { body: { host: 'g.acme.test' } })).toMatchObject({ status: 201, json: { message: 'certificate for host g.acme.test is created' } });
    const served = await waitFor(async () => {
      const s = await handshake(dp.port('proxy_listen', 1), 'g.acme.test', root);
      return s.trusted ? s : undefined;
    }, 'the certificate ordered by the control plane', 30_000, 500);
    expect(served.cert.subjectaltname).toBe('DNS:g.acme.test');
    const hosts = (await http('GET', `${admin}/acme/certificates`)).json.data.map((d: { host: string }) => d.host);
    expect(hosts.sort()).toEqual(['f.acme.test', 'g.acme.test']);
  });
});

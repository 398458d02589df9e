// The declarative format end to end: db_export round trips, hashing, deltas on a 10,000-route config and the
// data plane's disk cache.
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { issueCertificate } from '@tollgate/pki';
import {
  Snapshot, applyDelta, configHash32, diffSnapshots, exportDeclarative, flattenDeclarative, hashSnapshot,
  parseDeclarative, readCacheFile, writeCacheFile,
} from '@tollgate/declarative';
import { TEST_PLUGIN_SCHEMAS } from '../../libs/declarative/src/test-fixtures';

type Rows = Record<string, Array<Record<string, unknown>>>;
const opts = { pluginSchemas: TEST_PLUGIN_SCHEMAS, now: 1_700_000_000_123 };

function load(text: string): Snapshot {
  const result = flattenDeclarative(parseDeclarative(text), opts);
  if (!result.ok) throw new Error(JSON.stringify(result.error));
  return result.snapshot;
}

function everyEntityConfig(): Snapshot {
  const server = issueCertificate({ commonName: 'api.test', keyBits: 1024 });
  const client = issueCertificate({ commonName: 'client', keyBits: 1024, usage: 'client' });
  const ca = issueCertificate({ commonName: 'Test CA', keyBits: 1024, isCa: true });
  const doc = {
    _format_version: '3.0',
    certificates: [
      { cert: server.cert, key: server.key, tags: ['edge'], snis: [{ name: 'api.test' }, { name: '*.api.test' }] },
      { id: 'c1c1c1c1-0000-4000-8000-000000000001', cert: client.cert, key: client.key },
    ],
    ca_certificates: [{ id: 'cacacaca-0000-4000-8000-000000000001', cert: ca.cert }],
    services: [
      {
        name: 'orders', url: 'https://orders.internal:8443/v1', client_certificate: 'c1c1c1c1-0000-4000-8000-000000000001',
        ca_certificates: ['cacacaca-0000-4000-8000-000000000001'], tls_verify: true,
        routes: [
          { name: 'orders-route', paths: ['/orders', '~/orders/\\d+$'], methods: ['GET', 'POST'], headers: { 'x-v': ['1'] },
            plugins: [{ name: 'acl', config: { allow: ['admins'] } }] },
          { name: 'grpc-route', protocols: ['grpc'], paths: ['/pkg.Svc/'] },
        ],
        plugins: [{ name: 'rate-limiting', config: { minute: 5 } }],
      },
      { name: 'stream', protocol: 'tcp', host: 'db.internal', port: 5432, routes: [{ name: 'tcp', protocols: ['tcp'], destinations: [{ port: 5432 }] }] },
    ],
    consumers: [
      {
        username: 'alice', custom_id: 'A-1', tags: ['vip'],
        keyauth_credentials: [{ key: 'alice-key' }, { key: 'alice-key-2', ttl: 3600 }],
        basicauth_credentials: [{ username: 'alice', password: 's3cret' }],
        jwt_secrets: [{ key: 'alice-iss', secret: 'hs-secret' }],
        acls: [{ group: 'admins' }, { group: 'ops' }],
        plugins: [{ name: 'rate-limiting', config: { minute: 50 } }],
      },
      { custom_id: 'no-username' },
    ],
    upstreams: [{ name: 'orders.internal', algorithm: 'least-connections', targets: [{ target: '10.0.0.1:8080' }, { target: '10.0.0.2', weight: 0 }] }],
    plugins: [{ name: 'prometheus' }, { name: 'key-auth', route: 'grpc-route', instance_name: 'grpc-keys' }],
  };
  const result = flattenDeclarative(doc, opts);
  if (!result.ok) throw new Error(JSON.stringify(result.error, null, 1));
  return result.snapshot;
}

describe('db_export round trip', () => {
  const snapshot = everyEntityConfig();

  it('covers every entity type', () => {
    const rows = snapshot as unknown as Rows;
    for (const name of ['services', 'routes', 'consumers', 'plugins', 'upstreams', 'targets', 'certificates', 'snis',
      'ca_certificates', 'keyauth_credentials', 'basicauth_credentials', 'jwt_secrets', 'acls']) {
      expect(rows[name]?.length).toBeGreaterThan(0);
    }
  });

  it.each([
    ['yaml', false], ['yaml', true], ['json', false], ['json', true],
  ] as const)('%s (nested: %s) is byte-for-byte stable and loses nothing', (format, nested) => {
    const first = exportDeclarative(snapshot, { format, nested });
    const reloaded = load(first);
    expect(hashSnapshot(reloaded)).toBe(hashSnapshot(snapshot));
    expect(exportDeclarative(reloaded, { format, nested })).toBe(first);
  });

  it('GET /config style (nulls included) round-trips too', () => {
    const first = exportDeclarative(snapshot, { format: 'yaml', includeNulls: true });
    expect(first).toContain('  path: null\n');
    expect(exportDeclarative(load(first), { format: 'yaml', includeNulls: true })).toBe(first);
  });

  it('writes Kong db_export shape: header, no nulls, bare foreign ids, no transient snis on certificates', () => {
    const text = exportDeclarative(snapshot, { format: 'yaml' });
    expect(text.startsWith('_format_version: "3.0"\n_transform: false\n')).toBe(true);
    expect(text).not.toMatch(/^ {4}[a-z_]+: null$/m); // unset row fields are left out; nulls inside records stay
    expect(text).toMatch(/^ {4}created_at: 1700000000\.123$/m); // targets keep millisecond timestamps
    const doc = parseDeclarative(text) as Rows;
    const route = doc.routes.find((r) => r.name === 'orders-route')!;
    expect(route.service).toBe((snapshot.services ?? []).find((s) => s.name === 'orders')!.id);
    expect(doc.certificates.every((c) => !('snis' in c))).toBe(true);
    expect(Object.keys(doc.services[0]).slice(0, 4)).toEqual(['id', 'created_at', 'updated_at', 'name']);
  });

  it('does not depend on row order', () => {
    const shuffled = Object.fromEntries(Object.entries(snapshot).map(([k, v]) => [k, Array.isArray(v) ? [...v].reverse() : v]));
    expect(exportDeclarative(shuffled as unknown as Snapshot, { format: 'yaml', nested: true }))
      .toBe(exportDeclarative(snapshot, { format: 'yaml', nested: true }));
  });
});

describe('hashSnapshot', () => {
  const snapshot = everyEntityConfig();
  it('ignores row order and key order, and changes with any value', () => {
    const hash = hashSnapshot(snapshot);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    const reordered = Object.fromEntries(Object.entries(snapshot).reverse().map(([k, v]) => [k,
      Array.isArray(v) ? [...v].reverse().map((row) => Object.fromEntries(Object.entries(row).reverse())) : v]));
    expect(hashSnapshot(reordered as unknown as Snapshot)).toBe(hash);
    const routes = (snapshot.routes ?? []).map((r, i) => (i === 0 ? { ...r, strip_path: !r.strip_path } : r));
    expect(hashSnapshot({ ...snapshot, routes })).not.toBe(hash);
    expect(configHash32(hash)).toBe(hash.slice(0, 32));
  });
});

function bigConfig(count: number): Snapshot {
  const services = [{ name: 'svc', host: 'backend.test' }];
  const routes = Array.from({ length: count }, (_, i) => ({ name: `r${i}`, paths: [`/p${i}`], hosts: [`h${i % 50}.test`], service: 'svc' }));
  const result = flattenDeclarative({ _format_version: '3.0', services, routes }, opts);
  if (!result.ok) throw new Error('big config invalid');
  return result.snapshot;
}

describe('diffSnapshots / applyDelta on 10,000 routes', () => {
  const base = bigConfig(10_000);

  it('a one-route change moves one row (< 10 KB)', () => {
    const routes = [...(base.routes ?? [])];
    routes[4321] = { ...routes[4321], paths: ['/changed'] };
    const next = { ...base, routes };
    const started = process.hrtime.bigint();
    const delta = diffSnapshots(base, next);
    const diffMs = Number(process.hrtime.bigint() - started) / 1e6;
    const bytes = Buffer.byteLength(JSON.stringify(delta));
    expect(delta.upserts).toEqual({ routes: [routes[4321]] });
    expect(delta.deletes).toEqual({});
    expect(bytes).toBeLessThan(10 * 1024);
    expect(hashSnapshot(applyDelta(base, delta))).toBe(hashSnapshot(next));
    const full = Buffer.byteLength(JSON.stringify(next));
    process.stdout.write(`delta ${bytes} B vs full ${full} B; diff of 10,000 routes took ${diffMs.toFixed(1)} ms\n`);
  });

  it('applyDelta(prev, diff(prev, next)) hashes equal to next over random mutations', () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    let prev: Snapshot = base;
    for (let round = 0; round < 20; round++) {
      const routes = [...(prev.routes ?? [])];
      for (let n = 0; n < 50; n++) {
        const op = random();
        const i = Math.floor(random() * routes.length);
        if (op < 0.4) routes[i] = { ...routes[i], regex_priority: Math.floor(random() * 100) };
        else if (op < 0.7) routes.splice(i, 1);
        else routes.push({ ...routes[i], id: `00000000-0000-4000-8000-${String(round * 100 + n).padStart(12, '0')}`, name: `new-${round}-${n}` });
      }
      const services = random() < 0.3 ? [] : prev.services; // sometimes a whole collection goes away
      const next: Snapshot = { ...prev, routes: routes.sort(() => random() - 0.5), services };
      const delta = diffSnapshots(prev, next);
      expect(hashSnapshot(applyDelta(prev, delta))).toBe(hashSnapshot(next));
      prev = next;
    }
  });

  it('an unchanged config diffs to nothing', () => {
    const copy = JSON.parse(JSON.stringify(base)) as Snapshot;
    expect(diffSnapshots(base, copy)).toEqual({ upserts: {}, deletes: {} });
  });
});

describe('disk cache file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-cache-'));
  const path = join(dir, 'config.json.gz');
  const config = bigConfig(200);
  const versioned = { hash: hashSnapshot(config), version: 7, config };
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes atomically and reads back the same snapshot', async () => {
    await writeCacheFile(path, versioned);
    expect(readdirSync(dir)).toEqual(['config.json.gz']); // no temp file left behind
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const read = await readCacheFile(path);
    expect(read).toEqual({ ok: true, snapshot: versioned });
    // overwrite while a reader holds the old content: the rename swaps whole files
    const before = readFileSync(path);
    await writeCacheFile(path, { ...versioned, version: 8 });
    expect(readFileSync(path).equals(before)).toBe(false);
    expect(await readCacheFile(path)).toMatchObject({ ok: true, snapshot: { version: 8 } });
  });

  it('reports a missing file', async () => {
    expect(await readCacheFile(join(dir, 'absent.gz'))).toEqual({ ok: false, reason: 'no cache file', missing: true });
  });

  it.each([
    ['truncated', (bytes: Buffer) => bytes.subarray(0, Math.floor(bytes.length / 2))],
    ['a flipped byte', (bytes: Buffer) => { const copy = Buffer.from(bytes); copy[Math.floor(copy.length / 2)] ^= 0xff; return copy; }],
    ['not gzip', () => Buffer.from('{"hash":"x"}')],
    ['wrong hash', () => gzipSync(JSON.stringify({ ...versioned, hash: 'f'.repeat(64) }))],
    ['tampered content', () => gzipSync(JSON.stringify({ ...versioned, config: { ...config, routes: (config.routes ?? []).slice(1) } }))],
    ['not a snapshot', () => gzipSync(JSON.stringify({ hash: versioned.hash, version: 1, config: { services: 'x' } }))],
  ])('refuses a %s file', async (_label, corrupt) => {
    await writeCacheFile(path, versioned);
    writeFileSync(path, corrupt(readFileSync(path)));
    const read = await readCacheFile(path);
    expect(read.ok).toBe(false);
    expect(read.ok ? '' : read.reason).toMatch(/^corrupt cache file: /);
  });
});

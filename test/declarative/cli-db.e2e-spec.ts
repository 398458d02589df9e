// `tollgate config db_export | db_import | parse` with the real CLI against SQLite and PostgreSQL.
// Requires `npm run build`.
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { issueCertificate } from '@tollgate/pki';
import { DECK_DUMP } from '../../libs/declarative/src/test-fixtures';
import { runCliAsync, tempPrefix, writeConf } from '../support/cli-node';
import { dropSchema, pgConf } from '../support/pg';

jest.setTimeout(120_000);


function everyEntityFile(): string {
  const server = issueCertificate({ commonName: 'api.test', keyBits: 1024 });
  return stringify({
    _format_version: '3.0',
    certificates: [{ cert: server.cert, key: server.key, tags: ['edge'], snis: [{ name: 'api.test' }, { name: '*.api.test' }] }],
    services: [
      {
        name: 'orders', url: 'https://orders.internal:8443/v1', tags: ['team-a', 'prod'],
        routes: [
          { name: 'orders-route', paths: ['/orders', '~/orders/\\d+$'], methods: ['GET', 'POST'], headers: { 'x-v': ['1'] } },
          { name: 'orders-grpc', protocols: ['grpc'], paths: ['/pkg.Svc/'] },
        ],
        plugins: [{ name: 'rate-limiting', config: { minute: 5, policy: 'local' } }],
      },
      { name: 'billing', host: 'billing.internal', port: 8080 },
    ],
    consumers: [{
      username: 'alice', custom_id: 'A-1',
      keyauth_credentials: [{ key: 'alice-key' }],
      basicauth_credentials: [{ username: 'alice', password: 's3cret' }],
      acls: [{ group: 'admins' }],
    }],
    upstreams: [{ name: 'orders.internal', targets: [{ target: '10.0.0.1:8080' }, { target: '10.0.0.2:8080', weight: 50 }] }],
    plugins: [{ name: 'correlation-id' }, { name: 'key-auth', route: 'orders-grpc' }],
  });
}

interface Db { conf: string; cleanup(): Promise<void> }

function sqliteDb(): Db {
  const prefix = tempPrefix();
  return { conf: writeConf(prefix, { prefix, database: 'sqlite' }), cleanup: async () => {} };
}

function postgresDb(): Db {
  const prefix = tempPrefix();
  const schema = `dbimport_${randomBytes(4).toString('hex')}`;
  const conf = writeConf(prefix, { prefix, ...pgConf(schema) });
  return {
    conf,
    cleanup: () => dropSchema(schema),
  };
}

const cli = (...args: string[]) => runCliAsync(['config', ...args]);

describe.each([
  ['SQLite', sqliteDb],
  ['PostgreSQL', postgresDb],
])('db_import / db_export on %s', (_name, makeDb) => {
  const dbs: Db[] = [];
  const db = () => {
    const made = makeDb();
    dbs.push(made);
    return made;
  };
  afterAll(async () => {
    for (const d of dbs) await d.cleanup();
  });

  it('export -> import into a fresh database -> export is byte-for-byte stable (YAML and JSON)', async () => {
    const dir = tempPrefix();
    const source = join(dir, 'source.yaml');
    writeFileSync(source, everyEntityFile());
    const first = db();
    const imported = await cli('db_import', source, '-c', first.conf);
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
    expect(imported.stdout).toMatch(/^import successful: 17 entities \(certificates 1, snis 2, services 2, routes 2, consumers 1, upstreams 1, targets 2, plugins 3, keyauth_credentials 1, basicauth_credentials 1, acls 1\)\n$/);

    const exported = await cli('db_export', '-c', first.conf);
    expect(exported.code).toBe(0);
    expect(exported.stdout).toMatch(/^_format_version: "3.0"\n_transform: false\n/);
    expect(exported.stdout).toContain('name: orders-route');
    expect(exported.stdout).not.toContain('s3cret'); // stored hashed, exported as the hash

    const file = join(dir, 'export.yaml');
    writeFileSync(file, exported.stdout);
    const second = db();
    expect((await cli('db_import', file, '-c', second.conf)).code).toBe(0);
    const again = await cli('db_export', '-c', second.conf);
    expect(again.stdout).toBe(exported.stdout);

    const json = join(dir, 'export.json');
    expect((await cli('db_export', json, '--format', 'json', '-c', second.conf)).code).toBe(0);
    const third = db();
    expect((await cli('db_import', json, '-c', third.conf)).code).toBe(0);
    expect((await cli('db_export', '--format', 'json', '-c', third.conf)).stdout).toBe(readFileSync(json, 'utf8'));
    expect((await cli('db_export', '-c', third.conf)).stdout).toBe(exported.stdout);
  });

  it('a file with bad entities is refused in full: every bad entity listed, nothing written', async () => {
    const target = db();
    const dir = tempPrefix();
    const good = join(dir, 'good.yaml');
    writeFileSync(good, stringify({ _format_version: '3.0', services: [{ name: 'kept', host: 'kept.internal' }] }));
    expect((await cli('db_import', good, '-c', target.conf)).code).toBe(0);
    const before = (await cli('db_export', '-c', target.conf)).stdout;

    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, stringify({
      _format_version: '3.0',
      services: [
        { name: 'new-ok', host: 'ok.internal' },
        { name: 'bad-port', host: 'x.internal', port: 70000 },
        { name: 'no-host', routes: [{ name: 'bad-route', paths: ['relative'] }] },
      ],
      consumers: [{ custom_id: 'c', keyauth_credentials: [{ key: 5 }] }],
    }));
    const r = await cli('db_import', bad, '-c', target.conf);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^Error: declarative config is invalid: \{/);
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(/^ {2}service 'bad-port' \([0-9a-f-]{36}\): port: value should be between 0 and 65535$/),
      expect.stringMatching(/^ {2}service 'no-host' \([0-9a-f-]{36}\): host: required field missing$/),
      expect.stringMatching(/^ {2}route 'bad-route' \([0-9a-f-]{36}\): paths\.1: /),
      expect.stringMatching(/^ {2}keyauth_credential \([0-9a-f-]{36}\): key: expected a string$/),
    ]);
    expect((await cli('db_export', '-c', target.conf)).stdout).toBe(before);
  });

  it('merges by id like Kong: entities the file does not name stay, named ones are updated', async () => {
    const target = db();
    const dir = tempPrefix();
    const a = join(dir, 'a.yaml');
    writeFileSync(a, stringify({ _format_version: '3.0', services: [{ name: 'one', host: 'one.internal' }, { name: 'two', host: 'two.internal' }] }));
    const b = join(dir, 'b.yaml');
    writeFileSync(b, stringify({ _format_version: '3.0', services: [{ name: 'two', host: 'two-moved.internal' }, { name: 'three', host: 'three.internal' }] }));
    expect((await cli('db_import', a, '-c', target.conf)).code).toBe(0);
    expect((await cli('db_import', b, '-c', target.conf)).code).toBe(0);
    const out = JSON.parse((await cli('db_export', '--format', 'json', '-c', target.conf)).stdout);
    const hosts = Object.fromEntries(out.services.map((s: { name: string; host: string }) => [s.name, s.host]));
    expect(hosts).toEqual({ one: 'one.internal', two: 'two-moved.internal', three: 'three.internal' });
  });

  it('a conflict with a stored entity rolls the whole import back', async () => {
    const target = db();
    const dir = tempPrefix();
    const stored = join(dir, 'stored.yaml');
    writeFileSync(stored, stringify({ _format_version: '3.0', consumers: [{ id: '11111111-1111-4111-8111-111111111111', username: 'bob', custom_id: 'B-1' }] }));
    expect((await cli('db_import', stored, '-c', target.conf)).code).toBe(0);
    const before = (await cli('db_export', '-c', target.conf)).stdout;
    const clash = join(dir, 'clash.yaml');
    // a new service first (written, then rolled back), then another consumer taking bob's custom_id
    writeFileSync(clash, stringify({ _format_version: '3.0', services: [{ name: 'new', host: 'new.internal' }], consumers: [{ username: 'carol', custom_id: 'B-1' }] }));
    const r = await cli('db_import', clash, '-c', target.conf);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("Error: import failed, nothing was written: UNIQUE violation detected on '{custom_id=\"B-1\"}'\n");
    expect((await cli('db_export', '-c', target.conf)).stdout).toBe(before);
  });
});

describe('tollgate config parse', () => {
  it.each([
    ['a valid file', { _format_version: '3.0', services: [{ name: 's', host: 'h', routes: [{ paths: ['/'] }] }] }, 0, 'parse successful\n', ''],
    ['an unknown plugin', { _format_version: '3.0', plugins: [{ name: 'no-such-plugin' }] }, 1, '', 'plugin \'no-such-plugin\' not enabled'],
    ['a missing _format_version', { services: [] }, 1, '', 'Error: declarative config is invalid: {_format_version="required field missing"}\n'],
    // the plugin's cross-field check, with the message POST /plugins gives
    ['a rate-limiting plugin with no window', { _format_version: '3.0', plugins: [{ name: 'rate-limiting', config: { policy: 'local' } }] }, 1, '',
      'Error: declarative config is invalid: {plugins={{["@entity"]={"at least one of these fields must be non-empty: ' +
      "'config.second', 'config.minute', 'config.hour', 'config.day', 'config.month', 'config.year'\"}}}}\n"],
    ['a rate-limiting plugin with a window', { _format_version: '3.0', plugins: [{ name: 'rate-limiting', config: { hour: 100 } }] }, 0, 'parse successful\n', ''],
  ])('%s', async (_what, doc, code, stdout, stderr) => {
    const dir = tempPrefix();
    const file = join(dir, 'kong.yaml');
    writeFileSync(file, stringify(doc));
    const r = await cli('parse', file, '-c', writeConf(dir, { prefix: dir }));
    expect(r.code).toBe(code);
    expect(r.stdout).toBe(stdout);
    expect(r.stderr).toContain(stderr);
  });

  // Everything an import would refuse is refused by parse too, and what Kong/decK accept is accepted.
  it.each<[string, string, NodeJS.ProcessEnv, number, string, string]>([
    ['the same plugin twice on one service (the database\'s UNIQUE cache key)',
      '_format_version: "3.0"\nservices:\n- name: s\n  host: a.test\n  plugins:\n  - name: key-auth\n    id: 1a1d5f0f-4e77-4a40-9c0e-2bd0d4b6c1a1\n  - name: key-auth\n    id: 2a1d5f0f-4e77-4a40-9c0e-2bd0d4b6c1a1\n',
      {}, 1, '', "uniqueness violation: 'plugins' entity with (name, route, service, consumer) set to '(key-auth, null, "],
    ['an authentication plugin scoped to a consumer (no_consumer)',
      '_format_version: "3.0"\nconsumers:\n- username: c\n  plugins:\n  - name: key-auth\n', {}, 1, '', "plugin 'key-auth' (", ],
    ['_comment and _ignore on entities, decK metadata with a warning',
      '_format_version: "3.0"\n_comment: supabase style\n_workspace: default\n_info:\n  select_tags: [t]\nservices:\n- _comment: auth\n  name: s\n  host: a.test\n',
      {}, 0, 'parse successful\n', "Warning: _workspace 'default' ignored: Tollgate has one workspace, the entities are imported into it\n"],
    ['decK environment substitution', '_format_version: "3.0"\nservices:\n- name: s\n  host: ${{ env "DECK_UPSTREAM_HOST" }}\n',
      { DECK_UPSTREAM_HOST: 'api.internal' }, 0, 'parse successful\n', ''],
    ['a decK variable that is not set', '_format_version: "3.0"\nservices:\n- name: s\n  host: ${{ env "DECK_NOT_SET_ANYWHERE" }}\n',
      {}, 1, '', "environment variable 'DECK_NOT_SET_ANYWHERE' present in state file but not set\n"],
    // anchors are kept under _ignore, which Kong skips: the usual way to share defaults in a kong.yml
    ['YAML 1.1 anchors, merge keys and yes/no booleans',
      '_format_version: "3.0"\n_ignore:\n- &b\n  host: a.test\n  enabled: yes\nservices:\n- <<: *b\n  name: s\n',
      {}, 0, 'parse successful\n', ''],
    ['a 2.1 file with a regex path written without ~', '_format_version: "2.1"\nroutes:\n- name: r\n  paths: ["/users/\\\\d+"]\n',
      {}, 0, 'parse successful\n', "Warning: _format_version 2.1: route 'r': path '/users/\\d+' read as '~/users/\\d+' (regex paths start with '~' since 3.0)\n"],
  ])('%s', async (_what, text, env, code, stdout, stderr) => {
    const dir = tempPrefix();
    const file = join(dir, 'kong.yaml');
    writeFileSync(file, text);
    const r = await runCliAsync(['config', 'parse', file, '-c', writeConf(dir, { prefix: dir })], { env });
    expect(r.code).toBe(code);
    expect(r.stdout).toBe(stdout);
    expect(r.stderr).toContain(stderr);
  });

  it('db_import takes a decK dump of a Kong 3.x database', async () => {
    const dir = tempPrefix();
    const file = join(dir, 'kong.yaml');
    writeFileSync(file, DECK_DUMP);
    const r = await runCliAsync(['config', 'db_import', file, '-c', writeConf(dir, { prefix: dir, database: 'sqlite' })]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^import successful: 10 entities /);
    const exported = JSON.parse((await runCliAsync(['config', 'db_export', '--format', 'json', '-c', join(dir, 'tollgate.conf')])).stdout);
    expect(exported.services[0]).toMatchObject({ name: 'orders', tags: ['orders-team'] });
  });

  it('a repeated YAML key keeps the last value and warns', async () => {
    const dir = tempPrefix();
    const file = join(dir, 'kong.yaml');
    writeFileSync(file, '_format_version: "3.0"\nservices:\n- name: s\n  host: a.test\n  host: b.test\n  enabled: no\n');
    const r = await runCliAsync(['config', 'db_import', file, '-c', writeConf(dir, { prefix: dir, database: 'sqlite' })]);
    expect(r.stderr).toContain(`Warning: duplicate key 'host' (${file}:line 5, column 3): the last value is used\n`);
    expect(r.code).toBe(0);
    const exported = await runCliAsync(['config', 'db_export', '--format', 'json', '-c', join(dir, 'tollgate.conf')]);
    expect(JSON.parse(exported.stdout).services).toEqual([expect.objectContaining({ name: 's', host: 'b.test', enabled: false })]);
  });

  it('reports where an unparsable file breaks', async () => {
    const dir = tempPrefix();
    const file = join(dir, 'broken.yaml');
    writeFileSync(file, '_format_version: "3.0"\nservices: [\n');
    const r = await cli('parse', file, '-c', writeConf(dir, { prefix: dir }));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^Error: declarative config is invalid: \{error="failed parsing declarative configuration: .*broken\.yaml:line \d+, column \d+\)"\}\n$/);
  });

  it('a missing FILE is a usage error', async () => {
    const r = await cli('parse');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('a declarative configuration FILE is required');
  });
});

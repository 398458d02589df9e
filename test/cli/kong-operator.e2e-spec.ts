// A Kong operator's files and environment on the real `tollgate` command: Kong 3.10's complete kong.conf, a
// docker-compose-style KONG_* environment (DB-less, logs to stdout/stderr), `config check` agreeing with `start`.
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, runCli, startNode, stopNode, tempPrefix, writeConf, type RunningNode } from '../support/cli-node';
import { http } from '../support/http';
import { waitFor } from '../support/wait';
import { dropSchema, PG_USER } from '../support/pg';

jest.setTimeout(90_000);


/** Kong 3.10's kong.conf.default with every key uncommented and set to its default. */
function kongDefaultConf(): string {
  return readFileSync(join(ROOT, 'test/fixtures/kong-3.10-defaults.tsv'), 'utf8')
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => line.replace('\t', ' = ').trimEnd())
    .join('\n') + '\n';
}

const jsonLines = (node: RunningNode) => node.logs.flatMap((line) => {
  try {
    return [JSON.parse(line) as Record<string, unknown>];
  } catch {
    return [];
  }
});


describe("Kong 3.10's complete default kong.conf", () => {
  const schema = `operators_${randomBytes(4).toString('hex')}`;
  let node: RunningNode;

  afterAll(async () => {
    if (node) await stopNode(node);
    await dropSchema(schema);
  });

  it('starts as it is (database = postgres), with prefix, ports and the test database set through KONG_* variables', async () => {
    const prefix = tempPrefix();
    const conf = join(prefix, 'kong.conf');
    writeFileSync(conf, kongDefaultConf());
    node = await startNode(['-c', conf], {
      env: {
        KONG_PREFIX: prefix,
        KONG_PROXY_LISTEN: '127.0.0.1:0',
        KONG_ADMIN_LISTEN: '127.0.0.1:0',
        KONG_STATUS_LISTEN: '127.0.0.1:0',
        KONG_NGINX_WORKER_PROCESSES: '1',
        KONG_PG_USER: PG_USER,
        KONG_PG_DATABASE: 'test',
        KONG_PG_SCHEMA: schema,
      },
    });
    const root = await http('GET', `http://127.0.0.1:${node.port('admin_listen')}/`);
    expect(root.status).toBe(200);
    expect(root.json.configuration).toMatchObject({ database: 'postgres', pg_schema: schema, prefix });
    // the proxy answers Kong's 404 with the Kong defaults in force (headers = server_tokens, latency_tokens, ...)
    const miss = await http('GET', `http://127.0.0.1:${node.port('proxy_listen')}/nothing`);
    expect(miss.status).toBe(404);
    expect(miss.headers['x-kong-request-id']).toMatch(/^[0-9a-f]{32}$/);
  });

  it('says once, at start, which Kong keys have no effect and why', () => {
    const warnings = jsonLines(node).filter((l) => l.level === 'warn' && String(l.msg).startsWith('ignoring '));
    expect(warnings).toHaveLength(1);
    const ignored = warnings[0].ignored as string[];
    expect(ignored).toEqual(expect.arrayContaining(['anonymous_reports', 'db_cache_ttl', 'lua_package_path', 'admin_gui_listen', 'nginx_http_charset', 'pg_ro_host']));
    expect(ignored).not.toContain('nginx_worker_processes'); // mapped, not ignored
    expect(ignored).not.toContain('mem_cache_size'); // sizes the node-wide cache (proxy-cache)
    expect(warnings[0].msg).toMatch(/\n {2}anonymous_reports \(.*kong\.conf:\d+\): Tollgate sends no usage reports\n/);
  });

  it('logs which variable set each key, and the Kong names it read as Tollgate keys', () => {
    const notes = jsonLines(node).filter((l) => String(l.msg).startsWith('configuration: ')).map((l) => l.msg);
    expect(notes).toContain('configuration: proxy_listen from KONG_PROXY_LISTEN');
    expect(notes).toContain('configuration: worker_processes from KONG_NGINX_WORKER_PROCESSES');
    expect(notes).toEqual(expect.arrayContaining([expect.stringMatching(/^configuration: worker_processes from nginx_worker_processes \(.*kong\.conf:\d+\)$/)]));
    expect(jsonLines(node).every((l) => typeof l.level === 'string')).toBe(true); // level names, not pino's numbers
  });
});

describe('a docker-compose-style KONG_* environment (DB-less, logs to stdout and stderr)', () => {
  let node: RunningNode;
  let upstream: Server;

  afterAll(async () => {
    if (node) await stopNode(node);
    upstream?.close();
  });

  it('starts a node that proxies the declarative configuration and writes Kong-format access lines to stdout', async () => {
    upstream = createServer((req, res) => res.end(`upstream saw ${req.url}`));
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const port = (upstream.address() as { port: number }).port;
    const dir = tempPrefix();
    const kongYml = join(dir, 'kong.yml');
    writeFileSync(kongYml, [
      '_format_version: "3.0"',
      'services:',
      `- name: echo`,
      `  url: http://127.0.0.1:${port}`,
      '  routes:',
      '  - name: echo',
      '    paths: [/echo]',
      '',
    ].join('\n'));
    node = await startNode(['-p', dir], {
      env: {
        // as Kong's documentation runs its image DB-less
        KONG_DATABASE: 'off',
        KONG_DECLARATIVE_CONFIG: kongYml,
        KONG_PROXY_ACCESS_LOG: '/dev/stdout',
        KONG_ADMIN_ACCESS_LOG: '/dev/stdout',
        KONG_PROXY_ERROR_LOG: '/dev/stderr',
        KONG_ADMIN_ERROR_LOG: '/dev/stderr',
        KONG_PROXY_LISTEN: '127.0.0.1:0',
        KONG_ADMIN_LISTEN: '127.0.0.1:0',
        KONG_STATUS_LISTEN: '127.0.0.1:0',
        KONG_NGINX_WORKER_PROCESSES: '1',
        // what an orchestrator adds: Kubernetes service links for a service named "kong"
        KONG_PORT: 'tcp://10.0.0.11:8000',
        KONG_PORT_8000_TCP_ADDR: '10.0.0.11',
        KONG_SERVICE_HOST: '10.0.0.11',
      },
    });
    const r = await http('GET', `http://127.0.0.1:${node.port('proxy_listen')}/echo/hi?x=1`, { headers: { 'user-agent': 'compose-test/1.0' } });
    expect(r.status).toBe(200);
    expect(r.text).toBe('upstream saw /hi?x=1');
    const requestId = r.headers['x-kong-request-id'];
    const line = await waitFor(async () => node.logs.find((l) => l.includes('"GET /echo/hi?x=1 HTTP/1.1"')), 'the access line on stdout');
    expect(line).toMatch(new RegExp(`^127\\.0\\.0\\.1 - - \\[\\d\\d/\\w{3}/\\d{4}:\\d\\d:\\d\\d:\\d\\d [+-]\\d{4}\\] "GET /echo/hi\\?x=1 HTTP/1\\.1" 200 20 "-" "compose-test/1\\.0" kong_request_id: "${requestId}"$`));
    const admin = await http('GET', `http://127.0.0.1:${node.port('admin_listen')}/services/echo`);
    expect(admin.status).toBe(200);
    await waitFor(async () => node.logs.find((l) => /^127\.0\.0\.1 - - \[.*\] "GET \/services\/echo HTTP\/1\.1" 200 \d+ "-" "-"$/.test(l)), 'the Admin API access line on stdout');
  });

  it('ignores the orchestrator variables that name no key, as Kong does, and says so once', () => {
    const warnings = jsonLines(node).filter((l) => l.level === 'warn' && String(l.msg).startsWith('ignoring '));
    expect(warnings.map((w) => w.unrelated_env)).toEqual([['KONG_PORT', 'KONG_PORT_8000_TCP_ADDR', 'KONG_SERVICE_HOST']]);
  });
});

describe('tollgate config check agrees with tollgate start', () => {
  it('refuses an unprotected admin_listen = 0.0.0.0:8001, as start does, with the same message', async () => {
    const dir = tempPrefix();
    const conf = writeConf(dir, { prefix: dir, admin_listen: '0.0.0.0:8001', proxy_listen: '127.0.0.1:0', status_listen: '127.0.0.1:0' });
    const check = runCli(['config', 'check', '-c', conf]);
    expect(check.code).toBe(1);
    expect(check.stderr).toContain('refusing to start: admin_listen binds 0.0.0.0:8001');
    const start = runCli(['start', '-c', conf]);
    expect(start.code).toBe(1);
    expect(start.stderr).toBe(check.stderr);
  });

  it.each([
    ['traditional', {}, ['proxy_listen', 'stream_listen', 'admin_listen', 'status_listen']],
    ['control_plane', { role: 'control_plane', cluster_cert: 'c.crt', cluster_cert_key: 'c.key' }, ['admin_listen', 'cluster_listen', 'status_listen']],
    ['data_plane', { role: 'data_plane', cluster_cert: 'c.crt', cluster_cert_key: 'c.key' }, ['proxy_listen', 'stream_listen', 'status_listen']],
  ])('lists only the listeners a %s node opens', (_role, extra, keys) => {
    const dir = tempPrefix();
    const r = runCli(['config', 'check', '-c', writeConf(dir, { prefix: dir, ...extra })]);
    expect(r.code).toBe(0);
    const listed = [...new Set(r.stdout.split('\n').slice(1).filter((l) => /^[a-z_]+_listen /.test(l)).map((l) => l.split(' ')[0]))];
    expect(listed).toEqual(keys);
  });

  it('prints the same ignored-key warning and variable sources as start', () => {
    const dir = tempPrefix();
    const r = runCli(['config', 'check', '-c', writeConf(dir, { prefix: dir, anonymous_reports: 'on', nginx_http_gzip: 'on' })], {
      env: { KONG_PG_HOST: 'kong-db', TOLLGATE_PG_PORT: '5433', KONG_PG_PORT: '5434' },
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('pg_host from KONG_PG_HOST\n');
    expect(r.stdout).toContain('pg_port from TOLLGATE_PG_PORT (TOLLGATE_PG_PORT wins over KONG_PG_PORT)\n');
    expect(r.stderr).toMatch(/^warning: ignoring 2 Kong setting\(s\) that have no effect in Tollgate:\n {2}anonymous_reports \(.*:\d+\): Tollgate sends no usage reports\n {2}nginx_http_gzip \(.*:\d+\): injected nginx directive: Tollgate runs no nginx\n$/);
  });

  it('a misspelt key or KONG_ variable is an error with did-you-mean', () => {
    const dir = tempPrefix();
    const r = runCli(['config', 'check', '-c', writeConf(dir, { prefix: dir, anonymous_report: 'on' })], { env: { KONG_PROXY_LISTN: '0.0.0.0:80' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("unknown key 'anonymous_report' (did you mean 'anonymous_reports'?)");
    expect(r.stderr).toContain('env KONG_PROXY_LISTN: unknown environment variable (did you mean KONG_PROXY_LISTEN?)');
  });
});

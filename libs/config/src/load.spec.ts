import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from './config-error';
import { parseConfText } from './conf-text';
import { KEYS } from './keys';
import { loadSettings, loadSettingsReport } from './load';
import type { Settings } from './types';

/** A fresh cwd holding tollgate.conf with this text. */
function dirWith(text?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-config-'));
  if (text !== undefined) writeFileSync(join(dir, 'tollgate.conf'), text);
  return dir;
}

function load(text?: string, env: NodeJS.ProcessEnv = {}, overrides?: Record<string, string>): Settings {
  return loadSettings({ cwd: dirWith(text), env, overrides });
}

function problemsOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadSettings: defaults are Kong\'s', () => {
  const cwd = dirWith();
  const settings = loadSettings({ cwd, env: {} });

  it.each<[keyof Settings, unknown]>([
    ['proxy_listen', ['0.0.0.0:8000 reuseport backlog=16384', '0.0.0.0:8443 http2 ssl reuseport backlog=16384']],
    ['admin_listen', ['127.0.0.1:8001 reuseport backlog=16384', '127.0.0.1:8444 http2 ssl reuseport backlog=16384']],
    ['status_listen', ['127.0.0.1:8007']],
    ['cluster_listen', ['0.0.0.0:8005']],
    ['stream_listen', ['off']],
    ['stream_listeners', []],
    ['prefix', join(cwd, 'data')],
    ['role', 'traditional'],
    ['database', 'sqlite'],
    ['sqlite_file', join(cwd, 'data', 'tollgate.db')],
    ['log_level', 'notice'],
    ['proxy_access_log', join(cwd, 'data', 'logs', 'access.log')],
    ['admin_access_log', join(cwd, 'data', 'logs', 'admin_access.log')],
    ['pg_host', '127.0.0.1'],
    ['pg_port', 5432],
    ['pg_user', 'kong'],
    ['pg_password', null],
    ['pg_timeout', 5000],
    ['pg_ssl', false],
    ['ssl_cert', []],
    ['ssl_protocols', ['TLSv1.2', 'TLSv1.3']],
    ['trusted_ips', []],
    ['real_ip_header', 'X-Real-IP'],
    ['real_ip_recursive', false],
    ['headers', ['server', 'via', 'x-kong-proxy-latency', 'x-kong-response-latency', 'x-kong-admin-latency', 'x-kong-upstream-latency', 'x-kong-request-id']],
    ['headers_upstream', ['x-kong-request-id']],
    ['error_default_type', 'text/plain'],
    ['worker_processes', availableParallelism()],
    ['plugins', ['bundled']],
    ['node_id', null],
    ['admin_max_body_size', 10 * 1024 * 1024],
    ['client_max_body_size', 0],
    ['client_header_timeout', 60_000],
    ['upstream_keepalive_pool_size', 512],
    ['upstream_keepalive_max_requests', 10000],
    ['upstream_keepalive_idle_timeout', 60],
    ['cluster_control_plane', '127.0.0.1:8005'],
    ['cluster_mtls', 'shared'],
    ['cluster_dp_labels', {}],
    ['cluster_data_plane_purge_delay', 1209600],
    ['cluster_max_payload', 16777216],
    ['router_flavor', 'traditional_compatible'],
    ['admin_gui_url', []],
  ])('%s', (key, expected) => {
    expect(settings[key]).toEqual(expected);
  });

  it('parses the default listeners', () => {
    expect(settings.proxy_listeners.map((l) => [l.ip, l.port, l.ssl, l.http2, l.reuseport, l.backlog])).toEqual([
      ['0.0.0.0', 8000, false, false, true, 16384],
      ['0.0.0.0', 8443, true, true, true, 16384],
    ]);
    expect(settings.admin_listeners.map((l) => l.listener)).toEqual(['127.0.0.1:8001 reuseport backlog=16384', '127.0.0.1:8444 ssl http2 reuseport backlog=16384']);
    expect(settings.status_listeners.map((l) => `${l.ip}:${l.port}`)).toEqual(['127.0.0.1:8007']);
    expect(settings.cluster_listeners.map((l) => `${l.ip}:${l.port}`)).toEqual(['0.0.0.0:8005']);
  });

  it('is deeply frozen and records sources', () => {
    expect(Object.isFrozen(settings)).toBe(true);
    expect(Object.isFrozen(settings.proxy_listeners[0])).toBe(true);
    expect(Object.isFrozen(settings.headers)).toBe(true);
    expect(settings.sources.proxy_listen).toBe('default');
    expect(Object.keys(settings.sources).sort()).toEqual(KEYS.map((def) => def.name).sort());
  });
});

describe('loadSettings: file format', () => {
  it.each<[string, string, Partial<Record<keyof Settings, unknown>>]>([
    ['comments and blank lines', '# a comment\n\n   log_level = debug   # trailing comment\n', { log_level: 'debug' }],
    ['\\# is a literal #', 'pg_password = sec\\#ret # comment\n', { pg_password: 'sec#ret' }],
    ['booleans on/off/true/false', 'pg_ssl = on\npg_ssl_verify = true\nreal_ip_recursive = off\nadmin_allow_insecure = false\n',
      { pg_ssl: true, pg_ssl_verify: true, real_ip_recursive: false, admin_allow_insecure: false }],
    ['lists trimmed, empty items dropped', 'trusted_ips = 10.0.0.0/8 ,, ::1 ,\n', { trusted_ips: ['10.0.0.0/8', '::1'] }],
    ['empty value means unset (scalar back to default)', 'pg_host =\nlog_level=\n', { pg_host: '127.0.0.1', log_level: 'notice' }],
    ['empty value means unset (list empty)', 'headers =\n', { headers: [] }],
    ['headers off and token expansion', 'headers = Via, latency_tokens\n',
      { headers: ['via', 'x-kong-proxy-latency', 'x-kong-response-latency', 'x-kong-admin-latency', 'x-kong-upstream-latency'] }],
    ['headers = off', 'headers = off\n', { headers: [] }],
    ['log off is null', 'proxy_access_log = off\n', { proxy_access_log: null }],
    ['absolute log path kept', 'proxy_error_log = /var/log/tollgate.log\n', { proxy_error_log: '/var/log/tollgate.log' }],
    ['sizes', 'client_max_body_size = 1k\nadmin_max_body_size = 2m\n', { client_max_body_size: 1024, admin_max_body_size: 2 * 1024 * 1024 }],
    ['durations', 'client_header_timeout = 1m30s\n', { client_header_timeout: 90_000 }],
    ['worker_processes number', 'worker_processes = 3\n', { worker_processes: 3 }],
    ['dp labels', 'role = data_plane\ncluster_cert = c.pem\ncluster_cert_key = k.pem\ncluster_dp_labels = region:eu, deployment:blue\n',
      { cluster_dp_labels: { region: 'eu', deployment: 'blue' } }],
    ['node_id lower-cased', 'node_id = 0D5F1E6C-58A1-4E1B-9C3B-77F0B5C5D0E1\n', { node_id: '0d5f1e6c-58a1-4e1b-9c3b-77f0b5c5d0e1' }],
    ['stream listeners', 'stream_listen = 0.0.0.0:4242, [::]:5555 ssl\n', { stream_listen: ['0.0.0.0:4242', '[::]:5555 ssl'] }],
    ['transparent proxy listener (TPROXY)', 'proxy_listen = 0.0.0.0:8000 transparent, 0.0.0.0:8443 ssl transparent\n',
      { proxy_listen: ['0.0.0.0:8000 transparent', '0.0.0.0:8443 ssl transparent'],
        proxy_listeners: [{ ip: '0.0.0.0', port: 8000, transparent: true }, { ip: '0.0.0.0', port: 8443, ssl: true, transparent: true }] }],
    ['CRLF line ends', 'log_level = warn\r\ndatabase = off\r\n', { log_level: 'warn', database: 'off' }],
  ])('%s', (_name, text, expected) => {
    expect(load(text)).toMatchObject(expected);
  });

  it('resolves relative prefix against cwd and certificate paths against prefix; inline PEM kept', () => {
    const cwd = dirWith('prefix = run\nssl_cert = certs/a.crt, /abs/b.crt\nssl_cert_key = certs/a.key, -----BEGIN PRIVATE KEY-----x\n');
    const settings = loadSettings({ cwd, env: {} });
    expect(settings.prefix).toBe(join(cwd, 'run'));
    expect(settings.ssl_cert).toEqual([join(cwd, 'run', 'certs/a.crt'), '/abs/b.crt']);
    expect(settings.ssl_cert_key).toEqual([join(cwd, 'run', 'certs/a.key'), '-----BEGIN PRIVATE KEY-----x']);
    expect(settings.sources.prefix).toBe('file');
  });

  it('parseConfText reports lines', () => {
    expect(parseConfText('a = 1\n# x\nb=  two words \n', 'f.conf')).toEqual({
      entries: [{ key: 'a', value: '1', line: 1 }, { key: 'b', value: 'two words', line: 3 }],
      problems: [],
    });
  });
});

describe('loadSettings: precedence', () => {
  it('defaults < file < KONG_* env < TOLLGATE_* env < overrides', () => {
    const cwd = dirWith('log_level = info\npg_host = file-host\nproxy_listen = 127.0.0.1:9000\n');
    const settings = loadSettings({
      cwd,
      env: { TOLLGATE_PROXY_LISTEN: '127.0.0.1:9100 ssl', TOLLGATE_PG_HOST: 'env-host', PATH: '/bin', KONG_LOG_LEVEL: 'debug' },
      overrides: { pg_host: 'cli-host' },
      prefix: '/srv/tollgate',
    });
    expect(settings.log_level).toBe('debug'); // KONG_LOG_LEVEL over the file
    expect(settings.proxy_listeners.map((l) => l.listener)).toEqual(['127.0.0.1:9100 ssl']);
    expect(settings.pg_host).toBe('cli-host');
    expect(settings.prefix).toBe('/srv/tollgate');
    expect(settings.sources).toMatchObject({ log_level: 'env', proxy_listen: 'env', pg_host: 'cli', prefix: 'cli', database: 'default' });
  });

  it('an empty env value unsets the key', () => {
    expect(load('stream_listen = 0.0.0.0:4242\n', { TOLLGATE_STREAM_LISTEN: '' }).stream_listeners).toEqual([]);
  });

  it('reads an explicit file relative to cwd, and fails when it is missing', () => {
    const cwd = dirWith();
    writeFileSync(join(cwd, 'other.conf'), 'log_level = error\n');
    expect(loadSettings({ cwd, env: {}, file: 'other.conf' }).log_level).toBe('error');
    expect(problemsOf(() => loadSettings({ cwd, env: {}, file: 'missing.conf' })).message).toBe(
      `invalid configuration (1 problem):\n  - configuration: configuration file '${join(cwd, 'missing.conf')}' not found`);
  });
});

describe('loadSettings: bad input (exact messages)', () => {
  it.each<[string, string, NodeJS.ProcessEnv, string[]]>([
    ['bad port', 'proxy_listen = 0.0.0.0:70000\n', {},
      ["FILE:1: proxy_listen: invalid port '70000' in '0.0.0.0:70000' (expected 1-65535, or 0 for an ephemeral port) [proxy_listen = 0.0.0.0:70000]"]],
    ['unknown flag', 'admin_listen = 127.0.0.1:8001 turbo\n', {},
      ["FILE:1: admin_listen: unknown flag 'turbo' in '127.0.0.1:8001 turbo' (allowed: ssl, http2, proxy_protocol, deferred, bind, reuseport, backlog=N, ipv6only=on|off, so_keepalive=on|off|<idle>:<intvl>:<cnt>) [admin_listen = 127.0.0.1:8001 turbo]"]],
    ['http2 on a stream listener', 'stream_listen = 0.0.0.0:4242 http2\n', {},
      ["FILE:1: stream_listen: flag 'http2' is not allowed on stream listeners [stream_listen = 0.0.0.0:4242 http2]"]],
    ['backlog=abc', '\nproxy_listen = 0.0.0.0:8000 backlog=abc\n', {},
      ["FILE:2: proxy_listen: invalid backlog 'abc' in '0.0.0.0:8000 backlog=abc' (expected backlog=<integer>) [proxy_listen = 0.0.0.0:8000 backlog=abc]"]],
    ['transparent on admin_listen', 'admin_listen = 127.0.0.1:8001 transparent\n', {},
      ["FILE:1: admin_listen: flag 'transparent' is not allowed on admin listeners [admin_listen = 127.0.0.1:8001 transparent]"]],
    ['transparent on status_listen', 'status_listen = 127.0.0.1:8007 transparent\n', {},
      ["FILE:1: status_listen: flag 'transparent' is not allowed on status listeners [status_listen = 127.0.0.1:8007 transparent]"]],
    ['unknown key with did-you-mean', 'log_level = info\nproxy_lisen = 0.0.0.0:8000\n', {},
      ["FILE:2: unknown key 'proxy_lisen' (did you mean 'proxy_listen'?) [proxy_lisen = 0.0.0.0:8000]"]],
    ['unknown key without a near match', 'colour = blue\n', {}, ["FILE:1: unknown key 'colour' [colour = blue]"]],
    ['duplicate key', 'log_level = info\n\nlog_level = debug\n', {},
      ['FILE:3: log_level: duplicate key (set on lines 1 and 3) [log_level = debug]']],
    ['line without =', 'just words\n', {}, ["FILE:1: expected 'key = value', got 'just words'"]],
    ['unknown TOLLGATE_ env', '', { TOLLGATE_ADMIN_LISTN: '127.0.0.1:1' },
      ['env TOLLGATE_ADMIN_LISTN: unknown environment variable (did you mean TOLLGATE_ADMIN_LISTEN?) [admin_listn = 127.0.0.1:1]']],
    ['bad env value', '', { TOLLGATE_PG_PORT: 'abc' }, ["env TOLLGATE_PG_PORT: pg_port: invalid number 'abc' [pg_port = abc]"]],
    ['enum', 'log_level = loud\n', {},
      ["FILE:1: log_level has an invalid value: 'loud' (debug, info, notice, warn, error, crit, alert, emerg) [log_level = loud]"]],
    ['boolean', 'pg_ssl = yes\n', {}, ["FILE:1: pg_ssl: invalid boolean 'yes' (expected on, off, true or false) [pg_ssl = yes]"]],
    ['number range', 'cluster_data_plane_purge_delay = 10\n', {},
      ['FILE:1: cluster_data_plane_purge_delay: must be at least 60, got 10 [cluster_data_plane_purge_delay = 10]']],
    ['size', 'client_max_body_size = 10q\n', {},
      ["FILE:1: client_max_body_size: invalid size '10q' (expected bytes with an optional k, m or g suffix, e.g. 10m) [client_max_body_size = 10q]"]],
    ['trusted_ips', 'trusted_ips = 10.0.0.0/8, 10.0.0.0/33, nope\n', {}, [
      "FILE:1: trusted_ips must be a comma separated list in the form of IPv4 or IPv6 address or CIDR block or 'unix:', got '10.0.0.0/33' [trusted_ips = 10.0.0.0/8, 10.0.0.0/33, nope]",
      "FILE:1: trusted_ips must be a comma separated list in the form of IPv4 or IPv6 address or CIDR block or 'unix:', got 'nope' [trusted_ips = 10.0.0.0/8, 10.0.0.0/33, nope]"]],
    ['headers token', 'headers = server, X-Powered-By\n', {}, ["FILE:1: headers: invalid entry 'X-Powered-By' [headers = server, X-Powered-By]"]],
    ['headers_upstream token', 'headers_upstream = via\n', {}, ["FILE:1: headers_upstream: invalid entry 'via' [headers_upstream = via]"]],
    ['node_id', 'node_id = 1234\n', {}, ['FILE:1: node_id must be a valid UUID [node_id = 1234]']],
    ['worker_processes', 'worker_processes = 0\n', {}, ["FILE:1: worker_processes must be 'auto' or a positive integer, got '0' [worker_processes = 0]"]],
    ['admin_access_allow', 'admin_access_allow = 10.0.0.0/8, 10.0.0/8\n', {},
      ["FILE:1: admin_access_allow: invalid IP address or CIDR block '10.0.0/8' [admin_access_allow = 10.0.0.0/8, 10.0.0/8]"]],
    ['cluster_dp_labels', 'role = data_plane\ncluster_cert = a\ncluster_cert_key = b\ncluster_dp_labels = region\n', {},
      ["FILE:4: cluster_dp_labels: invalid entry 'region' (expected key:value) [cluster_dp_labels = region]"]],
    ['cluster_control_plane', 'cluster_control_plane = cp.example\n', {},
      ["FILE:1: cluster_control_plane must be of form: <host>:<port>, got 'cp.example' [cluster_control_plane = cp.example]"]],
    ['admin_gui_url', 'admin_gui_url = admin.example:8002\n', {},
      ["FILE:1: admin_gui_url must be an http:// or https:// URL, got 'admin.example:8002' [admin_gui_url = admin.example:8002]"]],
    ['admin_gui_url, second entry', 'admin_gui_url = http://a.example:8002, gui.example\n', {},
      ["FILE:1: admin_gui_url must be an http:// or https:// URL, got 'gui.example' [admin_gui_url = http://a.example:8002, gui.example]"]],
    ['ssl_protocols', 'ssl_protocols = TLSv1.3 SSLv3\n', {},
      ["FILE:1: ssl_protocols has an invalid value: 'SSLv3' (TLSv1, TLSv1.1, TLSv1.2, TLSv1.3) [ssl_protocols = TLSv1.3 SSLv3]"]],
    ['hybrid needs cluster cert', 'role = control_plane\n', {},
      ['default: cluster certificate and key must be provided to use Hybrid mode']],
    ['control plane without database', 'role = control_plane\ndatabase = off\ncluster_cert = a\ncluster_cert_key = b\n', {},
      ['FILE:2: in-memory storage can not be used when role = "control_plane" [database = off]']],
    ['data plane without proxy', 'role = data_plane\nproxy_listen = off\ncluster_cert = a\ncluster_cert_key = b\n', {},
      ['FILE:2: proxy_listen must be specified when role = "data_plane" [proxy_listen = off]']],
    ['labels on a control plane', 'role = control_plane\ncluster_cert = a\ncluster_cert_key = b\ncluster_dp_labels = a:b\n', {},
      ['FILE:4: cluster_dp_labels can only be set when role = "data_plane" [cluster_dp_labels = a:b]']],
    ['ssl_cert without key', 'ssl_cert = a.crt\n', {}, ['default: ssl_cert_key must be specified']],
    ['ssl_cert count mismatch', 'admin_ssl_cert = a.crt, b.crt\nadmin_ssl_cert_key = a.key\n', {},
      ['FILE:1: admin_ssl_cert was specified 2 times while admin_ssl_cert_key was specified 1 times [admin_ssl_cert = a.crt, b.crt]']],
    ['real_ip_header proxy_protocol without the flag', 'real_ip_header = proxy_protocol\n', {},
      ["FILE:1: real_ip_header = proxy_protocol needs a proxy_listen entry with the 'proxy_protocol' flag [real_ip_header = proxy_protocol]"]],
    ['tracing off with other types', 'tracing_instrumentations = off, router\n', {},
      ['FILE:1: invalid tracing types: off, other types are mutually exclusive [tracing_instrumentations = off, router]']],
  ])('%s', (_name, text, env, lines) => {
    const cwd = dirWith(text);
    const file = join(cwd, 'tollgate.conf');
    const error = problemsOf(() => loadSettings({ cwd, env }));
    const expected = lines.map((line) => `  - ${line.replace('FILE', file)}`);
    expect(error.message).toBe([`invalid configuration (${lines.length} problem${lines.length === 1 ? '' : 's'}):`, ...expected].join('\n'));
  });

  it('tracing_instrumentations and tracing_sampling_rate: Kong defaults, lists, and the opentelemetry_* spellings', () => {
    expect(load()).toMatchObject({ tracing_instrumentations: ['off'], tracing_sampling_rate: 0.01 });
    expect(load('tracing_instrumentations = router, balancer\ntracing_sampling_rate = 1\n')).toMatchObject({ tracing_instrumentations: ['router', 'balancer'], tracing_sampling_rate: 1 });
    expect(load('opentelemetry_tracing = all\nopentelemetry_tracing_sampling_rate = 0.5\n')).toMatchObject({ tracing_instrumentations: ['all'], tracing_sampling_rate: 0.5 });
    expect(problemsOf(() => load('tracing_instrumentations = everything\n')).message).toContain('tracing_instrumentations');
    expect(problemsOf(() => load('tracing_sampling_rate = 2\n')).message).toContain('tracing_sampling_rate');
  });

  it('accepts real_ip_header = proxy_protocol with a proxy_protocol listener', () => {
    expect(load('real_ip_header = proxy_protocol\nproxy_listen = 0.0.0.0:8000 proxy_protocol\n').real_ip_header).toBe('proxy_protocol');
  });

  it('one message lists every problem, with lines and structured problems', () => {
    const text = [
      'proxy_listen = 0.0.0.0:99999',
      'stream_listen = 0.0.0.0:4242 http2',
      'log_levl = debug',
      'pg_port = many',
      'pg_port = 1',
      'headers = server, bogus',
      '',
    ].join('\n');
    const cwd = dirWith(text);
    const file = join(cwd, 'tollgate.conf');
    const error = problemsOf(() => loadSettings({ cwd, env: { TOLLGATE_DATABSE: 'off', TOLLGATE_ADMIN_LISTEN: '127.0.0.1:8001 deferred' } }));
    expect(error.message).toBe([
      'invalid configuration (8 problems):',
      `  - ${file}:5: pg_port: duplicate key (set on lines 4 and 5) [pg_port = 1]`,
      `  - ${file}:3: unknown key 'log_levl' (did you mean 'log_level'?) [log_levl = debug]`,
      '  - env TOLLGATE_DATABSE: unknown environment variable (did you mean TOLLGATE_DATABASE?) [databse = off]',
      `  - ${file}:1: proxy_listen: invalid port '99999' in '0.0.0.0:99999' (expected 1-65535, or 0 for an ephemeral port) [proxy_listen = 0.0.0.0:99999]`,
      "  - env TOLLGATE_ADMIN_LISTEN: admin_listen: flag 'deferred' is not supported (TCP_DEFER_ACCEPT cannot be set from Node.js without a native addon) [admin_listen = 127.0.0.1:8001 deferred]",
      `  - ${file}:2: stream_listen: flag 'http2' is not allowed on stream listeners [stream_listen = 0.0.0.0:4242 http2]`,
      `  - ${file}:4: pg_port: invalid number 'many' [pg_port = many]`,
      `  - ${file}:6: headers: invalid entry 'bogus' [headers = server, bogus]`,
    ].join('\n'));
    expect(error.problems[0]).toEqual({ key: 'pg_port', value: '1', line: 5, source: 'file', file, message: 'pg_port: duplicate key (set on lines 4 and 5)' });
    expect(error.problems).toHaveLength(8);
  });
});

describe("loadSettings: Kong's keys and KONG_* variables", () => {
  const kongConf = readFileSync(join(__dirname, '../../../test/fixtures/kong-3.10-defaults.tsv'), 'utf8')
    .split('\n').filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => line.replace('\t', ' = ')).join('\n');

  it("a complete Kong 3.10 kong.conf loads; what has no effect is reported with a reason", () => {
    const report = loadSettingsReport({ cwd: dirWith(kongConf), env: {} });
    expect(report.settings.database).toBe('postgres');
    expect(report.settings.client_max_header_size).toBe(4 * 8192); // nginx_http_large_client_header_buffers = 4 8k
    expect(report.settings.worker_processes).toBe(availableParallelism()); // nginx_worker_processes = auto
    expect(report.settings.mem_cache_size).toBe(128 * 1024 * 1024); // sizes proxy-cache's node-wide cache, as kong_db_cache
    expect(report.ignored.map((i) => i.key)).toEqual(expect.arrayContaining(['anonymous_reports', 'nginx_http_charset', 'lua_package_path']));
    expect(report.ignored.find((i) => i.key === 'anonymous_reports')).toEqual({ key: 'anonymous_reports', where: expect.stringMatching(/tollgate\.conf:\d+$/), reason: 'Tollgate sends no usage reports' });
    expect(report.aliased).toContainEqual({ from: 'nginx_worker_processes', to: 'worker_processes', where: expect.stringMatching(/tollgate\.conf:\d+$/) });
  });

  it('KONG_<KEY> sets a key; TOLLGATE_<KEY> wins over it; the report says which variable was used', () => {
    const report = loadSettingsReport({ cwd: dirWith(), env: { KONG_PG_HOST: 'db.kong', KONG_PG_PORT: '6543', TOLLGATE_PG_PORT: '7654', KONG_NGINX_WORKER_PROCESSES: '3' } });
    expect(report.settings.pg_host).toBe('db.kong');
    expect(report.settings.pg_port).toBe(7654);
    expect(report.settings.worker_processes).toBe(3);
    expect(report.environment).toEqual(expect.arrayContaining([
      { key: 'pg_host', variable: 'KONG_PG_HOST' },
      { key: 'pg_port', variable: 'TOLLGATE_PG_PORT', over: 'KONG_PG_PORT' },
      { key: 'worker_processes', variable: 'KONG_NGINX_WORKER_PROCESSES' },
    ]));
  });

  it('the Tollgate key wins over its Kong alias in the same file, whatever the order', () => {
    expect(load('worker_processes = 2\nnginx_worker_processes = 5\n').worker_processes).toBe(2);
    expect(load('nginx_worker_processes = 5\n').worker_processes).toBe(5);
  });

  it('router_flavor = traditional is accepted and reported at start as routing by traditional_compatible rules', () => {
    const report = loadSettingsReport({ cwd: dirWith('router_flavor = traditional\n'), env: {} });
    expect(report.settings.router_flavor).toBe('traditional');
    expect(report.ignored).toEqual([{ key: 'router_flavor = traditional', where: expect.stringMatching(/tollgate\.conf:1$/), reason: expect.stringContaining("traditional_compatible's rules") }]);
    expect(loadSettingsReport({ cwd: dirWith('router_flavor = traditional_compatible\n'), env: {} }).ignored).toEqual([]);
    expect(loadSettingsReport({ cwd: dirWith(''), env: { KONG_ROUTER_FLAVOR: 'traditional' } }).ignored.map((i) => i.where)).toEqual(['env KONG_ROUTER_FLAVOR']);
  });

  it('a misspelt KONG_ variable is an error with did-you-mean; one naming no key at all is ignored, as Kong does', () => {
    const error = problemsOf(() => load('', { KONG_PROXY_LISTN: '0.0.0.0:80' }));
    expect(error.message).toBe('invalid configuration (1 problem):\n  - env KONG_PROXY_LISTN: unknown environment variable (did you mean KONG_PROXY_LISTEN?) [proxy_listn = 0.0.0.0:80]');
    const report = loadSettingsReport({ cwd: dirWith(), env: { KONG_PORT: 'tcp://10.0.0.1:8000', KONG_SERVICE_HOST: '10.0.0.1', KONG_PORT_8000_TCP_ADDR: '10.0.0.1' } });
    expect(report.unrelatedEnv).toEqual(['KONG_PORT', 'KONG_PORT_8000_TCP_ADDR', 'KONG_SERVICE_HOST']);
  });

  it('a bad value given through a Kong name is reported under the name it was written as', () => {
    const error = problemsOf(() => load('nginx_worker_processes = many\nnginx_http_large_client_header_buffers = 4\n'));
    expect(error.problems.map((p) => [p.line, p.message])).toEqual([
      [2, "nginx_http_large_client_header_buffers: expected '<count> <size>', e.g. '4 8k', got '4'"],
      [1, "worker_processes must be 'auto' or a positive integer, got 'many'"],
    ]);
    expect(error.message).toContain('[nginx_worker_processes = many]');
  });

  it('a misspelt key in the file stays an error, suggesting Kong keys too', () => {
    expect(problemsOf(() => load('anonymous_report = on\n')).message).toContain("unknown key 'anonymous_report' (did you mean 'anonymous_reports'?)");
  });

  it('a data plane defaults status_listen to 127.0.0.1:8100 so it can run beside its control plane on 8007', () => {
    const dp = load('role = data_plane\ncluster_cert = c.crt\ncluster_cert_key = c.key\n');
    expect(dp.status_listen).toEqual(['127.0.0.1:8100']);
    expect(load('role = control_plane\ncluster_cert = c.crt\ncluster_cert_key = c.key\n').status_listen).toEqual(['127.0.0.1:8007']);
    expect(load('role = data_plane\ncluster_cert = c.crt\ncluster_cert_key = c.key\nstatus_listen = 127.0.0.1:9999\n').status_listen).toEqual(['127.0.0.1:9999']);
  });

  it('an unprotected non-loopback admin_listen is refused by the configuration itself (start and check agree)', () => {
    expect(problemsOf(() => load('admin_listen = 0.0.0.0:8001\n')).message).toContain('refusing to start: admin_listen binds 0.0.0.0:8001');
    expect(load('role = data_plane\nadmin_listen = 0.0.0.0:8001\ncluster_cert = c.crt\ncluster_cert_key = c.key\n').role).toBe('data_plane');
  });
});

describe('vault references in configuration values (kong.conf)', () => {
  function load(lines: string, env: NodeJS.ProcessEnv) {
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-vault-conf-'));
    const file = join(dir, 'tollgate.conf');
    writeFileSync(file, lines);
    return loadSettings({ file, env, cwd: dir });
  }

  test('a reference is replaced by its secret before the value is checked', () => {
    const settings = load('pg_password = {vault://env/pg-secret}\npg_port = {vault://env/pg/port}\n', { PG_SECRET: 's3cret', PG: '{"port":"6543"}' });
    expect(settings.pg_password).toBe('s3cret');
    expect(settings.pg_port).toBe(6543);
  });

  test('an environment value may be a reference too, and array items each', () => {
    const settings = load('', { TOLLGATE_PG_USER: '{vault://env/db-user}', DB_USER: 'kong', TOLLGATE_TRUSTED_IPS: '10.0.0.0/8, {vault://env/extra-net}', EXTRA_NET: '192.168.0.0/16' });
    expect(settings.pg_user).toBe('kong');
    expect(settings.trusted_ips).toEqual(['10.0.0.0/8', '192.168.0.0/16']);
  });

  test('a reference that does not resolve names the key, as Kong', () => {
    expect(() => load('pg_password = {vault://env/nope}\n', {})).toThrow(
      "failed to dereference '{vault://env/nope}': could not get value from external vault (no value found (nope)) for config option 'pg_password'",
    );
  });
});

describe('loadSettings: aliases of the key table and of the Kong table behave alike', () => {
  it.each([
    ['send_timeout = 10s\nnginx_http_send_timeout = 20s\n'],
    ['nginx_http_send_timeout = 20s\nsend_timeout = 10s\n'],
  ])('the key wins over its alias in the same file, whatever the order (%#)', (text) => {
    expect(load(text).send_timeout).toBe(10_000);
  });

  it('an alias alone sets the key, and the report says so', () => {
    const report = loadSettingsReport({ cwd: dirWith('nginx_http_send_timeout = 20s\n'), env: {} });
    expect(report.settings.send_timeout).toBe(20_000);
    expect(report.aliased).toEqual([{ from: 'nginx_http_send_timeout', to: 'send_timeout', where: expect.stringMatching(/tollgate\.conf:1$/) }]);
  });
});

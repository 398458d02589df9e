// syslog through a real node to a real local syslog daemon: Debian's rsyslogd, started here with its own config,
// listening on its own unix datagram socket (imuxsock; the node's `syslog_socket` points at it instead of
// /dev/log) and writing what it receives with omfile: facility, severity, tag, pid and Kong's serialized entry.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempPrefix } from '../support/cli-node';
import { http } from '../support/http';
import { waitFor } from '../support/wait';
import { startLogNode, type LogNode } from './support/log-node';

interface Received { facility: string; severity: string; tag: string; pid: string; entry: Record<string, any> }

describe('syslog on a running node, to rsyslogd', () => {
  let n: LogNode;
  let rsyslogd: ChildProcess;
  let out: string;
  const received = (): Received[] => (existsSync(out) ? readFileSync(out, 'utf8').trim().split('\n').filter(Boolean) : []).map((line) => {
    const [facility, severity, tag, pid, ...msg] = line.split('|');
    return { facility, severity, tag, pid, entry: JSON.parse(msg.join('|').trim()) };
  });

  beforeAll(async () => {
    const dir = tempPrefix();
    const socket = join(dir, 'log');
    out = join(dir, 'received.log');
    const conf = join(dir, 'rsyslog.conf');
    writeFileSync(conf, [
      `global(workDirectory="${dir}" maxMessageSize="64k")`,
      'module(load="imuxsock" SysSock.Use="off")',
      `input(type="imuxsock" Socket="${socket}" RateLimit.Interval="0")`,
      'template(name="fields" type="string" string="%syslogfacility-text%|%syslogseverity-text%|%programname%|%procid%|%msg%\\n")',
      `*.* action(type="omfile" file="${out}" template="fields")`,
      '',
    ].join('\n'));
    rsyslogd = spawn('rsyslogd', ['-n', '-f', conf, '-i', join(dir, 'rsyslogd.pid')], { stdio: 'ignore' });
    await waitFor(async () => (existsSync(socket) ? true : undefined), 'the rsyslogd socket');
    n = await startLogNode({ conf: { syslog_socket: socket } });
    await n.route('quiet', [{ name: 'syslog', config: { log_level: 'warning' } }]);
    await n.route('loud', [
      { name: 'pre-function', config: { access: ['kong.log.set_serialize_value("request.tenant", "acme")'] } },
      { name: 'syslog', config: { successful_severity: 'notice', facility: 'local3' } },
    ]);
    await n.route('failing', [
      { name: 'request-termination', config: { status_code: 502 } },
      { name: 'syslog', config: { log_level: 'err', server_errors_severity: 'crit', facility: 'daemon' } },
    ]);
  });
  afterAll(async () => {
    await n?.close();
    if (rsyslogd && rsyslogd.exitCode === null) {
      rsyslogd.kill('SIGTERM');
      await new Promise((r) => rsyslogd.once('exit', r));
    }
  });

  it('sends each entry with its status class severity and facility, tagged kong with the worker pid', async () => {
    expect((await http('GET', `${n.proxy}/quiet`)).status).toBe(200);
    expect((await http('GET', `${n.proxy}/loud?a=1`)).status).toBe(200);
    await waitFor(async () => (received().length >= 1 ? true : undefined), 'the first entry in rsyslog');
    expect((await http('GET', `${n.proxy}/failing`)).status).toBe(502);
    const all = await waitFor(async () => { const r = received(); return r.length >= 2 ? r : undefined; }, 'the second entry in rsyslog');
    expect(all).toHaveLength(2); // the info entry of /quiet is below its log_level
    const [loud, failing] = all;
    expect(loud).toMatchObject({ facility: 'local3', severity: 'notice', tag: 'kong' });
    expect(Number(loud.pid)).toBeGreaterThan(0);
    expect(loud.entry).toMatchObject({ request: { uri: '/loud?a=1', tenant: 'acme' }, response: { status: 200 }, route: { name: 'loud' }, service: { name: 'echo' } });
    expect(failing).toMatchObject({ facility: 'daemon', severity: 'crit', tag: 'kong' });
    expect(failing.entry).toMatchObject({ response: { status: 502 }, route: { name: 'failing' } });
  });

  it('stored config gets Kong\'s defaults; facility is checked', async () => {
    const r = await http('POST', `${n.admin}/plugins`, { body: { name: 'syslog', config: {} } });
    expect(r.status).toBe(201);
    expect(r.json.config).toEqual({
      log_level: 'info', successful_severity: 'info', client_errors_severity: 'info', server_errors_severity: 'info', custom_fields_by_lua: null, facility: 'user',
    });
    expect((await http('DELETE', `${n.admin}/plugins/${r.json.id}`)).status).toBe(204);
    const bad = await http('POST', `${n.admin}/plugins`, { body: { name: 'syslog', config: { facility: 'LOCAL0' } } });
    expect(bad.status).toBe(400);
    expect(bad.json.fields.config.facility).toMatch(/^expected one of: auth, authpriv, cron/);
  });
});

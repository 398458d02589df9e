// The commands a Kong operator reaches for: `check`, `prepare`, `restart`, `cluster cert CERT KEY`, and usage
// errors for unknown commands and stray arguments. The real CLI, real files, a real node for restart.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { http } from '../support/http';
import { waitFor } from '../support/wait';
import { BIN, ROOT, loopbackConf, runCli, runCliAsync, startNode, tempPrefix, writeConf } from '../support/cli-node';
import { guardPipes } from '../support/child-pipes';

jest.setTimeout(90_000);

describe('tollgate usage errors', () => {
  it.each([
    [['stop', 'now'], "unexpected argument for 'stop': 'now'"],
    [['start', 'extra', 'args'], "unexpected arguments for 'start': 'extra' 'args'"],
    [['reload', 'tollgate.conf'], "unexpected argument for 'reload': 'tollgate.conf'"],
    [['migrations', 'up', 'twice'], "unexpected argument for 'migrations': 'twice'"],
    [['cluster', 'cert', 'a.crt', 'a.key', 'extra'], "unexpected argument for 'cluster': 'extra'"],
    [['config', 'check', 'a.conf', 'b.conf'], "unexpected argument for 'config check': 'b.conf'"],
    [['config', 'history', 'now'], "unexpected argument for 'config history': 'now'"],
    [['config', 'diff', '1', '2', '3'], "unexpected argument for 'config': '3'"],
    [['logs', 'rotate'], "unknown logs sub-command 'rotate'"],
    [['logs'], 'logs needs a sub-command: reopen'],
  ])('tollgate %j exits 2 with usage', (argv, message) => {
    const r = runCli(argv);
    expect(r.stderr).toContain(`Error: ${message}`);
    expect(r.stderr).toContain('Usage: tollgate <command>');
    expect(r.code).toBe(2);
  });
});

describe('tollgate cluster cert', () => {
  it('takes Kong\'s positional form CERT KEY (kong hybrid gen_cert <cert> <key>)', () => {
    const dir = tempPrefix();
    const r = runCli(['cluster', 'cert', 'my.crt', 'my.key'], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, 'my.crt'), 'utf8')).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(readFileSync(join(dir, 'my.key'), 'utf8')).toMatch(/PRIVATE KEY-----/);
    expect(existsSync(join(dir, 'cluster.crt'))).toBe(false);
  });

  it('refuses a file given both ways', () => {
    const r = runCli(['cluster', 'cert', 'a.crt', 'a.key', '--cert', 'b.crt'], { cwd: tempPrefix() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("the cert file is given twice: 'a.crt' and --cert 'b.crt'");
  });
});

describe('tollgate check', () => {
  it('is config check (kong check <conf>): FILE as a positional or with -c', () => {
    const dir = tempPrefix();
    const file = writeConf(dir, { stream_listen: '127.0.0.1:4242' });
    for (const argv of [['check', file], ['check', '-c', file], ['config', 'check', file]]) {
      const r = runCli(argv);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('configuration is valid');
      expect(r.stdout).toContain('stream_listen   127.0.0.1:4242');
    }
    const bad = runCli(['check', writeConf(tempPrefix(), { proxy_lisen: '127.0.0.1:0' })]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('proxy_lisen');
  });
});

describe('tollgate prepare', () => {
  it('lays out the prefix without starting: directories, node id, default certificates of ssl listeners', () => {
    const dir = tempPrefix();
    const prefix = join(dir, 'kong-like');
    const file = writeConf(dir, { prefix, proxy_listen: '127.0.0.1:0, 127.0.0.1:0 ssl', admin_listen: '127.0.0.1:0 ssl' });
    const r = runCli(['prepare', '-c', file]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const id = readFileSync(join(prefix, 'tollgate.id'), 'utf8').trim();
    expect(r.stdout).toBe(
      `prefix prepared at ${prefix} (role traditional, node id ${id})\n`
      + `  certificate ${join(prefix, 'ssl', 'proxy-default.crt')}\n  certificate ${join(prefix, 'ssl', 'admin-default.crt')}\n`,
    );
    for (const d of ['pids', 'logs', 'ssl']) expect(statSync(join(prefix, d)).isDirectory()).toBe(true);
    expect(statSync(join(prefix, 'ssl', 'proxy-default.key')).mode & 0o077).toBe(0);
    expect(existsSync(join(prefix, 'pids', 'tollgate.pid'))).toBe(false); // nothing started
    // a start later uses what prepare made
    expect(runCli(['prepare', '-c', file]).stdout).toContain(`node id ${id}`);
  });
});

describe('tollgate restart', () => {
  it('stops the node in the prefix gracefully and starts it again with the same configuration file', async () => {
    const prefix = tempPrefix();
    const first = await startNode(['-c', writeConf(prefix, loopbackConf(prefix)), '-p', prefix]);
    const child = guardPipes(spawn(process.execPath, [BIN, 'restart', '-p', prefix], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] }));
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (out += c));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      expect(await first.exited).toEqual({ code: 0, signal: null });
      await waitFor(async () => (out.includes('tollgate started') ? true : undefined), `the restarted node; output:\n${out}`, 60_000);
      expect(readFileSync(join(prefix, 'pids', 'tollgate.pid'), 'utf8').trim()).toBe(String(child.pid));
      const health = await runCliAsync(['health', '-p', prefix]);
      expect(health.stdout).toContain('tollgate is healthy');
      // the same file: its listeners (loopback, ephemeral) and prefix, not the defaults
      const status = JSON.parse(readFileSync(join(prefix, 'pids', 'listeners.json'), 'utf8')).find((l: { key: string }) => l.key === 'status_listen');
      expect((await http('GET', `http://127.0.0.1:${status.port}/status/ready`)).status).toBe(200);
    } finally {
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  });
});

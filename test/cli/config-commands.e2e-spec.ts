// `tollgate config check | init`, `tollgate firewall`, usage errors: the command line as an operator types it.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempPrefix, writeConf } from '../support/cli-node';

describe('tollgate config', () => {
  it('config init writes a commented default tollgate.conf that config check accepts', () => {
    const dir = tempPrefix();
    const file = join(dir, 'tollgate.conf');
    const init = runCli(['config', 'init', file]);
    expect(init.code).toBe(0);
    expect(init.stdout).toBe(`wrote ${file}\n`);
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/^#\s*proxy_listen = 0\.0\.0\.0:8000 reuseport backlog=16384, 0\.0\.0\.0:8443 http2 ssl reuseport backlog=16384/m);
    const check = runCli(['config', 'check', '-c', file]);
    expect(check.code).toBe(0);
    expect(check.stdout).toContain('configuration is valid (role traditional, database sqlite');
    expect(check.stdout).toContain('proxy_listen    0.0.0.0:8000 reuseport backlog=16384');
    expect(check.stdout).toContain('stream_listen   off');
    expect(runCli(['config', 'init', file]).code).toBe(1); // never overwrites silently
  });

  it('config check prints the effective listeners, environment overrides included', () => {
    const dir = tempPrefix();
    const file = writeConf(dir, { stream_listen: '0.0.0.0:4242' });
    const r = runCli(['config', 'check', '-c', file], { env: { TOLLGATE_ADMIN_LISTEN: '127.0.0.1:9001' } });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('stream_listen   0.0.0.0:4242');
    expect(r.stdout).toContain('admin_listen    127.0.0.1:9001');
  });

  it('config check on a bad file exits 1 listing every problem', () => {
    const dir = tempPrefix();
    const file = writeConf(dir, { stream_listen: '0.0.0.0:4242 http2', proxy_listen: '0.0.0.0:8000 backlog=abc' });
    const r = runCli(['config', 'check', '-c', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('stream_listen');
    expect(r.stderr).toContain('http2');
    expect(r.stderr).toContain('backlog=abc');
  });

  it('a missing -c file is an error naming it', () => {
    const r = runCli(['config', 'check', '-c', '/nonexistent/tollgate.conf']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('/nonexistent/tollgate.conf');
  });
});

describe('tollgate firewall', () => {
  it('opens the seed example stream port 4242 and the proxy ports', () => {
    const dir = tempPrefix();
    const file = writeConf(dir, { stream_listen: '0.0.0.0:4242' });
    const r = runCli(['firewall', '-c', file, '--format', 'iptables']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/--dport 8000 .*ACCEPT/);
    expect(r.stdout).toMatch(/--dport 8443 .*ACCEPT/);
    expect(r.stdout).toMatch(/--dport 4242 .*ACCEPT/);
    expect(r.stdout).not.toMatch(/--dport 8001 .*ACCEPT/);
  });

  it('adds the TPROXY rules and policy routing for a transparent stream listener', () => {
    const dir = tempPrefix();
    const file = writeConf(dir, { stream_listen: '0.0.0.0:4242 transparent' });
    const r = runCli(['firewall', '-c', file, '--format', 'iptables']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('iptables -t mangle -A PREROUTING -p tcp --dport 4242 -j TPROXY --on-port 4242 --on-ip 0.0.0.0 --tproxy-mark 0x1/0x1');
    expect(r.stdout).toContain('ip rule add fwmark 1 lookup 100');
    expect(r.stdout).toContain('ip route add local 0.0.0.0/0 dev lo table 100');
  });

  it('rejects an unknown --format', () => {
    const r = runCli(['firewall', '--format', 'ufw']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--format must be one of nftables, iptables, pf, got 'ufw'");
  });
});

describe('tollgate usage', () => {
  it('an unknown command prints usage and exits 2', () => {
    const r = runCli(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown command 'frobnicate'");
    expect(r.stderr).toContain('Usage: tollgate <command>');
  });

  it('tollgate version prints the package version', () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8'));
    expect(runCli(['version']).stdout).toBe(`tollgate ${pkg.version}\n`);
    expect(existsSync(join(__dirname, '..', '..', 'bin', 'tollgate.js'))).toBe(true);
  });
});

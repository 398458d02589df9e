import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSettings, parseListen } from '@tollgate/config';
import type { Settings } from '@tollgate/config';
import { renderFirewall, renderTproxy } from './index';

const cwd = mkdtempSync(join(tmpdir(), 'tollgate-firewall-'));
const settingsWith = (overrides: Record<string, string>): Settings => loadSettings({ cwd, env: {}, overrides });

/** The rule lines only (no comments, no table/chain scaffolding), trimmed. */
function ruleLines(text: string): string[] {
  return text.split('\n').map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#') && !/^(table|delete table|chain|type filter|\})/.test(line));
}

const DEFAULT_COMMENTS = [
  '# proxy_listen 0.0.0.0:8000 reuseport backlog=16384: open to everyone',
  '# proxy_listen 0.0.0.0:8443 ssl http2 reuseport backlog=16384: open to everyone',
  '# admin_listen 127.0.0.1:8001 reuseport backlog=16384: loopback only, no rule needed',
  '# admin_listen 127.0.0.1:8444 ssl http2 reuseport backlog=16384: loopback only, no rule needed',
  '# status_listen 127.0.0.1:8007: loopback only, no rule needed',
  '# cluster_listen: not opened when role = traditional, no rule needed',
];

describe('renderFirewall: default configuration (8000 and 8443 open, loopback admin/status need nothing)', () => {
  const settings = settingsWith({});

  it('nftables, whole text', () => {
    expect(renderFirewall(settings, 'nftables')).toBe([
      '#!/usr/sbin/nft -f',
      '# Firewall rules for Tollgate\'s listeners (nftables), from `tollgate firewall`.',
      '# Load: nft -f FILE (re-loading replaces the table). Remove: nft delete table inet tollgate',
      '# The drops below are final. A packet accepted here still meets your other tables: if your own input chain',
      '# drops by default, accept the opened ports there too.',
      'table inet tollgate',
      'delete table inet tollgate',
      'table inet tollgate {',
      '\tchain input {',
      '\t\ttype filter hook input priority -10; policy accept;',
      '',
      `\t\t${DEFAULT_COMMENTS[0]}`,
      '\t\tmeta nfproto ipv4 tcp dport 8000 accept',
      '',
      `\t\t${DEFAULT_COMMENTS[1]}`,
      '\t\tmeta nfproto ipv4 tcp dport 8443 accept',
      ...DEFAULT_COMMENTS.slice(2).flatMap((comment) => ['', `\t\t${comment}`]),
      '\t}',
      '}',
      '',
    ].join('\n'));
  });

  it('iptables, whole text', () => {
    expect(renderFirewall(settings, 'iptables')).toBe([
      '# Firewall rules for Tollgate\'s listeners (iptables for IPv4, ip6tables for IPv6), from `tollgate firewall`.',
      '# They live in chain TOLLGATE, jumped to first from INPUT. Remove: <cmd> -D INPUT -j TOLLGATE; <cmd> -F TOLLGATE; <cmd> -X TOLLGATE',
      'iptables -N TOLLGATE',
      '',
      DEFAULT_COMMENTS[0],
      'iptables -A TOLLGATE -p tcp --dport 8000 -j ACCEPT',
      '',
      DEFAULT_COMMENTS[1],
      'iptables -A TOLLGATE -p tcp --dport 8443 -j ACCEPT',
      ...DEFAULT_COMMENTS.slice(2).flatMap((comment) => ['', comment]),
      '',
      'iptables -I INPUT 1 -j TOLLGATE',
      '',
    ].join('\n'));
  });

  it('pf, whole text', () => {
    expect(renderFirewall(settings, 'pf')).toBe([
      '# Firewall rules for Tollgate\'s listeners (pf), from `tollgate firewall`.',
      '# Add them to /etc/pf.conf before your other filter rules, then: pfctl -f /etc/pf.conf',
      '',
      DEFAULT_COMMENTS[0],
      'pass in quick inet proto tcp from any to any port 8000',
      '',
      DEFAULT_COMMENTS[1],
      'pass in quick inet proto tcp from any to any port 8443',
      ...DEFAULT_COMMENTS.slice(2).flatMap((comment) => ['', comment]),
      '',
    ].join('\n'));
  });
});

type Scenario = [string, Record<string, string>, { nftables: string[]; iptables: string[]; pf: string[] }];

const SCENARIOS: Scenario[] = [
  ['stream_listen = 0.0.0.0:4242 gets a rule for 4242', { proxy_listen: 'off', stream_listen: '0.0.0.0:4242' }, {
    nftables: ['meta nfproto ipv4 tcp dport 4242 accept'],
    iptables: ['iptables -N TOLLGATE', 'iptables -A TOLLGATE -p tcp --dport 4242 -j ACCEPT', 'iptables -I INPUT 1 -j TOLLGATE'],
    pf: ['pass in quick inet proto tcp from any to any port 4242'],
  }],
  ['admin on a public interface: accept from admin_access_allow, then drop',
    { proxy_listen: 'off', admin_listen: '0.0.0.0:8001', admin_access_allow: '10.0.0.0/8' }, {
      nftables: ['ip saddr 10.0.0.0/8 tcp dport 8001 accept', 'meta nfproto ipv4 tcp dport 8001 drop'],
      iptables: ['iptables -N TOLLGATE', 'iptables -A TOLLGATE -p tcp -s 10.0.0.0/8 --dport 8001 -j ACCEPT',
        'iptables -A TOLLGATE -p tcp --dport 8001 -j DROP', 'iptables -I INPUT 1 -j TOLLGATE'],
      pf: ['pass in quick inet proto tcp from 10.0.0.0/8 to any port 8001', 'block drop in quick inet proto tcp from any to any port 8001'],
    }],
  ['admin on a public interface with an empty allow-list: drop only', { proxy_listen: 'off', admin_listen: '192.0.2.10:8001', admin_allow_insecure: 'on' }, {
    nftables: ['ip daddr 192.0.2.10 tcp dport 8001 drop'],
    iptables: ['iptables -N TOLLGATE', 'iptables -A TOLLGATE -p tcp -d 192.0.2.10 --dport 8001 -j DROP', 'iptables -I INPUT 1 -j TOLLGATE'],
    pf: ['block drop in quick inet proto tcp from any to 192.0.2.10 port 8001'],
  }],
  ['IPv6 listeners: dual-stack [::], a specific address, ip6tables', {
    proxy_listen: '[::]:8000, [2001:db8::1]:8443 ssl',
    admin_listen: '[::]:8001', admin_access_allow: '10.0.0.0/8, fd00::/8',
  }, {
    nftables: ['tcp dport 8000 accept', 'ip6 daddr 2001:db8::1 tcp dport 8443 accept',
      'ip saddr 10.0.0.0/8 tcp dport 8001 accept', 'ip6 saddr fd00::/8 tcp dport 8001 accept', 'tcp dport 8001 drop'],
    iptables: ['iptables -N TOLLGATE', 'ip6tables -N TOLLGATE',
      'iptables -A TOLLGATE -p tcp --dport 8000 -j ACCEPT', 'ip6tables -A TOLLGATE -p tcp --dport 8000 -j ACCEPT',
      'ip6tables -A TOLLGATE -p tcp -d 2001:db8::1 --dport 8443 -j ACCEPT',
      'iptables -A TOLLGATE -p tcp -s 10.0.0.0/8 --dport 8001 -j ACCEPT', 'ip6tables -A TOLLGATE -p tcp -s fd00::/8 --dport 8001 -j ACCEPT',
      'iptables -A TOLLGATE -p tcp --dport 8001 -j DROP', 'ip6tables -A TOLLGATE -p tcp --dport 8001 -j DROP',
      'iptables -I INPUT 1 -j TOLLGATE', 'ip6tables -I INPUT 1 -j TOLLGATE'],
    pf: ['pass in quick proto tcp from any to any port 8000', 'pass in quick inet6 proto tcp from any to 2001:db8::1 port 8443',
      'pass in quick inet proto tcp from 10.0.0.0/8 to any port 8001', 'pass in quick inet6 proto tcp from fd00::/8 to any port 8001',
      'block drop in quick proto tcp from any to any port 8001'],
  }],
  ['control plane: cluster and status from trusted_ips (per family), no proxy rule', {
    role: 'control_plane', cluster_cert: 'c.pem', cluster_cert_key: 'k.pem',
    status_listen: '[::]:8007 ipv6only=on', trusted_ips: '192.168.0.0/16, 2001:db8::/32, unix:',
  }, {
    nftables: ['ip6 saddr 2001:db8::/32 tcp dport 8007 accept', 'meta nfproto ipv6 tcp dport 8007 drop',
      'ip saddr 192.168.0.0/16 tcp dport 8005 accept', 'meta nfproto ipv4 tcp dport 8005 drop'],
    iptables: ['iptables -N TOLLGATE', 'ip6tables -N TOLLGATE',
      'ip6tables -A TOLLGATE -p tcp -s 2001:db8::/32 --dport 8007 -j ACCEPT', 'ip6tables -A TOLLGATE -p tcp --dport 8007 -j DROP',
      'iptables -A TOLLGATE -p tcp -s 192.168.0.0/16 --dport 8005 -j ACCEPT', 'iptables -A TOLLGATE -p tcp --dport 8005 -j DROP',
      'iptables -I INPUT 1 -j TOLLGATE', 'ip6tables -I INPUT 1 -j TOLLGATE'],
    pf: ['pass in quick inet6 proto tcp from 2001:db8::/32 to any port 8007', 'block drop in quick inet6 proto tcp from any to any port 8007',
      'pass in quick inet proto tcp from 192.168.0.0/16 to any port 8005', 'block drop in quick inet proto tcp from any to any port 8005'],
  }],
  ['hostname and ephemeral port listeners', { proxy_listen: 'gateway.example:8000, 0.0.0.0:0' }, {
    nftables: ['tcp dport 8000 accept'],
    iptables: ['iptables -N TOLLGATE', 'ip6tables -N TOLLGATE', 'iptables -A TOLLGATE -p tcp --dport 8000 -j ACCEPT',
      'ip6tables -A TOLLGATE -p tcp --dport 8000 -j ACCEPT', 'iptables -I INPUT 1 -j TOLLGATE', 'ip6tables -I INPUT 1 -j TOLLGATE'],
    pf: ['pass in quick proto tcp from any to any port 8000'],
  }],
];

describe.each(SCENARIOS)('renderFirewall: %s', (_name, overrides, expected) => {
  const settings = settingsWith(overrides);
  it.each(['nftables', 'iptables', 'pf'] as const)('%s rules', (format) => {
    expect(ruleLines(renderFirewall(settings, format))).toEqual(expected[format]);
  });
});

it('explains each listener in comments (scenario texts)', () => {
  const text = renderFirewall(settingsWith({ proxy_listen: 'gateway.example:8000, 0.0.0.0:0', admin_listen: '0.0.0.0:8001', admin_allow_insecure: 'on' }), 'pf');
  expect(text.split('\n').filter((line) => line.startsWith('# ') && line.includes('_listen'))).toEqual([
    '# proxy_listen gateway.example:8000: open to everyone (hostname: rules match any local address)',
    '# proxy_listen 0.0.0.0:0: ephemeral port, no rule can be written',
    '# admin_listen 0.0.0.0:8001: admin_access_allow has no IPv4 entry, so nobody from the network',
    '# status_listen 127.0.0.1:8007: loopback only, no rule needed',
    '# cluster_listen: not opened when role = traditional, no rule needed',
  ]);
});

it('nftables output is valid for `nft -c -f` (every scenario)', () => {
  if (spawnSync('nft', ['--version']).error) {
    console.log('nft is not installed: nftables syntax check not run (the exact-text assertions above still ran)');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-nft-'));
  for (const overrides of [{}, ...SCENARIOS.map(([, o]) => o)]) {
    const file = join(dir, 'rules.nft');
    writeFileSync(file, renderFirewall(settingsWith(overrides), 'nftables'));
    expect(() => execFileSync('nft', ['-c', '-f', file], { stdio: 'pipe' })).not.toThrow();
  }
});

describe('renderTproxy', () => {
  const entry = (value: string) => parseListen('stream_listen', value, 'stream').listeners[0];

  it('IPv4 listener: mangle TPROXY rule for its port, fwmark rule and local route', () => {
    expect(renderTproxy(entry('0.0.0.0:4242 transparent'))).toBe([
      '# TPROXY for 0.0.0.0:4242 transparent: TCP to any address on port 4242 is delivered to this listener.',
      '# Run as root (CAP_NET_ADMIN). Packets of established flows are marked through chain TOLLGATE_DIVERT.',
      'iptables -t mangle -N TOLLGATE_DIVERT',
      'iptables -t mangle -A TOLLGATE_DIVERT -j MARK --set-mark 1',
      'iptables -t mangle -A TOLLGATE_DIVERT -j ACCEPT',
      'iptables -t mangle -A PREROUTING -p tcp -m socket -j TOLLGATE_DIVERT',
      'iptables -t mangle -A PREROUTING -p tcp --dport 4242 -j TPROXY --on-port 4242 --on-ip 0.0.0.0 --tproxy-mark 0x1/0x1',
      'ip rule add fwmark 1 lookup 100',
      'ip route add local 0.0.0.0/0 dev lo table 100',
      '',
    ].join('\n'));
  });

  it('IPv6 listener with chosen intercepted ports', () => {
    expect(ruleLines(renderTproxy(entry('[::]:4242 ipv6only=on transparent'), { ports: [80, 443] }))).toEqual([
      'ip6tables -t mangle -N TOLLGATE_DIVERT',
      'ip6tables -t mangle -A TOLLGATE_DIVERT -j MARK --set-mark 1',
      'ip6tables -t mangle -A TOLLGATE_DIVERT -j ACCEPT',
      'ip6tables -t mangle -A PREROUTING -p tcp -m socket -j TOLLGATE_DIVERT',
      'ip6tables -t mangle -A PREROUTING -p tcp --dport 80 -j TPROXY --on-port 4242 --on-ip :: --tproxy-mark 0x1/0x1',
      'ip6tables -t mangle -A PREROUTING -p tcp --dport 443 -j TPROXY --on-port 4242 --on-ip :: --tproxy-mark 0x1/0x1',
      'ip -6 rule add fwmark 1 lookup 100',
      'ip -6 route add local ::/0 dev lo table 100',
    ]);
  });
});

describe('renderFirewall: transparent listeners get their TPROXY recipe', () => {
  const tproxyLines = (text: string) => ruleLines(text).filter((line) => line.includes('mangle') || line.startsWith('ip '));

  it('a transparent proxy_listen entry (the seed example: port 8000)', () => {
    const text = renderFirewall(settingsWith({ proxy_listen: '127.0.0.1:8000 transparent' }), 'iptables');
    expect(text).toContain('# TPROXY for 127.0.0.1:8000 transparent: TCP to any address on port 8000 is delivered to this listener.');
    expect(tproxyLines(text)).toEqual([
      'iptables -t mangle -N TOLLGATE_DIVERT',
      'iptables -t mangle -A TOLLGATE_DIVERT -j MARK --set-mark 1',
      'iptables -t mangle -A TOLLGATE_DIVERT -j ACCEPT',
      'iptables -t mangle -A PREROUTING -p tcp -m socket -j TOLLGATE_DIVERT',
      'iptables -t mangle -A PREROUTING -p tcp --dport 8000 -j TPROXY --on-port 8000 --on-ip 127.0.0.1 --tproxy-mark 0x1/0x1',
      'ip rule add fwmark 1 lookup 100',
      'ip route add local 0.0.0.0/0 dev lo table 100',
    ]);
  });

  it('proxy and stream listeners together: the divert chain and policy routing once per family', () => {
    const text = renderFirewall(settingsWith({ proxy_listen: '0.0.0.0:8000 transparent, 0.0.0.0:8443 ssl', stream_listen: '[::]:4242 transparent' }), 'nftables');
    expect(tproxyLines(text)).toEqual([
      'iptables -t mangle -N TOLLGATE_DIVERT',
      'iptables -t mangle -A TOLLGATE_DIVERT -j MARK --set-mark 1',
      'iptables -t mangle -A TOLLGATE_DIVERT -j ACCEPT',
      'iptables -t mangle -A PREROUTING -p tcp -m socket -j TOLLGATE_DIVERT',
      'iptables -t mangle -A PREROUTING -p tcp --dport 8000 -j TPROXY --on-port 8000 --on-ip 0.0.0.0 --tproxy-mark 0x1/0x1',
      'ip rule add fwmark 1 lookup 100',
      'ip route add local 0.0.0.0/0 dev lo table 100',
      'iptables -t mangle -A PREROUTING -p tcp --dport 4242 -j TPROXY --on-port 4242 --on-ip 0.0.0.0 --tproxy-mark 0x1/0x1',
      'ip6tables -t mangle -N TOLLGATE_DIVERT',
      'ip6tables -t mangle -A TOLLGATE_DIVERT -j MARK --set-mark 1',
      'ip6tables -t mangle -A TOLLGATE_DIVERT -j ACCEPT',
      'ip6tables -t mangle -A PREROUTING -p tcp -m socket -j TOLLGATE_DIVERT',
      'ip6tables -t mangle -A PREROUTING -p tcp --dport 4242 -j TPROXY --on-port 4242 --on-ip :: --tproxy-mark 0x1/0x1',
      'ip -6 rule add fwmark 1 lookup 100',
      'ip -6 route add local ::/0 dev lo table 100',
    ]);
  });

  it('pf: says TPROXY is Linux-only for each transparent listener', () => {
    const text = renderFirewall(settingsWith({ proxy_listen: '0.0.0.0:8000 transparent', stream_listen: '0.0.0.0:4242 transparent' }), 'pf');
    expect(text.split('\n').filter((line) => line.includes('TPROXY'))).toEqual([
      '# 0.0.0.0:8000 transparent: TPROXY interception is Linux-only (iptables/nftables); pf has no equivalent rule here.',
      '# 0.0.0.0:4242 transparent: TPROXY interception is Linux-only (iptables/nftables); pf has no equivalent rule here.',
    ]);
  });
});

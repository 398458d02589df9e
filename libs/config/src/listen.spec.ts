import { parseListen } from './listen';
import { checkListenerSupport } from './listen-support';
import type { ListenerKind } from './types';

const flagsOff = { ssl: false, http2: false, proxyProtocol: false, deferred: false, bind: false, reuseport: false, transparent: false };

describe('parseListen: accepted entries', () => {
  it.each<[string, ListenerKind, string, object[]]>([
    ['IPv4 with flags', 'proxy', '0.0.0.0:8443 http2 ssl reuseport backlog=16384',
      [{ ...flagsOff, ip: '0.0.0.0', port: 8443, ssl: true, http2: true, reuseport: true, backlog: 16384, listener: '0.0.0.0:8443 ssl http2 reuseport backlog=16384' }]],
    ['bracketed IPv6', 'admin', '[::1]:8001', [{ ...flagsOff, ip: '::1', port: 8001, listener: '[::1]:8001' }]],
    ['IPv6 normalized', 'proxy', '[2001:DB8:0:0::1]:80', [{ ...flagsOff, ip: '2001:db8::1', port: 80, listener: '[2001:db8::1]:80' }]],
    ['* is 0.0.0.0', 'proxy', '*:8000', [{ ...flagsOff, ip: '0.0.0.0', port: 8000, listener: '0.0.0.0:8000' }]],
    ['hostname', 'status', 'localhost:8007', [{ ...flagsOff, ip: 'localhost', port: 8007, listener: 'localhost:8007' }]],
    ['port 0 (ephemeral, for tests)', 'proxy', '127.0.0.1:0', [{ ...flagsOff, ip: '127.0.0.1', port: 0, listener: '127.0.0.1:0' }]],
    ['flags before the address', 'proxy', 'ssl 127.0.0.1:8443', [{ ...flagsOff, ip: '127.0.0.1', port: 8443, ssl: true, listener: '127.0.0.1:8443 ssl' }]],
    ['two entries, spaces trimmed', 'stream', ' 0.0.0.0:4242 ,  0.0.0.0:5555 ssl proxy_protocol ', [
      { ...flagsOff, ip: '0.0.0.0', port: 4242, listener: '0.0.0.0:4242' },
      { ...flagsOff, ip: '0.0.0.0', port: 5555, ssl: true, proxyProtocol: true, listener: '0.0.0.0:5555 ssl proxy_protocol' }]],
    ['ipv6only and keepalive', 'proxy', '[::]:80 ipv6only=on so_keepalive=30m::10 bind',
      [{ ...flagsOff, ip: '::', port: 80, bind: true, ipv6only: true, soKeepalive: { idle: 1800, count: 10 }, listener: '[::]:80 bind ipv6only=on so_keepalive=30m::10' }]],
    ['so_keepalive=off', 'stream', '0.0.0.0:4242 so_keepalive=off', [{ ...flagsOff, ip: '0.0.0.0', port: 4242, soKeepalive: false, listener: '0.0.0.0:4242 so_keepalive=off' }]],
    ['off', 'proxy', 'off', []],
    ['off first ignores the rest', 'proxy', 'off, 0.0.0.0:8000', []],
    ['empty', 'stream', '', []],
  ])('%s', (_name, kind, value, expected) => {
    expect(parseListen(`${kind}_listen`, value, kind)).toEqual({ listeners: expected, problems: [] });
  });
});

describe('parseListen: rejected entries (exact messages)', () => {
  it.each<[string, ListenerKind, string, string[]]>([
    ['bad port', 'proxy', '0.0.0.0:99999',
      ["proxy_listen: invalid port '99999' in '0.0.0.0:99999' (expected 1-65535, or 0 for an ephemeral port)"]],
    ['non-numeric port', 'proxy', '0.0.0.0:http', ["proxy_listen: invalid port 'http' in '0.0.0.0:http' (expected 1-65535, or 0 for an ephemeral port)"]],
    ['missing port', 'admin', '127.0.0.1', ["admin_listen: missing port in '127.0.0.1' (expected <ip>:<port>)"]],
    ['unknown flag', 'proxy', '0.0.0.0:8000 fast',
      ["proxy_listen: unknown flag 'fast' in '0.0.0.0:8000 fast' (allowed: ssl, http2, proxy_protocol, deferred, bind, reuseport, backlog=N, ipv6only=on|off, so_keepalive=on|off|<idle>:<intvl>:<cnt>)"]],
    ['unknown flag on stream lists the stream set', 'stream', '0.0.0.0:4242 fast',
      ["stream_listen: unknown flag 'fast' in '0.0.0.0:4242 fast' (allowed: udp, ssl, proxy_protocol, bind, reuseport, backlog=N, ipv6only=on|off, so_keepalive=on|off|<idle>:<intvl>:<cnt>)"]],
    ['http2 on a stream listener', 'stream', '0.0.0.0:4242 http2', ["stream_listen: flag 'http2' is not allowed on stream listeners"]],
    ['deferred on a stream listener', 'stream', '0.0.0.0:4242 deferred', ["stream_listen: flag 'deferred' is not allowed on stream listeners"]],
    ['udp on an http listener', 'proxy', '0.0.0.0:8000 udp', ["proxy_listen: flag 'udp' is not allowed on proxy listeners"]],
    ['backlog=abc', 'proxy', '0.0.0.0:8000 backlog=abc', ["proxy_listen: invalid backlog 'abc' in '0.0.0.0:8000 backlog=abc' (expected backlog=<integer>)"]],
    ['backlog without value', 'proxy', '0.0.0.0:8000 backlog', ["proxy_listen: flag 'backlog' without a value in '0.0.0.0:8000 backlog' (expected backlog=N)"]],
    ['ssl with a value', 'proxy', '0.0.0.0:8000 ssl=on', ["proxy_listen: flag 'ssl' with a value in '0.0.0.0:8000 ssl=on' (it takes none)"]],
    ['ipv6only=maybe', 'proxy', '[::]:80 ipv6only=maybe', ["proxy_listen: invalid ipv6only 'maybe' in '[::]:80 ipv6only=maybe' (expected ipv6only=on or ipv6only=off)"]],
    ['bad so_keepalive', 'proxy', '0.0.0.0:80 so_keepalive=x:y', ["proxy_listen: invalid so_keepalive 'x:y' in '0.0.0.0:80 so_keepalive=x:y' (expected on, off or <idle>:<intvl>:<cnt>, e.g. 30m::10)"]],
    ['leftover token (missing comma)', 'proxy', '0.0.0.0:8000 0.0.0.0:8001',
      ["proxy_listen: unexpected '0.0.0.0:8001' in '0.0.0.0:8000 0.0.0.0:8001' (separate entries with commas)"]],
    ['unbracketed IPv6', 'proxy', '::1:8000', ["proxy_listen: unbracketed IPv6 address '::1:8000' in '::1:8000' (write IPv6 addresses in brackets, e.g. [::1]:8000)"]],
    ['bad IPv6', 'proxy', '[::g]:80', ["proxy_listen: invalid IPv6 address '[::g]' in '[::g]:80'"]],
    ['bad IPv4', 'proxy', '300.1.1.1:80', ["proxy_listen: invalid address '300.1.1.1' in '300.1.1.1:80'"]],
    ['bad hostname', 'proxy', 'bad_host:80', ["proxy_listen: invalid address 'bad_host' in 'bad_host:80'"]],
    ['flags only', 'proxy', 'ssl http2', ["proxy_listen: missing address in 'ssl http2' (expected <ip>:<port> [flags])"]],
    ['off after an entry', 'proxy', '0.0.0.0:8000, off', ["proxy_listen: 'off' must be the first entry (it disables every listener of this key)"]],
    ['every bad entry is reported', 'proxy', '0.0.0.0:0x, 0.0.0.0:8000 nope', [
      "proxy_listen: invalid port '0x' in '0.0.0.0:0x' (expected 1-65535, or 0 for an ephemeral port)",
      "proxy_listen: unknown flag 'nope' in '0.0.0.0:8000 nope' (allowed: ssl, http2, proxy_protocol, deferred, bind, reuseport, backlog=N, ipv6only=on|off, so_keepalive=on|off|<idle>:<intvl>:<cnt>)"]],
  ])('%s', (_name, kind, value, problems) => {
    expect(parseListen(`${kind}_listen`, value, kind)).toEqual({ listeners: [], problems });
  });
});

describe('checkListenerSupport (SUPPORTED_FLAGS)', () => {
  const check = (kind: ListenerKind, value: string) => {
    const parsed = parseListen(`${kind}_listen`, value, kind);
    expect(parsed.problems).toEqual([]);
    return checkListenerSupport(`${kind}_listen`, kind, parsed.listeners);
  };

  it.each<[ListenerKind, string, string[]]>([
    ['proxy', '0.0.0.0:8000 reuseport backlog=16384 bind ipv6only=off so_keepalive=on, 0.0.0.0:8443 ssl http2 proxy_protocol', []],
    ['proxy', '0.0.0.0:80 so_keepalive=30m::', []],
    ['stream', '0.0.0.0:4242 ssl proxy_protocol reuseport backlog=10', []],
    ['proxy', '0.0.0.0:8000 transparent, 0.0.0.0:8443 ssl http2 transparent', []],
    ['stream', '0.0.0.0:4242 transparent', []],
    ['proxy', '0.0.0.0:8000 deferred', ["proxy_listen: flag 'deferred' is not supported (TCP_DEFER_ACCEPT cannot be set from Node.js without a native addon)"]],
    ['proxy', '0.0.0.0:8000 so_keepalive=30m:10s:5',
      ['proxy_listen: so_keepalive interval and count are not supported (Node.js can only set the idle time); use so_keepalive=on, off or <idle>::']],
    ['stream', '0.0.0.0:53 udp', ["stream_listen: flag 'udp' is not supported (Tollgate proxies TCP and TLS streams only, not UDP)"]],
    ['admin', '127.0.0.1:8001 proxy_protocol',
      ["admin_listen: flag 'proxy_protocol' is not supported on admin listeners (only proxy_listen and stream_listen accept the PROXY protocol)"]],
    ['status', '127.0.0.1:8007 proxy_protocol',
      ["status_listen: flag 'proxy_protocol' is not supported on status listeners (only proxy_listen and stream_listen accept the PROXY protocol)"]],
    ['cluster', '0.0.0.0:8005 proxy_protocol',
      ["cluster_listen: flag 'proxy_protocol' is not supported on cluster listeners (only proxy_listen and stream_listen accept the PROXY protocol)"]],
  ])('%s_listen = %s', (kind, value, messages) => {
    expect(check(kind, value)).toEqual(messages);
  });
});

describe('transparent on listeners that are not proxied', () => {
  it.each<ListenerKind>(['admin', 'status', 'cluster'])('%s_listen: the grammar refuses the flag', (kind) => {
    expect(parseListen(`${kind}_listen`, '127.0.0.1:8001 transparent', kind)).toEqual({
      listeners: [], problems: [`${kind}_listen: flag 'transparent' is not allowed on ${kind} listeners`],
    });
  });

  // Should the grammar ever admit it, the capability table still says why it cannot work.
  it.each<ListenerKind>(['admin', 'status', 'cluster'])('%s_listen: the capability table rejects it with its reason', (kind) => {
    const entries = parseListen('proxy_listen', '127.0.0.1:8001 transparent', 'proxy').listeners;
    expect(checkListenerSupport(`${kind}_listen`, kind, entries)).toEqual([
      `${kind}_listen: flag 'transparent' is only supported on proxy_listen and stream_listen (${kind} listeners are not proxied, so TPROXY has nothing to hand them)`,
    ]);
  });
});

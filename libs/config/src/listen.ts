// Kong's listen grammar (conf_loader/listeners.lua): `off` | `<address>:<port> [flags]`, comma-separated.
// Pure syntax and Kong's per-kind flag sets; whether Tollgate can honour a flag is listen-support.ts's business.
import { isIPv4, isIPv6 } from 'node:net';
import type { ListenEntry, ListenerKind } from './types';
import { parseDurationSeconds } from './values';

export type ListenFlag =
  | 'ssl' | 'http2' | 'proxy_protocol' | 'deferred' | 'bind' | 'reuseport'
  | 'backlog' | 'ipv6only' | 'so_keepalive' | 'transparent' | 'udp';

/** Canonical order, used for the normalized `listener` text. */
const FLAG_ORDER: readonly ListenFlag[] = [
  'udp', 'ssl', 'http2', 'proxy_protocol', 'deferred', 'bind', 'reuseport', 'backlog', 'ipv6only', 'so_keepalive', 'transparent',
];

const HTTP_FLAGS: readonly ListenFlag[] = ['ssl', 'http2', 'proxy_protocol', 'deferred', 'bind', 'reuseport', 'backlog', 'ipv6only', 'so_keepalive'];
const STREAM_FLAGS: readonly ListenFlag[] = ['udp', 'ssl', 'proxy_protocol', 'bind', 'reuseport', 'backlog', 'ipv6only', 'so_keepalive'];

/**
 * Kong's flag set per listener kind. `transparent` (Kong 1.x, proxy and stream) is part of the grammar so it
 * can be named in a clear rejection rather than a generic usage error.
 */
export const LISTEN_GRAMMAR: Readonly<Record<ListenerKind, ReadonlySet<ListenFlag>>> = {
  proxy: new Set([...HTTP_FLAGS, 'transparent']),
  admin: new Set(HTTP_FLAGS),
  status: new Set(HTTP_FLAGS),
  cluster: new Set(HTTP_FLAGS),
  stream: new Set([...STREAM_FLAGS, 'transparent']),
};

const FLAG_USAGE: Readonly<Record<ListenFlag, string>> = {
  ssl: 'ssl', http2: 'http2', proxy_protocol: 'proxy_protocol', deferred: 'deferred', bind: 'bind', reuseport: 'reuseport',
  backlog: 'backlog=N', ipv6only: 'ipv6only=on|off', so_keepalive: 'so_keepalive=on|off|<idle>:<intvl>:<cnt>',
  transparent: 'transparent', udp: 'udp',
};
const VALUED_FLAGS: ReadonlySet<ListenFlag> = new Set(['backlog', 'ipv6only', 'so_keepalive']);
const ALL_FLAGS: ReadonlySet<string> = new Set(FLAG_ORDER);

export interface ListenParseResult {
  readonly listeners: ListenEntry[];
  /** Complete messages, each starting with the key. */
  readonly problems: string[];
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

function allowedList(kind: ListenerKind): string {
  return FLAG_ORDER.filter((flag) => LISTEN_GRAMMAR[kind].has(flag) && flag !== 'transparent').map((flag) => FLAG_USAGE[flag]).join(', ');
}

/** What is wrong, and optionally how to write it instead. */
type Fault = { what: string; hint?: string };

/** Returns a fault or undefined; fills ip/port. */
function parseAddress(text: string, entry: Mutable<ListenEntry>): Fault | undefined {
  let host: string;
  let portText: string;
  const bracketed = /^\[([^\]]*)\](?::(.*))?$/.exec(text);
  if (bracketed) {
    if (!isIPv6(bracketed[1])) return { what: `invalid IPv6 address '[${bracketed[1]}]'` };
    host = new URL(`http://[${bracketed[1]}]/`).hostname.slice(1, -1); // compressed, lower case
    portText = bracketed[2] ?? '';
  } else {
    const colon = text.lastIndexOf(':');
    if (colon !== -1 && text.indexOf(':') !== colon) return { what: `unbracketed IPv6 address '${text}'`, hint: 'write IPv6 addresses in brackets, e.g. [::1]:8000' };
    host = colon === -1 ? text : text.slice(0, colon);
    portText = colon === -1 ? '' : text.slice(colon + 1);
    if (host === '*') host = '0.0.0.0';
    else if (/^[\d.]+$/.test(host) ? !isIPv4(host) : !HOSTNAME.test(host)) return { what: `invalid address '${host}'` };
  }
  if (portText === '') return { what: 'missing port', hint: 'expected <ip>:<port>' };
  // Port 0 asks the OS for an ephemeral port: Kong refuses it, tests need it.
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) return { what: `invalid port '${portText}'`, hint: 'expected 1-65535, or 0 for an ephemeral port' };
  entry.ip = host;
  entry.port = Number(portText);
  return undefined;
}

/** Returns a fault or undefined; records the flag on the entry. */
function applyFlag(flag: ListenFlag, value: string | undefined, entry: Mutable<ListenEntry>): Fault | undefined {
  if (VALUED_FLAGS.has(flag) !== (value !== undefined)) {
    return value === undefined ? { what: `flag '${flag}' without a value`, hint: `expected ${FLAG_USAGE[flag]}` } : { what: `flag '${flag}' with a value`, hint: 'it takes none' };
  }
  switch (flag) {
    case 'backlog':
      if (!/^\d+$/.test(value!)) return { what: `invalid backlog '${value}'`, hint: 'expected backlog=<integer>' };
      entry.backlog = Number(value);
      return undefined;
    case 'ipv6only':
      if (value !== 'on' && value !== 'off') return { what: `invalid ipv6only '${value}'`, hint: 'expected ipv6only=on or ipv6only=off' };
      entry.ipv6only = value === 'on';
      return undefined;
    case 'so_keepalive':
      return applyKeepalive(value!, entry);
    case 'ssl': entry.ssl = true; return undefined;
    case 'http2': entry.http2 = true; return undefined;
    case 'proxy_protocol': entry.proxyProtocol = true; return undefined;
    case 'deferred': entry.deferred = true; return undefined;
    case 'bind': entry.bind = true; return undefined;
    case 'reuseport': entry.reuseport = true; return undefined;
    case 'transparent': entry.transparent = true; return undefined;
    case 'udp': entry.udp = true; return undefined;
  }
}

function applyKeepalive(value: string, entry: Mutable<ListenEntry>): Fault | undefined {
  if (value === 'on' || value === 'off') {
    entry.soKeepalive = value === 'on';
    return undefined;
  }
  const usage = { what: `invalid so_keepalive '${value}'`, hint: 'expected on, off or <idle>:<intvl>:<cnt>, e.g. 30m::10' };
  const parts = value.split(':');
  if (parts.length !== 3) return usage;
  const [idle, interval, count] = parts.map((part, i) => {
    if (part === '') return undefined;
    if (i === 2) return /^\d+$/.test(part) ? Number(part) : NaN;
    const seconds = parseDurationSeconds(part);
    return seconds.ok ? seconds.value : NaN;
  });
  if ([idle, interval, count].some((n) => Number.isNaN(n))) return usage;
  entry.soKeepalive = {
    ...(idle !== undefined && { idle }),
    ...(interval !== undefined && { interval }),
    ...(count !== undefined && { count }),
  };
  return undefined;
}

function normalizedText(entry: ListenEntry, flagText: ReadonlyMap<ListenFlag, string>): string {
  const host = isIPv6(entry.ip) ? `[${entry.ip}]` : entry.ip;
  const flags = FLAG_ORDER.filter((flag) => flagText.has(flag)).map((flag) => flagText.get(flag)!);
  return [`${host}:${entry.port}`, ...flags].join(' ');
}

function parseEntry(key: string, kind: ListenerKind, text: string): { entry?: ListenEntry; problems: string[] } {
  const problems: string[] = [];
  const fail = ({ what, hint }: Fault) => problems.push(`${key}: ${what} in '${text}'${hint ? ` (${hint})` : ''}`);
  const entry: Mutable<ListenEntry> = {
    ip: '', port: 0, listener: '', ssl: false, http2: false, proxyProtocol: false, deferred: false,
    bind: false, reuseport: false, transparent: false,
  };
  const flagText = new Map<ListenFlag, string>();
  let address: string | undefined;
  const tokens = text.split(/\s+/);
  tokens.forEach((token, index) => {
    const eq = token.indexOf('=');
    const name = eq === -1 ? token : token.slice(0, eq);
    if (ALL_FLAGS.has(name)) {
      const flag = name as ListenFlag;
      if (!LISTEN_GRAMMAR[kind].has(flag)) {
        problems.push(`${key}: flag '${flag}' is not allowed on ${kind} listeners`);
        return;
      }
      const error = applyFlag(flag, eq === -1 ? undefined : token.slice(eq + 1), entry);
      if (error) fail(error);
      else flagText.set(flag, token);
    } else if (address === undefined && (index === 0 || token.includes(':'))) {
      address = token;
    } else if (token.includes(':') || token.startsWith('[')) {
      fail({ what: `unexpected '${token}'`, hint: 'separate entries with commas' });
    } else {
      fail({ what: `unknown flag '${token}'`, hint: `allowed: ${allowedList(kind)}` });
    }
  });
  if (address === undefined) fail({ what: 'missing address', hint: 'expected <ip>:<port> [flags]' });
  else if (address === 'off') problems.push(`${key}: 'off' must be the first entry (it disables every listener of this key)`);
  else {
    const error = parseAddress(address, entry);
    if (error) fail(error);
  }
  if (problems.length) return { problems };
  entry.listener = normalizedText(entry, flagText);
  return { entry: Object.freeze(entry), problems };
}

/**
 * Parses one `*_listen` value. Never throws: every bad entry is reported, so one start shows all of them.
 * `off` as the first entry disables the key (Kong ignores whatever follows it); an empty value is the same.
 * All or nothing: with any problem, `listeners` is empty.
 */
export function parseListen(key: string, value: string, kind: ListenerKind): ListenParseResult {
  const entries = value.split(',').map((part) => part.trim()).filter((part) => part !== '');
  if (entries.length === 0 || entries[0] === 'off') return { listeners: [], problems: [] };
  const listeners: ListenEntry[] = [];
  const problems: string[] = [];
  for (const text of entries) {
    const parsed = parseEntry(key, kind, text);
    problems.push(...parsed.problems);
    if (parsed.entry) listeners.push(parsed.entry);
  }
  return problems.length ? { listeners: [], problems } : { listeners, problems };
}

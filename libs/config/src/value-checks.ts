// Single-key refiners: take the already-typed value of one key, validate it, and return the value
// Settings stores (e.g. `headers` expanded, `worker_processes=auto` resolved). Messages are Kong's where Kong has one.
import { availableParallelism } from 'node:os';
import { isIP } from 'node:net';
import { accessSync, constants as fsConstants } from 'node:fs';
import { resolve as resolvePath } from 'node:path';

export type Refined = { ok: true; value: unknown } | { ok: false; messages: string[] };
export type Refiner = (key: string, value: any) => Refined;

const ok = (value: unknown): Refined => ({ ok: true, value });
const fail = (messages: string[]): Refined => ({ ok: false, messages });
const collect = (value: unknown, messages: string[]): Refined => (messages.length ? fail(messages) : ok(value));

/** IPv4/IPv6 address or CIDR block. Returns the address family (4 or 6) or 0 when invalid. */
export function cidrFamily(text: string): 0 | 4 | 6 {
  const slash = text.indexOf('/');
  const address = slash === -1 ? text : text.slice(0, slash);
  const family = isIP(address) as 0 | 4 | 6;
  if (family === 0 || slash === -1) return family;
  const bits = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bits) || Number(bits) > (family === 4 ? 32 : 128)) return 0;
  return family;
}

export const trustedIps: Refiner = (key, list: string[]) =>
  collect(list, list
    .filter((entry) => entry !== 'unix:' && cidrFamily(entry) === 0)
    .map((entry) => `${key} must be a comma separated list in the form of IPv4 or IPv6 address or CIDR block or 'unix:', got '${entry}'`));

export const cidrList: Refiner = (key, list: string[]) =>
  collect(list, list
    .filter((entry) => cidrFamily(entry) === 0)
    .map((entry) => `${key}: invalid IP address or CIDR block '${entry}'`));

const LATENCY_TOKENS = ['x-kong-proxy-latency', 'x-kong-response-latency', 'x-kong-admin-latency', 'x-kong-upstream-latency'];
const HEADER_TOKENS: Readonly<Record<string, readonly string[]>> = {
  server: ['server'],
  via: ['via'],
  'x-kong-proxy-latency': ['x-kong-proxy-latency'],
  'x-kong-response-latency': ['x-kong-response-latency'],
  'x-kong-admin-latency': ['x-kong-admin-latency'],
  'x-kong-upstream-latency': ['x-kong-upstream-latency'],
  'x-kong-upstream-status': ['x-kong-upstream-status'],
  'x-kong-request-id': ['x-kong-request-id'],
  server_tokens: ['server', 'via'],
  latency_tokens: LATENCY_TOKENS,
};
const UPSTREAM_HEADER_TOKENS: Readonly<Record<string, readonly string[]>> = { 'x-kong-request-id': ['x-kong-request-id'] };

function headerTokens(table: Readonly<Record<string, readonly string[]>>): Refiner {
  return (key, list: string[]) => {
    const messages: string[] = [];
    const expanded = new Set<string>();
    let off = false;
    for (const entry of list) {
      const token = entry.toLowerCase();
      if (token === 'off') off = true;
      else if (Object.hasOwn(table, token)) table[token].forEach((name) => expanded.add(name));
      else messages.push(`${key}: invalid entry '${entry}'`);
    }
    return collect(off ? [] : [...expanded], messages);
  };
}

export const headers = headerTokens(HEADER_TOKENS);
export const headersUpstream = headerTokens(UPSTREAM_HEADER_TOKENS);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const uuid: Refiner = (key, value: string | null) =>
  value === null || UUID.test(value) ? ok(value === null ? null : value.toLowerCase()) : fail([`${key} must be a valid UUID`]);

export const workerCount: Refiner = (key, value: string) => {
  if (value === 'auto') return ok(availableParallelism());
  if (/^\d+$/.test(value) && Number(value) > 0) return ok(Number(value));
  return fail([`${key} must be 'auto' or a positive integer, got '${value}'`]);
};

const LABEL_KEY = /^[A-Za-z0-9._~-]+$/;

export const labels: Refiner = (key, list: string[]) => {
  const messages: string[] = [];
  const record: Record<string, string> = {};
  for (const entry of list) {
    const colon = entry.indexOf(':');
    const name = entry.slice(0, colon).trim();
    const value = entry.slice(colon + 1).trim();
    if (colon === -1 || !LABEL_KEY.test(name) || value === '') messages.push(`${key}: invalid entry '${entry}' (expected key:value)`);
    else record[name] = value;
  }
  return collect(record, messages);
};

/** admin_gui_url: http(s) URLs; Settings keeps them as written (Kong derives the CORS origins from them). */
export const guiUrls: Refiner = (key, list: string[]) =>
  collect(list, list
    .filter((url) => !/^https?:\/\/[^/?#\s]+([/?#]\S*)?$/i.test(url))
    .map((url) => `${key} must be an http:// or https:// URL, got '${url}'`));

/** `host:port` or `[ipv6]:port` of a remote endpoint (cluster_control_plane). */
export const hostPort: Refiner = (key, value: string) => {
  const match = /^(\[[0-9a-fA-F:.]+\]|[^:\s[\]]+):(\d{1,5})$/.exec(value);
  const port = match ? Number(match[2]) : 0;
  if (!match || port < 1 || port > 65535) return fail([`${key} must be of form: <host>:<port>, got '${value}'`]);
  return ok(value);
};

/** lua_ssl_trusted_certificate: `system` and/or PEM files, made absolute against the current directory as Kong does;
 *  a file that cannot be read is a configuration error (Kong: "no such file"). */
export const trustedCertificates: Refiner = (key, list: string[]) => {
  const messages: string[] = [];
  const out = list.map((item) => {
    if (item === 'system') return item;
    const path = resolvePath(item);
    try {
      accessSync(path, fsConstants.R_OK);
    } catch {
      messages.push(`${key}: no such file at ${path}`);
    }
    return path;
  });
  return collect(out, messages);
};

/** dns_resolver: `<ip>`, `<ip>:<port>` or `[<ipv6>]:<port>` entries (Kong: "dns_resolver must be a comma separated list
 *  in the form of IPv4/6 or IPv4/6:port"). */
export const nameservers: Refiner = (key, list: string[]) =>
  collect(list, list.filter((entry) => {
    if (isIP(entry) !== 0) return false;
    const match = /^(?:\[([0-9a-fA-F:.]+)\]|([\d.]+)):(\d{1,5})$/.exec(entry);
    return !match || isIP(match[1] ?? match[2]) === 0 || Number(match[3]) < 1 || Number(match[3]) > 65535;
  }).map((entry) => `${key} must be a comma separated list in the form of IPv4/6 or IPv4/6:port, got '${entry}'`));

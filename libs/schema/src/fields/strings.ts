// Validators for Kong's string typedefs (names, tags, hosts, paths, IPs). Each returns a Kong message or undefined.
import { isIP } from 'node:net';
import { pcreMessage, rustMessage, translateKongRegex } from '@tollgate/router/regex-dialect';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: unknown): value is string => typeof value === 'string' && UUID_RE.test(value);

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Strings from JSON are UTF-16; the only way to be invalid UTF-8 is a lone surrogate. Position is 1-based bytes. */
export function checkUtf8(value: string): string | undefined {
  const bad = LONE_SURROGATE.exec(value);
  if (!bad) return undefined;
  const position = Buffer.byteLength(value.slice(0, bad.index), 'utf8') + 1;
  return `invalid utf-8 character sequence detected at position ${position}`;
}

const UTF8_NAME = /^[A-Za-z0-9.\-_~\u0080-\uFFFF]+$/;
/** typedefs.utf8_name: service/route names, plugin instance_name. */
export function checkUtf8Name(value: string): string | undefined {
  const utf8 = checkUtf8(value);
  if (utf8) return utf8;
  if (UTF8_NAME.test(value)) return undefined;
  return `invalid value '${value}': the only accepted ascii characters are alphanumerics or ., -, _, and ~`;
}

// printable ascii including space, except ',' (0x2C) and '/' (0x2F), or anything non-ascii
const TAG = /^[ !-+\-.0-~\u0080-\uFFFF]+$/;
/** typedefs.tag (one element of `tags`). */
export function checkTag(value: string): string | undefined {
  if (TAG.test(value) && !checkUtf8(value)) return undefined;
  return `invalid tag '${value}': expected printable ascii (except \`,\` and \`/\`) or valid utf-8 sequences`;
}

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\.?$/;
export const isHostname = (value: string) => HOSTNAME.test(value);

export interface HostPort {
  readonly host: string;
  readonly port?: number;
  readonly hasPort: boolean;
  readonly badPort?: boolean;
  readonly kind: 'ipv4' | 'ipv6' | 'name' | 'invalid';
}

/** Splits `host[:port]`, `[v6][:port]` or a bare v6 address. */
export function splitHostPort(value: string): HostPort {
  let host = value;
  let portText: string | undefined;
  if (value.startsWith('[')) {
    const close = value.indexOf(']');
    if (close < 0) return { host: value, hasPort: false, kind: 'invalid' };
    host = value.slice(1, close);
    const rest = value.slice(close + 1);
    if (rest !== '') {
      if (!rest.startsWith(':')) return { host: value, hasPort: false, kind: 'invalid' };
      portText = rest.slice(1);
    }
    if (isIP(host) !== 6) return { host, hasPort: portText !== undefined, kind: 'invalid' };
  } else if (isIP(value) === 6) {
    return { host: value, hasPort: false, kind: 'ipv6' };
  } else {
    const colon = value.lastIndexOf(':');
    if (colon >= 0) {
      host = value.slice(0, colon);
      portText = value.slice(colon + 1);
    }
  }
  let port: number | undefined;
  let badPort = false;
  if (portText !== undefined) {
    port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
    badPort = !(port >= 0 && port <= 65535);
  }
  const family = isIP(host);
  // Kong (kong/tools/ip.lua hostname_type) takes any digits-and-dots host for an IPv4 address: `123` is invalid
  const looksIpv4 = /^[\d.]+$/.test(host);
  const kind = family === 4 ? 'ipv4' : family === 6 ? 'ipv6' : !looksIpv4 && isHostname(host) ? 'name' : 'invalid';
  return { host, port, hasPort: portText !== undefined, badPort, kind };
}

/** typedefs.host: a hostname or IP, no port (services.host). */
export function checkHost(value: string): string | undefined {
  const parsed = splitHostPort(value);
  if (parsed.kind === 'invalid' || parsed.badPort) return `invalid value: ${value}`;
  if (parsed.hasPort) return 'must not have a port';
  return undefined;
}

/** typedefs.host_with_optional_port (upstreams.host_header, route hosts after wildcard handling). */
export function checkHostWithOptionalPort(value: string): string | undefined {
  const parsed = splitHostPort(value);
  if (parsed.kind === 'invalid') return `invalid value: ${value}`;
  if (parsed.badPort) return 'invalid port number';
  return undefined;
}

function checkWildcard(value: string): string | undefined {
  const stars = value.split('*').length - 1;
  if (stars > 1) return 'invalid wildcard: must have at most one wildcard';
  if (stars === 1 && !value.startsWith('*.') && !/\.\*(:\d+)?$/.test(value)) {
    return 'invalid wildcard: must be placed at leftmost or rightmost label';
  }
  return undefined;
}

/** typedefs.wildcard_host with optional port (route hosts). */
export function checkRouteHost(value: string): string | undefined {
  const wildcard = checkWildcard(value);
  if (wildcard) return wildcard;
  return checkHostWithOptionalPort(value.replace('*', 'wildcard'));
}

/**
 * typedefs.wildcard_host for SNIs (Kong's validate_wildcard_host): one `*`, as the first or last character; then
 * the name with `*` read as a label must be a hostname (not an IP) without a port. Routes' hosts use other texts.
 */
export function checkSni(value: string): string | undefined {
  const first = value.indexOf('*');
  let host = value;
  if (first >= 0) {
    if (first !== 0 && first !== value.length - 1) return 'wildcard must be leftmost or rightmost character';
    host = value.replaceAll('*', 'wildcard');
    if (value.indexOf('*', first + 1) >= 0) return 'only one wildcard must be specified';
  }
  const parsed = splitHostPort(host);
  // a port that is no number makes the whole name invalid; a number out of range is still "a port"
  if ((parsed.kind === 'invalid' && !parsed.badPort) || Number.isNaN(parsed.port)) return `invalid value: ${host}`;
  if (parsed.kind === 'ipv4' || parsed.kind === 'ipv6') return 'must not be an IP';
  if (parsed.hasPort) return 'must not have a port';
  return undefined;
}

const PATH_CHARS = /^[A-Za-z0-9\-._~!$&'()*+,;=:@%/]*$/;
const BAD_PERCENT = /%(?![0-9A-Fa-f]{2})(.{0,2})/;

/** typedefs.path (services.path): RFC 3986 characters, well-formed percent escapes, no empty segments. */
export function checkUriPath(value: string): string | undefined {
  if (!value.startsWith('/')) return 'should start with: /';
  if (value.includes('//')) return 'must not have empty segments';
  if (!PATH_CHARS.test(value)) return `invalid path: '${value}' (characters outside of the reserved list of RFC 3986 found)`;
  return checkPercentEncoding(value);
}

function checkPercentEncoding(value: string): string | undefined {
  const bad = BAD_PERCENT.exec(value);
  return bad ? `invalid url-encoded value: '%${bad[1]}'` : undefined;
}

const UNRESERVED = /[A-Za-z0-9\-._~]/;

/** Kong's router normalisation of a prefix path: decode unreserved escapes, upper-case the rest, drop dot segments. */
export function normalizeRouterPath(path: string): string {
  const decoded = path.replace(/%([0-9A-Fa-f]{2})/g, (_m, hex: string) => {
    const char = String.fromCharCode(parseInt(hex, 16));
    return UNRESERVED.test(char) ? char : '%' + hex.toUpperCase();
  });
  const out: string[] = [];
  const segments = decoded.split('/');
  segments.forEach((segment, index) => {
    const last = index === segments.length - 1;
    if (segment === '.') {
      if (last) out.push('');
    } else if (segment === '..') {
      if (out.length > 1) out.pop();
      if (last) out.push('');
    } else out.push(segment);
  });
  return out.join('/') || '/';
}

/**
 * One element of routes.paths: `/prefix` or `~/regex` (Kong's typedefs.router_path). Kong 3.x checks only the
 * percent-encoding of both kinds, then that a prefix is in normal form (so `/kong(-ee){0,1}.com` is a valid
 * prefix), and dry-runs a regex with PCRE; what only the Rust regex engine refuses is the route's entity check.
 */
export function checkRouterPath(value: string): string | undefined {
  if (!value.startsWith('/') && !value.startsWith('~/')) return 'should start with: / (fixed path) or ~/ (regex path)';
  if (value.includes('//')) return 'must not have empty segments';
  const percent = checkPercentEncoding(value);
  if (percent) return percent;
  if (value.startsWith('~')) {
    const regex = value.slice(1);
    const result = translateKongRegex(regex);
    return !result.ok && result.error.engine === 'pcre' ? pcreMessage(regex, result.error.message) : undefined;
  }
  const normalized = normalizeRouterPath(value);
  if (normalized !== value) return `non-normalized path, consider use '${normalized}' instead`;
  return undefined;
}

/** What the Rust regex engine of Kong's router refuses in a route regex (paths `~/...`, header values `~*...`). */
export function routeRegexEngineError(regex: string): string | undefined {
  const result = translateKongRegex(regex);
  return !result.ok && result.error.engine === 'rust' ? rustMessage(regex, result.error.message) : undefined;
}

/** typedefs.ip_or_cidr (route sources/destinations). */
export function checkIpOrCidr(value: string): string | undefined {
  const [ip, prefix, extra] = value.split('/');
  const family = isIP(ip);
  if (family && extra === undefined) {
    if (prefix === undefined) return undefined;
    const max = family === 4 ? 32 : 128;
    if (/^\d{1,3}$/.test(prefix) && Number(prefix) <= max) return undefined;
  }
  return `invalid ip or cidr range: '${value}'`;
}

const HEADER_NAME = /^[A-Za-z0-9_-]+$/;
/** typedefs.header_name. */
export function checkHeaderName(value: string): string | undefined {
  if (HEADER_NAME.test(value)) return undefined;
  return `bad header name '${value}', allowed characters are A-Z, a-z, 0-9, '_', and '-'`;
}

// What Node (and HTTP) accepts in a header value: HTAB, visible ASCII, obs-text. CR/LF would split a header (response
// splitting), NUL truncates it, and any of them makes every request through the plugin fail.
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** A string a plugin writes into a request or response header. */
export function checkHeaderValue(value: string): string | undefined {
  return HEADER_VALUE.test(value) ? undefined : 'invalid characters for an HTTP header (CR, LF, NUL and other control characters are not allowed)';
}

/** Kong's `name:value` list entry (transformer plugins): `invalid value: <entry>` without a colon. */
export function checkColonPair(value: string): string | undefined {
  const colon = value.indexOf(':');
  return colon <= 0 ? `invalid value: ${value}` : undefined;
}

/** A `name:value` entry that becomes a header: a token name and a header-safe value. */
export function checkHeaderPair(value: string): string | undefined {
  const malformed = checkColonPair(value);
  if (malformed) return malformed;
  const colon = value.indexOf(':');
  if (!TOKEN.test(value.slice(0, colon))) return `invalid header name in: ${JSON.stringify(value)}`;
  return checkHeaderValue(value.slice(colon + 1));
}

/** A header name a plugin is told to write (any HTTP token, unlike the stricter typedefs.header_name). */
export function checkHeaderToken(value: string): string | undefined {
  return TOKEN.test(value) ? undefined : `bad header name '${JSON.stringify(value).slice(1, -1)}'`;
}

/** upstreams.name: a hostname, not an IP, no port. */
export function checkUpstreamName(value: string): string | undefined {
  const parsed = splitHostPort(value);
  if (parsed.kind === 'ipv4' || parsed.kind === 'ipv6') return `Invalid name ('${value}'); no ip addresses allowed`;
  if (parsed.hasPort) return `Invalid name ('${value}'); no port allowed`;
  if (parsed.kind !== 'name') return `Invalid name ('${value}'); must be a valid hostname`;
  return undefined;
}

export const DEFAULT_TARGET_PORT = 8000;

/** targets.target: host[:port] / ip[:port] / [v6][:port]. */
export function checkTarget(value: string): string | undefined {
  const parsed = splitHostPort(value);
  if (parsed.kind === 'invalid' || parsed.badPort) {
    return `Invalid target ('${value}'); not a valid hostname or ip address`;
  }
  return undefined;
}

/** `10.0.0.1` -> `10.0.0.1:8000`, `::1` -> `[::1]:8000`. */
export function normalizeTarget(value: string): string {
  const parsed = splitHostPort(value);
  const host = parsed.kind === 'ipv6' ? `[${parsed.host}]` : parsed.host;
  return `${host}:${parsed.port ?? DEFAULT_TARGET_PORT}`;
}

// Parses a target's `host[:port]` (IPv6 in brackets), as stored by the Admin API (port normalized to 8000).
import { isIP } from 'node:net';

export const DEFAULT_TARGET_PORT = 8000;

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

export function parseHostPort(value: string, defaultPort = DEFAULT_TARGET_PORT): HostPort {
  if (value.startsWith('[')) {
    const end = value.indexOf(']');
    const host = value.slice(1, end);
    const rest = value.slice(end + 1);
    return { host, port: rest.startsWith(':') ? Number(rest.slice(1)) : defaultPort };
  }
  const colon = value.lastIndexOf(':');
  if (colon >= 0 && value.indexOf(':') === colon) {
    return { host: value.slice(0, colon), port: Number(value.slice(colon + 1)) };
  }
  // A bare IPv6 literal has several colons and no port.
  return { host: value, port: defaultPort };
}

export function isIpLiteral(host: string): boolean {
  return isIP(host) !== 0;
}

// The request description of POST /debug/route-match, checked field by field into the router's input. An invalid
// description is Kong's schema violation (400, code 2) naming each bad field.
import { isIP } from 'node:net';
import { schemaViolation } from '@tollgate/errors';
import type { HttpRequestInput } from '@tollgate/router';

export interface RouteMatchRequest {
  readonly input: HttpRequestInput;
  readonly rawQuery: string;
  readonly clientIp: string | null;
  readonly release: number | null;
  readonly consumer: string | null;
}

const FIELDS = new Set(['method', 'url', 'headers', 'sni', 'client_ip', 'release', 'consumer']);
const METHOD = /^[A-Za-z]+$/;
// scheme://authority path ?query — split by hand: URL would resolve `..` segments the router must see raw
const URL_PARTS = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]+)([^?#]*)(\?[^#]*)?(#.*)?$/i;
const DEFAULT_PORTS: Readonly<Record<string, number>> = { http: 80, https: 443, grpc: 80, grpcs: 443 };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function parseRouteMatchRequest(body: unknown): RouteMatchRequest {
  if (!isObject(body)) throw schemaViolation({ '@entity': ['expected a JSON object describing the request'] });
  const errors: Record<string, string> = {};
  for (const key of Object.keys(body)) if (!FIELDS.has(key)) errors[key] = 'unknown field';

  const method = body.method ?? 'GET';
  if (typeof method !== 'string' || !METHOD.test(method)) errors.method = 'expected an HTTP method such as GET';

  let protocol: HttpRequestInput['protocol'] = 'http';
  let host = '';
  let path = '/';
  let rawQuery = '';
  let port = 80;
  const parts = typeof body.url === 'string' ? URL_PARTS.exec(body.url) : null;
  if (body.url === undefined) errors.url = 'required field missing';
  else if (!parts) errors.url = 'expected an absolute URL such as https://api.example.com/v1/users';
  else {
    const scheme = parts[1].toLowerCase();
    if (!(scheme in DEFAULT_PORTS)) errors.url = `unsupported scheme '${scheme}': expected http, https, grpc or grpcs`;
    else {
      protocol = scheme as HttpRequestInput['protocol'];
      host = parts[2];
      path = parts[3] === '' ? '/' : parts[3];
      rawQuery = parts[4] ?? '';
      const explicit = /:(\d+)$/.exec(host);
      port = explicit && !host.endsWith(']') ? Number(explicit[1]) : DEFAULT_PORTS[scheme];
      if (port < 1 || port > 65535) errors.url = `invalid port ${port}`;
    }
  }

  const headers: Record<string, string | string[]> = {};
  if (body.headers !== undefined) {
    if (!isObject(body.headers)) errors.headers = 'expected an object of header names to strings or arrays of strings';
    else {
      for (const [name, value] of Object.entries(body.headers)) {
        const ok = typeof value === 'string' || (Array.isArray(value) && value.every((v) => typeof v === 'string'));
        if (!ok) {
          errors.headers = `header '${name}': expected a string or an array of strings`;
          break;
        }
        headers[name.toLowerCase()] = value as string | string[];
      }
    }
  }
  // the Host header, when given, is what the router reads (as it would on the wire)
  const hostHeader = headers.host;
  if (typeof hostHeader === 'string') host = hostHeader;

  const sni = body.sni ?? null;
  if (sni !== null && (typeof sni !== 'string' || sni === '')) errors.sni = 'expected a host name';
  const clientIp = body.client_ip ?? null;
  if (clientIp !== null && (typeof clientIp !== 'string' || isIP(clientIp) === 0)) errors.client_ip = 'expected an IPv4 or IPv6 address';
  const release = body.release ?? null;
  if (release !== null && (!Number.isSafeInteger(release) || (release as number) < 1)) errors.release = 'expected a release number (a positive integer)';
  const consumer = body.consumer ?? null;
  if (consumer !== null && (typeof consumer !== 'string' || consumer === '')) errors.consumer = 'expected a consumer id or username';

  if (Object.keys(errors).length) throw schemaViolation(errors);
  return {
    input: { protocol, method: (method as string).toUpperCase(), host, path, headers, sni: (sni as string | null) ?? (protocol === 'https' || protocol === 'grpcs' ? host.replace(/:\d+$/, '') : undefined), port },
    rawQuery,
    clientIp: clientIp as string | null,
    release: release as number | null,
    consumer: consumer as string | null,
  };
}

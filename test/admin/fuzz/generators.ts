// Random and malformed Admin API requests: paths from `/endpoints` with real, random and hostile keys, bodies
// (JSON, forms, multipart, raw bytes), content types and query strings. Pure functions of the PRNG.
import type { Prng } from './prng';

export interface FuzzRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string | string[]>;
  readonly body?: Buffer;
}

/** Values a URL key may take: seeded entities' ids and names, random uuids, and garbage. */
export interface KeyPool {
  readonly known: readonly string[];
}

/** Percent-encodes every byte outside unreserved characters; unlike encodeURIComponent, never throws on lone surrogates. */
export function percentEncode(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const ch = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-_.~]/.test(ch) ? ch : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

const METHODS = ['GET', 'GET', 'GET', 'POST', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'TRACE'];
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

const FIELD_NAMES = [
  'id', 'name', 'host', 'port', 'path', 'protocol', 'protocols', 'url', 'retries', 'tags', 'service', 'route', 'consumer',
  'paths', 'hosts', 'methods', 'headers', 'snis', 'sources', 'destinations', 'config', 'enabled', 'username', 'custom_id',
  'target', 'weight', 'upstream', 'cert', 'key', 'certificate', 'algorithm', 'hash_on', 'healthchecks', 'slots',
  'created_at', 'updated_at', 'instance_name', 'strip_path', 'regex_priority', 'https_redirect_status_code',
  'connect_timeout', 'tls_verify', 'ca_certificates', 'client_certificate', 'key_names', 'minute', 'policy', '__proto__',
  'constructor', '', ' ', '@entity', 'a.b', 'x[y]',
];

const STRINGS = [
  '', ' ', 'a', 'http://x.test', 'https://x.test:8443/p', '/p', '~/re(', '~/[', '10.0.0.1', '::1', '[::1]:80', 'x.test:99999',
  '*.wild.test', 'a*b', 'GET', 'http', 'grpc', 'tcp', 'tls_passthrough', '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----',
  '00000000-0000-4000-8000-000000000000', 'NaN', 'null', 'true', '1e309', '0x10', '\u0000', '\uFFFF', '\uD800', 'é', '日本語',
  '🙂', 'a,b', 'a/b', '%', '%zz', '../..', 'x'.repeat(300), '\\', '"', "'", '{', '<script>',
];

const NUMBERS = [0, -1, 1, 80, 65535, 65536, 2 ** 31, 2 ** 53 + 1, -(2 ** 63), 1.5, 1e308, -0, 0.1, 5e-324];

function randomString(rng: Prng): string {
  if (rng.chance(0.6)) return rng.pick(STRINGS);
  const length = rng.int(20);
  let out = '';
  for (let i = 0; i < length; i++) {
    const roll = rng.next();
    out += roll < 0.7 ? String.fromCharCode(32 + rng.int(95)) : roll < 0.9 ? String.fromCharCode(128 + rng.int(2000)) : String.fromCodePoint(rng.int(0x10ffff));
  }
  return out;
}

/** Any JSON value, biased towards the shapes entities use; depth-limited except for deliberate deep nests. */
export function randomJson(rng: Prng, depth = 0): unknown {
  const roll = rng.int(depth > 3 ? 5 : 9);
  switch (roll) {
    case 0: return null;
    case 1: return rng.chance(0.5);
    case 2: return rng.pick(NUMBERS);
    case 3: case 4: return randomString(rng);
    case 5: case 6: {
      const out: Record<string, unknown> = {};
      for (let i = rng.int(5); i > 0; i--) out[rng.pick(FIELD_NAMES)] = randomJson(rng, depth + 1);
      return out;
    }
    default: return Array.from({ length: rng.int(4) }, () => randomJson(rng, depth + 1));
  }
}

function deepNest(rng: Prng): string {
  const depth = rng.pick([100, 1000, 5000, 20000]);
  const [open, close] = rng.chance(0.5) ? ['[', ']'] : ['{"config":', '}'];
  return open.repeat(depth) + '1' + close.repeat(depth);
}

/** A plausible entity with one or two fields broken: reaches deep validation instead of failing at the door. */
function nearValid(rng: Prng, keys: KeyPool): Record<string, unknown> {
  const base: Record<string, unknown> = rng.pick([
    { host: 'fz.test', port: 80 },
    { paths: ['/fz'], protocols: ['http'] },
    { username: 'fz-user-x' },
    { name: 'key-auth', config: { key_names: ['k'] } },
    { name: 'fz-up.internal', algorithm: 'round-robin' },
    { target: '10.9.9.9:80', weight: 5 },
    { name: 'fz2.cert.test' },
    { cert: 'x', key: 'y', snis: ['a.test'] },
  ]);
  for (let i = 1 + rng.int(2); i > 0; i--) base[rng.pick(FIELD_NAMES)] = randomJson(rng, 2);
  if (rng.chance(0.3)) base.service = rng.chance(0.5) ? { id: rng.pick(keys.known) } : { name: randomString(rng) };
  return base;
}

function encodeForm(rng: Prng, value: unknown, prefix = ''): string[] {
  if (value !== null && typeof value === 'object') {
    const entries = Array.isArray(value) ? value.map((v, i) => [rng.pick([`[${i + 1}]`, '[]', '']), v] as const) : Object.entries(value).map(([k, v]) => [prefix ? `.${k}` : k, v] as const);
    return entries.flatMap(([k, v]) => encodeForm(rng, v, prefix + k));
  }
  return [`${percentEncode(prefix || rng.pick(FIELD_NAMES))}=${percentEncode(String(value))}`];
}

const HOSTILE_FORM_KEYS = ['paths[99999999]', 'paths[0]', 'a[', 'a]]', '[]', 'a[][][]', 'a..b', '.a', 'a.', '__proto__.x', '__proto__[x]', 'constructor.prototype.x', 'headers[host]', 'config.', 'service.id', 'snis[]'];

function randomForm(rng: Prng, keys: KeyPool): string {
  const parts = encodeForm(rng, rng.chance(0.5) ? nearValid(rng, keys) : randomJson(rng));
  for (let i = rng.int(4); i > 0; i--) parts.push(`${percentEncode(rng.pick(HOSTILE_FORM_KEYS))}=${percentEncode(randomString(rng))}`);
  if (rng.chance(0.1)) parts.push('%zz=%', '=', '&&', 'a=%FF%FE');
  return parts.join('&');
}

function randomMultipart(rng: Prng, keys: KeyPool): { type: string; body: Buffer } {
  const boundary = `fz${rng.int(1e9)}`;
  const roll = rng.int(4);
  if (roll === 0) return { type: `multipart/form-data; boundary=${boundary}`, body: rng.bytes(rng.int(200)) };
  if (roll === 1) return { type: 'multipart/form-data', body: Buffer.from('--x\r\nContent-Disposition: form-data; name="a"\r\n\r\nb\r\n--x--') };
  const fields = encodeForm(rng, nearValid(rng, keys)).map((pair) => pair.split('=').map((p) => decodeURIComponent(p)));
  const chunks = fields.map(([name, value]) =>
    `--${boundary}\r\nContent-Disposition: form-data; name="${name}"${rng.chance(0.2) ? '; filename="f.txt"' : ''}\r\n\r\n${value}\r\n`);
  const tail = roll === 2 ? `--${boundary}--\r\n` : `--${boundary}`; // truncated closing boundary
  return { type: `multipart/form-data; boundary=${boundary}`, body: Buffer.from(chunks.join('') + tail) };
}

function randomBody(rng: Prng, keys: KeyPool): { headers: Record<string, string | string[]>; body?: Buffer } {
  const roll = rng.int(14);
  const json = (text: string | Buffer, type = 'application/json') => ({ headers: { 'content-type': type }, body: Buffer.isBuffer(text) ? text : Buffer.from(text) });
  switch (roll) {
    case 0: case 1: case 2: return json(JSON.stringify(nearValid(rng, keys)));
    case 3: case 4: return json(JSON.stringify(randomJson(rng)) ?? 'null', rng.pick(['application/json', 'application/json; charset=utf-8', 'Application/JSON', 'application/json-patch+json']));
    case 5: return json(deepNest(rng));
    case 6: return json(rng.pick(['{"port": 1e400}', '{"port": 123456789012345678901234567890}', '{"a":', '', '{"x":1}garbage', '\uFEFF{}', '{"a":"\\ud800"}', '[]', '"str"', '-', '{"__proto__":{"host":"x"}}']));
    case 7: return json(Buffer.concat([Buffer.from('{"name":"'), rng.bytes(8), Buffer.from('","host":"a.test"}')])); // invalid UTF-8
    case 8: case 9: return { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: Buffer.from(randomForm(rng, keys)) };
    case 10: {
      const multipart = randomMultipart(rng, keys);
      return { headers: { 'content-type': multipart.type }, body: multipart.body };
    }
    case 11: return { headers: { 'content-type': rng.pick(['text/plain', 'application/xml', 'application/yaml', 'image/png', ';;;', 'application']) }, body: rng.bytes(rng.int(64)) };
    case 12: return { headers: rng.chance(0.5) ? {} : { 'content-type': ['application/json', 'application/x-www-form-urlencoded'] }, body: rng.chance(0.5) ? rng.bytes(16) : undefined };
    default: return { headers: {}, body: undefined };
  }
}

const QUERY_KEYS = ['size', 'offset', 'tags', 'custom_id', 'unit', 'scale', 'balancer_health', 'size[]', 'tags[x]', 'x'];
const QUERY_VALUES = ['', '1', '0', '-1', '1000', '1001', '1.5', 'abc', '1e3', ' 5', 'NaN', 'Infinity', '%FF', '%', 'a,b', 'a/b', 'a,b/c', 'a,b,c,d,e,f',
  'WyJ4Il0', 'WyIwMDAwMDAwMC0wMDAwLTQwMDAtODAwMC0wMDAwMDAwMDAwMDAiXQ', '!!', '%E2%82%AC', '%C0%AF', 'é'];

function randomQuery(rng: Prng): string {
  if (rng.chance(0.4)) return '';
  const parts: string[] = [];
  for (let i = 1 + rng.int(4); i > 0; i--) {
    const value = rng.chance(0.8) ? rng.pick(QUERY_VALUES).replace(/[^\x21-\x7e]/g, (ch) => percentEncode(ch)) : percentEncode(randomString(rng));
    parts.push(`${percentEncode(rng.pick(QUERY_KEYS))}=${value}`);
  }
  if (rng.chance(0.02)) for (let i = 0; i < 1001; i++) parts.push(`q${i}=1`);
  return `?${parts.join('&')}`;
}

const HOSTILE_KEYS = ['%ZZ', '%', '%C0%AF', '%FF', '%00', '..', '.', 'a%2Fb', '%2e%2e', 'x'.repeat(2000), '1.2.3.4', 'a:b', 'all', 'a%20b', '%E6%97%A5%E6%9C%AC', '-', '*', '00000000-0000-0000-0000-00000000000g'];

function randomKey(rng: Prng, keys: KeyPool): string {
  const roll = rng.int(10);
  if (roll < 4) return percentEncode(rng.pick(keys.known));
  if (roll < 6) {
    const hex = rng.bytes(16).toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  }
  if (roll < 8) return rng.pick(HOSTILE_KEYS);
  return percentEncode(randomString(rng)) || 'x';
}

const COLLECTION_METHODS = ['GET', 'POST', 'POST', 'POST'];
const ITEM_METHODS = ['GET', 'PUT', 'PUT', 'PATCH', 'PATCH', 'DELETE'];

export function randomRequest(rng: Prng, templates: readonly string[], keys: KeyPool): FuzzRequest {
  const template = rng.pick(templates);
  // mostly the methods the endpoint has, so requests get past routing into decoding and validation
  const method = rng.chance(0.25) ? rng.pick(METHODS) : rng.pick(template.endsWith('}') ? ITEM_METHODS : COLLECTION_METHODS);
  let path = template.replace(/\{[^}]+\}/g, () => randomKey(rng, keys));
  if (rng.chance(0.05)) path += rng.pick(['/', '//', '/extra', '/..', '?', '#frag']);
  path += randomQuery(rng);
  const { headers, body } = BODY_METHODS.has(method) || rng.chance(0.1) ? randomBody(rng, keys) : { headers: {}, body: undefined };
  return { method, path, headers, body };
}

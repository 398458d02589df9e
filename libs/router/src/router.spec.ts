// The one table-driven suite of the router: cases live in ./cases, this file only runs them.
import { httpFieldCases, type HttpCase } from './cases/http-cases';
import { normalizeCases } from './cases/normalize-cases';
import { priorityCases } from './cases/priority-cases';
import { route } from './cases/route-factory';
import { streamCases } from './cases/stream-cases';
import { upstreamPathRows } from './cases/upstream-path-cases';
import { buildHttpMatchers } from './http/matcher';
import {
  compileHttpRouter,
  compileStreamRouter,
  escapeUpstreamPath,
  hostPort,
  hostWithoutPort,
  normalizePath,
  requiresHttps,
  resolveUpstreamPath,
  upstreamPathV0,
  upstreamPathV1,
  type HttpRequestInput,
  type StreamConnectionInput,
} from './index';

function request(partial: Partial<HttpRequestInput>): HttpRequestInput {
  return { protocol: 'http', method: 'GET', host: 'example.com', path: '/', headers: {}, port: 8000, ...partial };
}

function runHttpCase(c: HttpCase): void {
  const router = compileHttpRouter(c.routes.map(route));
  const m = router.match(request(c.request));
  expect(m?.route.name ?? null).toBe(c.expect);
  if (m === null) return;
  if (c.matchedPath !== undefined) expect(m.matchedPath).toBe(c.matchedPath);
  if (c.matchedHost !== undefined) expect(m.matchedHost).toBe(c.matchedHost);
  if (c.captures !== undefined) expect(m.captures).toEqual(c.captures);
  if (c.path !== undefined) expect(m.path).toBe(c.path);
}

describe('HTTP router: matching fields', () => {
  it.each(httpFieldCases.map((c) => [c.name, c] as const))('%s', (_name, c) => runHttpCase(c));
});

describe('HTTP router: priority (traditional_compatible)', () => {
  it.each(priorityCases.map((c) => [c.name, c] as const))('%s', (_name, c) => runHttpCase(c));

  it.each(priorityCases.map((c) => [c.name, c] as const))('%s — independent of config order', (_name, c) => {
    const router = compileHttpRouter([...c.routes].reverse().map(route));
    expect(router.match(request(c.request))?.route.name ?? null).toBe(c.expect);
  });
});

describe('normalizePath', () => {
  it.each(normalizeCases)('%j -> %j', (raw, normalized) => expect(normalizePath(raw)).toBe(normalized));

  it('returns the same string when nothing needs normalizing', () => {
    const raw = '/api/v1/users';
    expect(normalizePath(raw)).toBe(raw);
  });
});

describe('upstream path (§1.6 table)', () => {
  const label = (r: (typeof upstreamPathRows)[number]) => `${r.servicePath} | ${r.routePath ?? '(no paths)'} | ${r.request} | strip=${r.strip}`;
  it.each(upstreamPathRows.map((r) => [label(r), r] as const))('v0: %s', (_l, r) => {
    expect(upstreamPathV0(r.servicePath, r.request, r.routePath, r.strip)).toBe(r.v0);
  });
  it.each(upstreamPathRows.map((r) => [label(r), r] as const))('v1: %s', (_l, r) => {
    expect(upstreamPathV1(r.servicePath, r.request, r.routePath, r.strip)).toBe(r.v1);
  });
  it.each(upstreamPathRows.map((r) => [label(r), r] as const))('resolveUpstreamPath through the router is v0: %s', (_l, r) => {
    const routes = [route({ name: 'r', paths: r.routePath === null ? null : [r.routePath], strip_path: r.strip, path_handling: 'v1' })];
    const m = compileHttpRouter(routes).match(request({ path: r.request }));
    expect(m).not.toBeNull();
    expect(resolveUpstreamPath(m!, r.servicePath, '')).toBe(r.v0);
  });

  it('strips a regex match and keeps the rest', () => {
    const m = compileHttpRouter([route({ name: 'r', paths: ['~/users/\\d+'] })]).match(request({ path: '/users/42/orders' }));
    expect(resolveUpstreamPath(m!, '/svc', '')).toBe('/svc/orders');
  });

  it('builds from the normalized path and re-escapes it, appending the query verbatim', () => {
    const m = compileHttpRouter([route({ name: 'r', paths: ['/a'], strip_path: false })]).match(request({ path: '/a/./my%20file%2Fx' }));
    expect(m!.path).toBe('/a/my file%2Fx');
    expect(resolveUpstreamPath(m!, null, '?q=a%20b&x')).toBe('/a/my%20file%2Fx?q=a%20b&x');
  });

  it('keeps an empty query marker', () => {
    const m = compileHttpRouter([route({ name: 'r', paths: ['/foo'], strip_path: false })]).match(request({ path: '/foo' }));
    expect(resolveUpstreamPath(m!, null, '?')).toBe('/foo?');
  });

  it.each([
    ['/plain/path-_.~', '/plain/path-_.~'],
    ['/a b', '/a%20b'],
    ['/café', '/caf%C3%A9'],
    ['/q"<>', '/q%22%3C%3E'],
    ["/keep!#$&'()*+,:;=?@[]%", "/keep!#$&'()*+,:;=?@[]%"],
  ])('escapeUpstreamPath(%j) = %j', (input, output) => expect(escapeUpstreamPath(input)).toBe(output));
});

describe('stream router', () => {
  const conn = (partial: Partial<StreamConnectionInput>): StreamConnectionInput => ({
    protocol: 'tcp',
    sourceIp: '192.0.2.10',
    sourcePort: 40000,
    destinationIp: '198.51.100.1',
    destinationPort: 4242,
    ...partial,
  });
  it.each(streamCases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const router = compileStreamRouter(c.routes.map(route));
    expect(router.match(conn(c.conn))?.name ?? null).toBe(c.expect);
    const reversed = compileStreamRouter([...c.routes].reverse().map(route));
    expect(reversed.match(conn(c.conn))?.name ?? null).toBe(c.expect);
  });
});

describe('helpers', () => {
  it.each([
    ['Example.COM', 'example.com', null],
    ['a.test:8000', 'a.test', 8000],
    ['[::1]:8443', '[::1]', 8443],
    ['[::1]', '[::1]', null],
    ['a.test:', 'a.test', null],
    ['a.test:99999', 'a.test', null],
  ] as const)('host %j -> %j port %j', (raw, host, port) => {
    expect(hostWithoutPort(raw)).toBe(host);
    expect(hostPort(raw)).toBe(port);
  });

  it.each([
    [['https'], 'http', true],
    [['https'], 'https', false],
    [['http', 'https'], 'http', false],
    [['http'], 'https', false],
    [['grpcs'], 'http', false],
  ] as const)('requiresHttps(%j, %s) = %s', (protocols, scheme, expected) => {
    expect(requiresHttps(route({ name: 'r', protocols: [...protocols] }), scheme)).toBe(expected);
  });

  it('counts only HTTP-family routes and reports uncompilable parts instead of throwing', () => {
    const router = compileHttpRouter([
      route({ name: 'ok', paths: ['/ok'] }),
      route({ name: 'bad', paths: ['~/a(?<'] }),
      route({ name: 'stream', protocols: ['tcp'], destinations: [{ port: 1 }] }),
    ]);
    expect(router.size).toBe(2);
    expect(router.warnings).toHaveLength(1);
    expect(router.warnings[0]).toContain("route bad: path '~/a(?<' skipped");
  });
});

describe('HTTP router at scale', () => {
  // 10,000 routes over 500 hosts: the index must still find exactly the right one.
  const routes = [];
  for (let i = 0; i < 10_000; i++) {
    routes.push(route({ name: `r${i}`, hosts: [`h${i % 500}.test`], paths: [`/svc${i}`] }));
  }
  routes.push(route({ name: 'wild', hosts: ['*.wild.test'], paths: ['/'] }));
  routes.push(route({ name: 'regex', paths: ['~/items/(?<id>\\d+)$'], regex_priority: 3 }));
  const router = compileHttpRouter(routes);

  it.each([
    [{ host: 'h7.test', path: '/svc507/x' }, 'r507'],
    [{ host: 'h7.test', path: '/svc5007' }, 'r5007'],
    [{ host: 'h7.test:8000', path: '/svc9507' }, 'r9507'],
    [{ host: 'h8.test', path: '/svc507' }, null],
    [{ host: 'deep.a.wild.test', path: '/svc507' }, 'wild'],
    [{ host: 'h7.test', path: '/items/12' }, 'regex'],
    [{ host: 'nowhere.test', path: '/nothing' }, null],
  ] as const)('%j -> %s', (req, expected) => {
    expect(router.match(request(req))?.route.name ?? null).toBe(expected);
  });

  it('chooses /svc50 over /svc5 on the shared trie branch by prefix length', () => {
    const small = compileHttpRouter([route({ name: 'short', paths: ['/svc5'] }), route({ name: 'long', paths: ['/svc50'] })]);
    expect(small.match(request({ path: '/svc500' }))?.route.name).toBe('long');
    expect(small.match(request({ path: '/svc51' }))?.route.name).toBe('short');
  });
});

describe('a route listing one path many times', () => {
  it('keeps each path once (30,000 copies of one path made every rebuild re-insert it 30,000 times)', () => {
    const many = route({ name: 'many', paths: [...Array(30_000).fill('/y'), '~/r/\\d+$', '/z', '~/r/\\d+$'] });
    const matchers = buildHttpMatchers(many, () => {});
    expect(matchers.flatMap((m) => m.paths ?? []).map((p) => p.prefix)).toEqual(['/y', '/z', '/r/']);
    const router = compileHttpRouter([many, route({ name: 'other', paths: ['/a'] })]);
    expect(router.match(request({ path: '/y/1' }))?.route.name).toBe('many');
    expect(router.match(request({ path: '/r/12' }))?.route.name).toBe('many');
    expect(router.match(request({ path: '/a' }))?.route.name).toBe('other');
  });
});

// Table of HTTP matching cases: one field at a time, then normalization and protocol handling.
import type { HttpRequestInput } from '../types';
import type { RouteSpec } from './route-factory';

export interface HttpCase {
  readonly name: string;
  readonly routes: readonly RouteSpec[];
  readonly request: Partial<HttpRequestInput>;
  /** Name of the route that must match, or null for no match. */
  readonly expect: string | null;
  readonly matchedPath?: string | null;
  readonly matchedHost?: string | null;
  readonly captures?: Record<string, string> | null;
  readonly path?: string;
}

const anyPath: RouteSpec = { name: 'catch-all', paths: ['/'] };

export const httpFieldCases: HttpCase[] = [
  // methods
  { name: 'method matches', routes: [{ name: 'get', methods: ['GET'] }], request: { method: 'GET' }, expect: 'get' },
  { name: 'method mismatch', routes: [{ name: 'get', methods: ['GET'] }], request: { method: 'POST' }, expect: null },
  { name: 'one of several methods', routes: [{ name: 'rw', methods: ['PUT', 'POST'] }], request: { method: 'POST' }, expect: 'rw' },
  { name: 'route methods are upper-cased at compile time', routes: [{ name: 'lower', methods: ['get'] }], request: { method: 'GET' }, expect: 'lower' },

  // hosts
  { name: 'exact host', routes: [{ name: 'h', hosts: ['api.example.com'] }], request: { host: 'api.example.com' }, expect: 'h', matchedHost: 'api.example.com' },
  { name: 'exact host mismatch', routes: [{ name: 'h', hosts: ['api.example.com'] }], request: { host: 'web.example.com' }, expect: null },
  { name: 'host compares case-insensitively', routes: [{ name: 'h', hosts: ['api.example.com'] }], request: { host: 'API.Example.COM' }, expect: 'h' },
  { name: 'one of several hosts', routes: [{ name: 'h', hosts: ['a.test', 'b.test'] }], request: { host: 'b.test' }, expect: 'h', matchedHost: 'b.test' },
  { name: 'plain host ignores the Host port', routes: [{ name: 'h', hosts: ['a.test'] }], request: { host: 'a.test:8080' }, expect: 'h' },
  { name: 'host with port: same Host port', routes: [{ name: 'hp', hosts: ['a.test:8000'] }], request: { host: 'a.test:8000', port: 9999 }, expect: 'hp', matchedHost: 'a.test:8000' },
  { name: 'host with port: other Host port', routes: [{ name: 'hp', hosts: ['a.test:8000'] }], request: { host: 'a.test:9000', port: 8000 }, expect: null },
  { name: 'host with port: no Host port, listen port matches', routes: [{ name: 'hp', hosts: ['a.test:8000'] }], request: { host: 'a.test', port: 8000 }, expect: 'hp' },
  { name: 'host with port: no Host port, listen port differs (not defaulted to 80)', routes: [{ name: 'hp', hosts: ['a.test:80'] }], request: { host: 'a.test', port: 8000 }, expect: null },
  { name: 'same host with and without port: port form reported when it fits', routes: [{ name: 'hp', hosts: ['a.test:8000', 'a.test'] }], request: { host: 'a.test:8000' }, expect: 'hp', matchedHost: 'a.test:8000' },
  { name: 'same host with and without port: bare form serves other ports', routes: [{ name: 'hp', hosts: ['a.test:8000', 'a.test'] }], request: { host: 'a.test:7000' }, expect: 'hp', matchedHost: 'a.test' },
  { name: 'IPv6 Host literal with port', routes: [{ name: 'v6', hosts: ['[::1]'] }], request: { host: '[::1]:8000' }, expect: 'v6' },
  { name: 'wildcard *.x: one label', routes: [{ name: 'w', hosts: ['*.example.com'] }], request: { host: 'a.example.com' }, expect: 'w', matchedHost: '*.example.com' },
  { name: 'wildcard *.x: several labels', routes: [{ name: 'w', hosts: ['*.example.com'] }], request: { host: 'a.b.example.com' }, expect: 'w' },
  { name: 'wildcard *.x: not the bare domain', routes: [{ name: 'w', hosts: ['*.example.com'] }], request: { host: 'example.com' }, expect: null },
  { name: 'wildcard *.x: not a lookalike suffix', routes: [{ name: 'w', hosts: ['*.example.com'] }], request: { host: 'a.badexample.com' }, expect: null },
  { name: 'wildcard *.x ignores the Host port', routes: [{ name: 'w', hosts: ['*.example.com'] }], request: { host: 'a.example.com:8443' }, expect: 'w' },
  { name: 'wildcard x.*', routes: [{ name: 'w', hosts: ['example.*'] }], request: { host: 'example.org' }, expect: 'w', matchedHost: 'example.*' },
  { name: 'wildcard x.*: several labels', routes: [{ name: 'w', hosts: ['example.*'] }], request: { host: 'example.co.uk' }, expect: 'w' },
  { name: 'wildcard x.*: not a longer first label', routes: [{ name: 'w', hosts: ['example.*'] }], request: { host: 'www.example.org' }, expect: null },
  { name: 'wildcard with port: port matches', routes: [{ name: 'w', hosts: ['*.example.com:8443'] }], request: { host: 'a.example.com:8443' }, expect: 'w' },
  { name: 'wildcard with port: port differs', routes: [{ name: 'w', hosts: ['*.example.com:8443'] }], request: { host: 'a.example.com:8000' }, expect: null },

  // paths
  { name: 'prefix path: exact', routes: [{ name: 'p', paths: ['/foo'] }], request: { path: '/foo' }, expect: 'p', matchedPath: '/foo' },
  { name: 'prefix path: plain string prefix (/foo matches /foobar)', routes: [{ name: 'p', paths: ['/foo'] }], request: { path: '/foobar' }, expect: 'p', matchedPath: '/foo' },
  { name: 'prefix path: deeper path', routes: [{ name: 'p', paths: ['/foo'] }], request: { path: '/foo/bar' }, expect: 'p' },
  { name: 'prefix path: shorter request', routes: [{ name: 'p', paths: ['/foo'] }], request: { path: '/fo' }, expect: null },
  { name: 'prefix path: case-sensitive', routes: [{ name: 'p', paths: ['/foo'] }], request: { path: '/FOO' }, expect: null },
  { name: 'prefix path: one of several (same length)', routes: [{ name: 'p', paths: ['/aa', '/bb'] }], request: { path: '/bb/x' }, expect: 'p', matchedPath: '/bb' },
  { name: 'prefix path: one of several (different lengths)', routes: [{ name: 'p', paths: ['/a', '/bbb'] }], request: { path: '/bbb/x' }, expect: 'p', matchedPath: '/bbb' },
  { name: 'no paths: any path, nothing matched', routes: [{ name: 'h', hosts: ['a.test'] }], request: { host: 'a.test', path: '/x/y' }, expect: 'h', matchedPath: null, captures: null },
  { name: 'regex path', routes: [{ name: 'r', paths: ['~/users/\\d+$'] }], request: { path: '/users/42' }, expect: 'r', matchedPath: '/users/42' },
  { name: 'regex path anchored at the start', routes: [{ name: 'r', paths: ['~/users/\\d+$'] }], request: { path: '/v1/users/42' }, expect: null },
  { name: 'regex path not anchored at the end', routes: [{ name: 'r', paths: ['~/users/\\d+'] }], request: { path: '/users/42/orders' }, expect: 'r', matchedPath: '/users/42' },
  {
    name: 'regex named and positional captures',
    routes: [{ name: 'r', paths: ['~/users/(?<user>\\d+)/(\\w+)'] }],
    request: { path: '/users/42/orders' },
    expect: 'r',
    captures: { '0': '/users/42/orders', '1': '42', '2': 'orders', user: '42' },
  },
  { name: 'regex Rust-style (?P<name>) capture', routes: [{ name: 'r', paths: ['~/items/(?P<item>[a-z]+)'] }], request: { path: '/items/abc' }, expect: 'r', captures: { '0': '/items/abc', '1': 'abc', item: 'abc' } },
  { name: 'regex optional group that did not take part is left out', routes: [{ name: 'r', paths: ['~/a(?<opt>/b)?'] }], request: { path: '/a/c' }, expect: 'r', captures: { '0': '/a' } },
  { name: 'regex leading (?i) flag', routes: [{ name: 'r', paths: ['~(?i)/admin'] }], request: { path: '/ADMIN/x' }, expect: 'r' },
  { name: 'regex: Kong prepends ^ to the source only, so a later branch is unanchored', routes: [{ name: 'r', paths: ['~/a$|/b$'] }], request: { path: '/x/b' }, expect: 'r' },
  { name: 'regex with optional literal before first metachar', routes: [{ name: 'r', paths: ['~/colou?r'] }], request: { path: '/color' }, expect: 'r' },
  { name: 'regex group: first listed regex that matches decides the captures', routes: [{ name: 'r', paths: ['~/x/(?<a>\\d+)', '~/x/(?<b>.+)'] }], request: { path: '/x/12' }, expect: 'r', captures: { '0': '/x/12', '1': '12', a: '12' } },
  { name: 'regex group: second regex', routes: [{ name: 'r', paths: ['~/x/(?<a>\\d+)', '~/x/(?<b>.+)'] }], request: { path: '/x/ab' }, expect: 'r', captures: { '0': '/x/ab', '1': 'ab', b: 'ab' } },
  // Kong's dialect (regex-dialect.ts): Rust flags and anchors JavaScript has no spelling for
  { name: 'regex inline (?i) after a literal', routes: [{ name: 'r', paths: ['~/(?i)admin$'] }], request: { path: '/ADMIN' }, expect: 'r', matchedPath: '/ADMIN' },
  { name: 'regex scoped (?i:...) flag', routes: [{ name: 'r', paths: ['~/(?i:ab)c$'] }], request: { path: '/ABC' }, expect: null },
  { name: 'regex \\z end of text', routes: [{ name: 'r', paths: ['~/a\\z'] }], request: { path: '/ab' }, expect: null },
  { name: 'regex \\z end of text matches', routes: [{ name: 'r', paths: ['~/a\\z'] }], request: { path: '/a' }, expect: 'r' },
  { name: 'regex named group after a literal segment', routes: [{ name: 'r', paths: ['~/users/x/(?<name>\\w+)'] }], request: { path: '/users/x/bob' }, expect: 'r', captures: { '0': '/users/x/bob', '1': 'bob', name: 'bob' } },
  { name: 'invalid regex drops that path, never widens the route', routes: [{ name: 'r', paths: ['~/a(?<'] }], request: { path: '/a' }, expect: null },

  // headers
  { name: 'header value matches case-insensitively', routes: [{ name: 'hd', headers: { 'x-version': ['v1'] } }], request: { headers: { 'x-version': 'V1' } }, expect: 'hd' },
  { name: 'header name configured in any case', routes: [{ name: 'hd', headers: { 'X-Version': ['v1'] } }], request: { headers: { 'x-version': 'v1' } }, expect: 'hd' },
  { name: 'header value mismatch', routes: [{ name: 'hd', headers: { 'x-version': ['v1'] } }], request: { headers: { 'x-version': 'v2' } }, expect: null },
  { name: 'header absent', routes: [{ name: 'hd', headers: { 'x-version': ['v1'] } }], request: { headers: {} }, expect: null },
  { name: 'header: one of several values', routes: [{ name: 'hd', headers: { 'x-version': ['v1', 'v2'] } }], request: { headers: { 'x-version': 'v2' } }, expect: 'hd' },
  { name: 'header: any of the request values', routes: [{ name: 'hd', headers: { 'x-version': ['v2'] } }], request: { headers: { 'x-version': ['v1', 'v2'] } }, expect: 'hd' },
  { name: 'header: value is compared whole, not as a substring', routes: [{ name: 'hd', headers: { 'x-version': ['v1'] } }], request: { headers: { 'x-version': 'v10' } }, expect: null },
  { name: 'header ~* regex', routes: [{ name: 'hd', headers: { 'x-version': ['~*^v\\d$'] } }], request: { headers: { 'x-version': 'v7' } }, expect: 'hd' },
  { name: 'header ~* regex is case-insensitive', routes: [{ name: 'hd', headers: { 'x-version': ['~*^beta-[a-z]+$'] } }], request: { headers: { 'x-version': 'BETA-Two' } }, expect: 'hd' },
  { name: 'header ~* regex mismatch', routes: [{ name: 'hd', headers: { 'x-version': ['~*^v\\d$'] } }], request: { headers: { 'x-version': 'v12' } }, expect: null },
  { name: 'header regex mixed with plain values', routes: [{ name: 'hd', headers: { 'x-version': ['legacy', '~*^v\\d$'] } }], request: { headers: { 'x-version': 'LEGACY' } }, expect: 'hd' },
  { name: 'all headers required', routes: [{ name: 'hd', headers: { 'x-a': ['1'], 'x-b': ['2'] } }], request: { headers: { 'x-a': '1' } }, expect: null },
  { name: 'all headers present', routes: [{ name: 'hd', headers: { 'x-a': ['1'], 'x-b': ['2'] } }], request: { headers: { 'x-a': '1', 'x-b': '2' } }, expect: 'hd' },

  // snis
  { name: 'sni on https', routes: [{ name: 's', protocols: ['https'], snis: ['secure.test'] }], request: { protocol: 'https', sni: 'secure.test' }, expect: 's' },
  { name: 'sni mismatch on https', routes: [{ name: 's', protocols: ['https'], snis: ['secure.test'] }], request: { protocol: 'https', sni: 'other.test' }, expect: null },
  { name: 'https without sni does not match an sni route', routes: [{ name: 's', protocols: ['https'], snis: ['secure.test'] }], request: { protocol: 'https' }, expect: null },
  { name: 'snis are ignored for plain http requests', routes: [{ name: 's', snis: ['secure.test'] }], request: { protocol: 'http' }, expect: 's' },
  { name: 'sni trailing dot and case ignored', routes: [{ name: 's', snis: ['secure.test'] }], request: { protocol: 'https', sni: 'Secure.Test.' }, expect: 's' },
  { name: 'sni wildcard *.x', routes: [{ name: 's', snis: ['*.secure.test'] }], request: { protocol: 'https', sni: 'a.secure.test' }, expect: 's' },
  { name: 'sni on grpcs', routes: [{ name: 's', protocols: ['grpcs'], snis: ['g.test'] }], request: { protocol: 'grpcs', sni: 'x.test' }, expect: null },

  // combined fields AND together
  { name: 'host and path and method all match', routes: [{ name: 'c', hosts: ['a.test'], paths: ['/p'], methods: ['GET'] }], request: { host: 'a.test', path: '/p/1', method: 'GET' }, expect: 'c' },
  { name: 'host and path match, method does not', routes: [{ name: 'c', hosts: ['a.test'], paths: ['/p'], methods: ['GET'] }], request: { host: 'a.test', path: '/p/1', method: 'DELETE' }, expect: null },
  { name: 'path matches on another host only', routes: [{ name: 'c', hosts: ['a.test'], paths: ['/p'] }], request: { host: 'b.test', path: '/p' }, expect: null },

  // protocols
  { name: 'stream routes are not in the HTTP router', routes: [{ name: 'tcp', protocols: ['tcp'], destinations: [{ port: 80 }] }], request: {}, expect: null },
  { name: 'grpc routes are in the HTTP router', routes: [{ name: 'g', protocols: ['grpc', 'grpcs'], paths: ['/pkg.Svc/'] }], request: { protocol: 'grpc', method: 'POST', path: '/pkg.Svc/Call' }, expect: 'g' },
  { name: 'https-only route still matches over http (the proxy answers 426)', routes: [{ name: 'tls-only', protocols: ['https'], paths: ['/'] }], request: { protocol: 'http' }, expect: 'tls-only' },

  // normalization before matching
  { name: 'percent-encoded unreserved characters are decoded', routes: [{ name: 'p', paths: ['/foo'] }], request: { path: '/%66%6F%6f/x' }, expect: 'p', path: '/foo/x' },
  { name: 'dot segments removed before matching', routes: [{ name: 'p', paths: ['/bar'] }, { name: 'foo', paths: ['/foo'] }], request: { path: '/foo/../bar' }, expect: 'p', path: '/bar' },
  { name: 'encoded dot segments removed', routes: [{ name: 'p', paths: ['/bar'] }, { name: 'foo', paths: ['/foo'] }], request: { path: '/foo/%2e%2E/bar' }, expect: 'p' },
  { name: 'duplicate slashes merged', routes: [{ name: 'p', paths: ['/a/b'] }], request: { path: '//a//b' }, expect: 'p', path: '/a/b' },
  { name: 'encoded slash is not a separator', routes: [{ name: 'p', paths: ['/a/b'] }], request: { path: '/a%2fb' }, expect: null, path: '/a%2Fb' },
  { name: 'regex sees the normalized path', routes: [{ name: 'r', paths: ['~/files/(?<name>[^/]+)$'] }], request: { path: '/files/my%20doc' }, expect: 'r', captures: { '0': '/files/my doc', '1': 'my doc', name: 'my doc' } },
  { name: 'path climbing above the root matches nothing', routes: [anyPath], request: { path: '/../etc/passwd' }, expect: null },
  { name: 'path that is not origin-form matches nothing', routes: [anyPath], request: { path: '*' }, expect: null },
  { name: 'catch-all route', routes: [anyPath], request: { path: '/anything' }, expect: 'catch-all', matchedPath: '/' },
  { name: 'no routes at all', routes: [], request: {}, expect: null },
];

// Every traditional_compatible priority rule (§1.5), each with a case that fails if that rule is dropped or
// reordered. Ids are chosen so the tie-break (larger id wins) would pick the *other* route.
import { HIGH_ID, LOW_ID } from './route-factory';
import type { HttpCase } from './http-cases';

export const priorityCases: HttpCase[] = [
  {
    name: 'more fields win: hosts+methods over hosts',
    routes: [{ name: 'host', id: HIGH_ID, hosts: ['a.test'] }, { name: 'host+method', id: LOW_ID, hosts: ['a.test'], methods: ['GET'] }],
    request: { host: 'a.test' },
    expect: 'host+method',
  },
  {
    name: 'field count beats plain-host bit: wildcard host + path over plain host alone',
    routes: [{ name: 'plain', id: HIGH_ID, hosts: ['x.a.test'] }, { name: 'wild+path', id: LOW_ID, hosts: ['*.a.test'], paths: ['/'] }],
    request: { host: 'x.a.test' },
    expect: 'wild+path',
  },
  {
    name: 'field count beats header count: methods+paths over three headers',
    routes: [{ name: 'headers', id: HIGH_ID, headers: { 'x-a': ['1'], 'x-b': ['1'], 'x-c': ['1'] } }, { name: 'method+path', id: LOW_ID, methods: ['GET'], paths: ['/'] }],
    request: { headers: { 'x-a': '1', 'x-b': '1', 'x-c': '1' } },
    expect: 'method+path',
  },
  {
    name: 'snis count as a field (even on plain http, where they are not checked)',
    routes: [{ name: 'path', id: HIGH_ID, paths: ['/a'] }, { name: 'path+sni', id: LOW_ID, paths: ['/a'], snis: ['s.test'] }],
    request: { path: '/a' },
    expect: 'path+sni',
  },
  {
    name: 'plain hosts beat wildcard hosts at equal field count',
    routes: [{ name: 'wild', id: HIGH_ID, hosts: ['*.a.test'] }, { name: 'plain', id: LOW_ID, hosts: ['x.a.test'] }],
    request: { host: 'x.a.test' },
    expect: 'plain',
  },
  {
    name: 'a route mixing plain and wildcard hosts is not plain-only',
    routes: [{ name: 'mixed', id: HIGH_ID, hosts: ['x.a.test', '*.b.test'] }, { name: 'plain', id: LOW_ID, hosts: ['x.a.test'] }],
    request: { host: 'x.a.test' },
    expect: 'plain',
  },
  {
    name: 'plain-host bit beats header count: host route over header route',
    routes: [{ name: 'header', id: HIGH_ID, headers: { 'x-a': ['1'] } }, { name: 'host', id: LOW_ID, hosts: ['a.test'] }],
    request: { host: 'a.test', headers: { 'x-a': '1' } },
    expect: 'host',
  },
  {
    name: 'plain-host bit beats longest prefix (both routes have two fields)',
    routes: [{ name: 'method+long', id: HIGH_ID, methods: ['GET'], paths: ['/very/long/prefix'] }, { name: 'host+short', id: LOW_ID, hosts: ['a.test'], paths: ['/'] }],
    request: { host: 'a.test', path: '/very/long/prefix/x' },
    expect: 'host+short',
  },
  {
    name: 'more headers win at equal field count',
    routes: [{ name: 'one', id: HIGH_ID, headers: { 'x-a': ['1'] } }, { name: 'two', id: LOW_ID, headers: { 'x-a': ['1'], 'x-b': ['2'] } }],
    request: { headers: { 'x-a': '1', 'x-b': '2' } },
    expect: 'two',
  },
  {
    name: 'header count beats regex path',
    routes: [{ name: 'regex', id: HIGH_ID, paths: ['~/a'], headers: { 'x-a': ['1'] } }, { name: 'two-headers', id: LOW_ID, paths: ['/a'], headers: { 'x-a': ['1'], 'x-b': ['1'] } }],
    request: { path: '/a', headers: { 'x-a': '1', 'x-b': '1' } },
    expect: 'two-headers',
  },
  {
    name: 'regex path beats a longer prefix',
    routes: [{ name: 'prefix', id: HIGH_ID, paths: ['/users/42/profile'] }, { name: 'regex', id: LOW_ID, paths: ['~/users/\\d+'] }],
    request: { path: '/users/42/profile' },
    expect: 'regex',
  },
  {
    name: 'higher regex_priority wins between regex routes',
    routes: [{ name: 'low', id: HIGH_ID, paths: ['~/a/.*'], regex_priority: 1 }, { name: 'high', id: LOW_ID, paths: ['~/a/b'], regex_priority: 5 }],
    request: { path: '/a/b' },
    expect: 'high',
  },
  {
    name: 'negative regex_priority sorts below zero',
    routes: [{ name: 'negative', id: HIGH_ID, paths: ['~/a'], regex_priority: -1 }, { name: 'zero', id: LOW_ID, paths: ['~/a'] }],
    request: { path: '/a' },
    expect: 'zero',
  },
  {
    name: 'regex_priority is ignored on prefix paths (longest prefix decides)',
    routes: [{ name: 'short', id: HIGH_ID, paths: ['/api'], regex_priority: 100 }, { name: 'long', id: LOW_ID, paths: ['/api/v1'] }],
    request: { path: '/api/v1/users' },
    expect: 'long',
  },
  {
    name: 'regex_priority beats prefix length only among regex routes: regex bit first',
    routes: [{ name: 'prefix', id: HIGH_ID, paths: ['/api/v1/users'] }, { name: 'regex-neg', id: LOW_ID, paths: ['~/api'], regex_priority: -5 }],
    request: { path: '/api/v1/users' },
    expect: 'regex-neg',
  },
  {
    name: 'longest prefix wins',
    routes: [{ name: 'short', id: HIGH_ID, paths: ['/api'] }, { name: 'long', id: LOW_ID, paths: ['/api/v1'] }],
    request: { path: '/api/v1/x' },
    expect: 'long',
  },
  {
    name: 'longest prefix does not apply when the long one does not match',
    routes: [{ name: 'short', id: LOW_ID, paths: ['/api'] }, { name: 'long', id: HIGH_ID, paths: ['/api/v1'] }],
    request: { path: '/api/v2/x' },
    expect: 'short',
  },
  {
    name: 'a multi-path route is split per group: its prefix group ranks by its own length',
    routes: [{ name: 'mixed', id: HIGH_ID, paths: ['~/y/\\d+', '/x'] }, { name: 'long-prefix', id: LOW_ID, paths: ['/x/long'] }],
    request: { path: '/x/long' },
    expect: 'long-prefix',
  },
  {
    name: 'a multi-path route is split per group: its regex group keeps the regex bit',
    routes: [{ name: 'mixed', id: LOW_ID, paths: ['/x', '~/y/\\d+'] }, { name: 'long-prefix', id: HIGH_ID, paths: ['/y/1/long'] }],
    request: { path: '/y/1/long' },
    expect: 'mixed',
    matchedPath: '/y/1',
  },
  {
    name: 'a multi-path route is split per group: each prefix length separately',
    routes: [{ name: 'multi', id: HIGH_ID, paths: ['/a', '/b/long/prefix'] }, { name: 'mid', id: LOW_ID, paths: ['/a/mid'] }],
    request: { path: '/a/mid/x' },
    expect: 'mid',
  },
  {
    name: 'equal priority: the larger id wins',
    routes: [{ name: 'low-id', id: LOW_ID, paths: ['/same'] }, { name: 'high-id', id: HIGH_ID, paths: ['/same'] }],
    request: { path: '/same' },
    expect: 'high-id',
  },
  {
    name: 'equal priority: created_at is not consulted (older route with the smaller id loses)',
    routes: [{ name: 'old', id: LOW_ID, paths: ['/same'], created_at: 1 }, { name: 'new', id: HIGH_ID, paths: ['/same'], created_at: 2_000_000_000 }],
    request: { path: '/same' },
    expect: 'new',
  },
  {
    name: 'equal priority: order in the config is not consulted',
    routes: [{ name: 'high-id', id: HIGH_ID, paths: ['/same'] }, { name: 'low-id', id: LOW_ID, paths: ['/same'] }],
    request: { path: '/same' },
    expect: 'high-id',
  },
  {
    name: 'priority is global: a hostless route can beat a host route with fewer fields',
    routes: [{ name: 'host', id: HIGH_ID, hosts: ['a.test'] }, { name: 'method+path', id: LOW_ID, methods: ['GET'], paths: ['/'] }],
    request: { host: 'a.test' },
    expect: 'method+path',
  },
  {
    name: 'exact host route and wildcard host route both indexed: wildcard wins on more fields',
    routes: [{ name: 'exact', id: HIGH_ID, hosts: ['x.a.test'] }, { name: 'wild+hdr', id: LOW_ID, hosts: ['*.a.test'], headers: { 'x-a': ['1'] } }],
    request: { host: 'x.a.test', headers: { 'x-a': '1' } },
    expect: 'wild+hdr',
  },
  {
    name: 'suffix and prefix wildcards both apply: field count decides',
    routes: [{ name: 'prefix-wild', id: HIGH_ID, hosts: ['x.*'] }, { name: 'suffix-wild+path', id: LOW_ID, hosts: ['*.a.test'], paths: ['/'] }],
    request: { host: 'x.a.test' },
    expect: 'suffix-wild+path',
  },
  {
    name: 'a better route that fails a field falls through to the next one',
    routes: [{ name: 'best-but-post', id: HIGH_ID, hosts: ['a.test'], paths: ['/api'], methods: ['POST'] }, { name: 'fallback', id: LOW_ID, paths: ['/api'] }],
    request: { host: 'a.test', path: '/api', method: 'GET' },
    expect: 'fallback',
  },
];

// A router compiled from the one it replaces must match exactly as one compiled from scratch: the reused ranking
// and cached matchers are an optimisation, never a behaviour.
import type { RouteRow } from '@tollgate/declarative/snapshot';
import { route, type RouteSpec } from '../cases/route-factory';
import type { HttpRequestInput } from '../types';
import { compileHttpRouter } from './http-router';

const base: RouteSpec[] = [
  { name: 'root', paths: ['/'] },
  { name: 'api', paths: ['/api'] },
  { name: 'api-v1', paths: ['/api/v1'], methods: ['GET'] },
  { name: 'host', hosts: ['a.example.com'], paths: ['/api'] },
  { name: 'wild', hosts: ['*.example.com'] },
  { name: 'regex', paths: ['~/api/v[0-9]+/items$'], regex_priority: 5 },
  { name: 'header', paths: ['/api'], headers: { 'x-env': ['prod'] } },
  { name: 'stream', protocols: ['tcp'], destinations: [{ ip: '10.0.0.1', port: 1 }], paths: null },
];

type Change = (routes: RouteRow[]) => RouteRow[];
const changes: Array<[string, Change]> = [
  ['a new route that outranks others', (rs) => [...rs, route({ name: 'longer', paths: ['/api/v1/items'] })]],
  ['a new route that ranks last', (rs) => [...rs, route({ name: 'any', paths: null })]],
  ['a route removed', (rs) => rs.filter((r) => r.name !== 'api')],
  ['a route updated (new object, same id)', (rs) => rs.map((r) => (r.name === 'regex' ? { ...r, regex_priority: -1 } : r))],
  ['a route gains a host', (rs) => rs.map((r) => (r.name === 'api-v1' ? { ...r, hosts: ['a.example.com'] } : r))],
  ['order of the list changed', (rs) => [...rs].reverse()],
  ['everything replaced', () => base.map((s) => route({ ...s, id: undefined, name: `${s.name}-2` }))],
  ['nothing changed', (rs) => rs],
];

const requests: Array<Partial<HttpRequestInput>> = [
  { path: '/' }, { path: '/api' }, { path: '/api/v1' }, { path: '/api/v1/items' }, { path: '/api/v2/items' },
  { path: '/api/v1', method: 'POST' }, { path: '/api', host: 'a.example.com' }, { path: '/x', host: 'b.example.com' },
  { path: '/api', headers: { 'x-env': 'prod' } }, { path: '/api/v1', host: 'a.example.com' },
];

const request = (partial: Partial<HttpRequestInput>): HttpRequestInput => ({ protocol: 'http', method: 'GET', host: 'example.com', path: '/', headers: {}, port: 8000, ...partial });
const outcome = (router: ReturnType<typeof compileHttpRouter>) =>
  requests.map((r) => {
    const m = router.match(request(r));
    return m === null ? null : [m.route.name, m.matchedPath, m.matchedHost];
  });

describe('HTTP router compiled from the previous one', () => {
  it.each(changes)('%s: matches as a fresh compile', (_name, change) => {
    const before = base.map(route);
    const previous = compileHttpRouter(before);
    const after = change(before);
    const incremental = compileHttpRouter(after, { previous });
    const fresh = compileHttpRouter(after.map((r) => ({ ...r })));
    expect(outcome(incremental)).toEqual(outcome(fresh));
    expect(incremental.size).toBe(fresh.size);
    expect(incremental.warnings).toEqual(fresh.warnings);
  });

  it('keeps a chain of 50 small changes equal to a fresh compile', () => {
    let rows = base.map(route);
    let router = compileHttpRouter(rows);
    for (let i = 0; i < 50; i++) {
      rows = i % 3 === 2 ? rows.filter((r) => r.name !== `p${i - 1}`) : [...rows, route({ name: `p${i}`, paths: [`/api/v1/items`.slice(0, 4 + (i % 10))] })];
      router = compileHttpRouter(rows, { previous: router });
    }
    expect(outcome(router)).toEqual(outcome(compileHttpRouter(rows.map((r) => ({ ...r })))));
  });
});

// A router compiled from the one it replaces must match exactly as one compiled from scratch: the reused ranking
// and cached matchers are an optimisation, never a behaviour.
import type { RouteRow } from '@tollgate/declarative/snapshot';
import { route, type RouteSpec } from '../cases/route-factory';
import type { HttpRequestInput, HttpRouter } from '../types';
import { compileHttpRouter, updateHttpRouter, type CompiledRouter } from './http-router';

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

// Property: a router updated change by change (updateHttpRouter) matches exactly as one compiled from scratch over
// the same routes, on many requests, whatever the changes. A seeded generator keeps failures reproducible.
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HOSTS = ['a.test', 'b.test', 'x.a.test', '*.a.test', 'api.*', 'a.test:8000', 'a.test:9000', '*.test'];
const SEGMENTS = ['api', 'v1', 'v2', 'items', 'users', 'x'];
const METHODS = ['GET', 'POST', 'PUT'];

function randomRoute(next: () => number, n: number, idSpace: number): RouteRow {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)];
  const some = <T>(list: readonly T[], max: number): T[] => [...new Set(Array.from({ length: 1 + Math.floor(next() * max) }, () => pick(list)))];
  const path = () => '/' + some(SEGMENTS, 3).join('/').slice(0, Math.floor(next() * 12));
  const paths = next() < 0.15 ? null : Array.from({ length: 1 + Math.floor(next() * 3) }, () =>
    next() < 0.2 ? pick(['~/api/v[0-9]+/items$', '~/(?<seg>[a-z]+)/x', '~/users/[0-9]+', '~/v1']) : path());
  // ids from a small space so that ties on priority are broken by id, in both directions
  const id = `00000000-0000-4000-8000-${String(Math.floor(next() * idSpace)).padStart(12, '0')}`;
  return route({
    name: `g${n}`,
    id,
    protocols: next() < 0.05 ? ['tcp'] : next() < 0.2 ? ['https'] : ['http', 'https'],
    hosts: next() < 0.5 ? null : some(HOSTS, 2),
    paths,
    methods: next() < 0.7 ? null : some(METHODS, 2),
    headers: next() < 0.85 ? null : next() < 0.5 ? { 'x-env': ['prod'] } : { 'x-env': ['prod', '~*^stag'], 'x-v': ['2'] },
    snis: next() < 0.9 ? null : ['a.test'],
    regex_priority: Math.floor(next() * 3) - 1,
  });
}

function randomRequest(next: () => number): HttpRequestInput {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)];
  const hostname = pick(['a.test', 'b.test', 'x.a.test', 'y.a.test', 'api.example', 'c.test', 'example.com']);
  const segments = Array.from({ length: Math.floor(next() * 4) }, () => (next() < 0.2 ? String(Math.floor(next() * 100)) : pick(SEGMENTS)));
  return {
    protocol: next() < 0.5 ? 'http' : 'https',
    method: pick(METHODS),
    host: next() < 0.3 ? `${hostname}:${pick([8000, 9000])}` : hostname,
    path: '/' + segments.join('/') + (next() < 0.2 ? '/' : ''),
    headers: next() < 0.5 ? {} : { 'x-env': pick(['prod', 'staging', 'dev']), 'x-v': pick(['1', '2']) },
    sni: next() < 0.5 ? undefined : pick(['a.test', 'b.test']),
    port: pick([8000, 9000]),
  };
}

const answer = (router: HttpRouter, req: HttpRequestInput) => {
  const m = router.match(req);
  return m === null ? null : { id: m.route.id, name: m.route.name, matchedPath: m.matchedPath, matchedHost: m.matchedHost, captures: m.captures, path: m.path };
};

describe('HTTP router updated with a change (updateHttpRouter)', () => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8])('random changes keep it equal to a fresh compile (seed %i)', (seed) => {
    const next = rng(seed);
    let n = 0;
    const byId = new Map<string, RouteRow>();
    for (let k = 0; k < 120; k++) {
      const r = randomRoute(next, n++, 400);
      byId.set(r.id, r);
    }
    let router: HttpRouter = compileHttpRouter([...byId.values()]);
    const requests = Array.from({ length: 300 }, () => randomRequest(next));
    for (let step = 0; step < 40; step++) {
      const removed: RouteRow[] = [];
      const added: RouteRow[] = [];
      const count = 1 + Math.floor(next() * (step % 10 === 9 ? 30 : 4));
      for (let c = 0; c < count; c++) {
        const roll = next();
        const ids = [...byId.keys()];
        if (roll < 0.35 && ids.length > 0) {
          const id = ids[Math.floor(next() * ids.length)];
          if (removed.includes(byId.get(id)!) || added.includes(byId.get(id)!)) continue;
          removed.push(byId.get(id)!);
          byId.delete(id);
        } else if (roll < 0.7 && ids.length > 0) {
          // an update: a new row object for an existing id
          const id = ids[Math.floor(next() * ids.length)];
          const old = byId.get(id)!;
          if (removed.includes(old) || added.includes(old)) continue;
          const fresh = { ...randomRoute(next, n++, 400), id };
          removed.push(old);
          added.push(fresh);
          byId.set(id, fresh);
        } else {
          const fresh = randomRoute(next, n++, 400);
          if (byId.has(fresh.id)) continue;
          added.push(fresh);
          byId.set(fresh.id, fresh);
        }
      }
      const routes = [...byId.values()];
      router = updateHttpRouter(router, { removed, added }, () => routes);
      const fresh = compileHttpRouter(routes.map((r) => ({ ...r })));
      expect(router.size).toBe(fresh.size);
      expect([...(router as CompiledRouter).warnings].sort()).toEqual([...fresh.warnings].sort());
      expect([step, requests.map((req) => answer(router, req))]).toEqual([step, requests.map((req) => answer(fresh, req))]);
      // derived routes (those with a host and path) are requested too, so most steps exercise real matches
      for (const r of added) {
        const host = r.hosts?.[0]?.replace('*', 'z') ?? 'example.com';
        const path = r.paths?.find((p) => !p.startsWith('~')) ?? '/';
        const req: HttpRequestInput = { protocol: 'https', method: r.methods?.[0] ?? 'GET', host, path: path + '/x', headers: { 'x-env': 'prod', 'x-v': '2' }, sni: 'a.test', port: 8000 };
        expect([step, r.name, answer(router, req)]).toEqual([step, r.name, answer(fresh, req)]);
      }
    }
  });

  it('leaves the router it was derived from unchanged (requests holding it keep matching as before)', () => {
    const rows = base.map(route);
    const before = compileHttpRouter(rows);
    const expected = requests.map((r) => answer(before, request(r)));
    const added = route({ name: 'catch-all', paths: ['/'], methods: ['GET', 'POST'], hosts: ['a.example.com', 'example.com'] });
    const removed = rows.filter((r) => r.name === 'api' || r.name === 'host');
    const after = updateHttpRouter(before, { removed, added: [added] }, () => [...rows.filter((r) => !removed.includes(r)), added]);
    expect(requests.map((r) => answer(before, request(r)))).toEqual(expected);
    expect(answer(after, request({ path: '/api' }))?.name).toBe('catch-all');
  });

  it('stays equal to a fresh compile when new routes keep landing in the same gap of ranks', () => {
    // same priority, ids decreasing: each new route ranks just after the previous one, before `last`
    const first = route({ name: 'first', id: 'ffffffff-0000-4000-8000-000000000000', paths: ['/p'] });
    const last = route({ name: 'last', id: '00000000-0000-4000-8000-000000000000', paths: ['/p'] });
    let rows = [first, last];
    let router: HttpRouter = compileHttpRouter(rows);
    for (let k = 0; k < 80; k++) {
      const r = route({ name: `mid${k}`, id: `${(0xeeeeeeee - k).toString(16)}-0000-4000-8000-000000000000`, paths: ['/p'], methods: k % 2 === 0 ? null : ['POST'] });
      rows = [...rows, r];
      const all = rows;
      router = updateHttpRouter(router, { removed: [], added: [r] }, () => all);
      const fresh = compileHttpRouter(rows);
      for (const method of ['GET', 'POST']) expect(answer(router, request({ path: '/p', method }))).toEqual(answer(fresh, request({ path: '/p', method })));
    }
    expect(router.size).toBe(82);
  });
});

// Router benchmark: compile time and ns per match for 10, 1,000 and 10,000 routes, hits and misses,
// and the 10,000/10 ratio (target ≤ 1.1) and 10,000-route compile time (target < 200 ms).
import { compileHttpRouter, type HttpRequestInput, type HttpRouter } from '@tollgate/router';
import type { RouteRow } from '@tollgate/declarative/snapshot';
import { routeMix } from './route-mix';

const SIZES = [10, 1_000, 10_000] as const;
const ROUNDS = 5;
const MATCHES_PER_ROUND = 1_000_000;

function req(host: string, path: string, headers: HttpRequestInput['headers'] = {}, method = 'GET'): HttpRequestInput {
  return { protocol: 'http', method, host, path, headers, port: 8000 };
}

const DISTINCT_REQUESTS = 1000;

/** Routes spread evenly over DISTINCT_REQUESTS slots, so every size cycles through as many distinct requests. */
function spread<T>(list: readonly T[]): Array<[T, number]> {
  const out: Array<[T, number]> = [];
  for (let k = 0; k < DISTINCT_REQUESTS; k++) out.push([list[Math.floor((k * list.length) / DISTINCT_REQUESTS)], k]);
  return out;
}

/** Requests that hit host+prefix routes (the same kind of work at every size). */
function hitRequests(routes: readonly RouteRow[]): HttpRequestInput[] {
  const plain = routes.filter((r) => Number(r.name!.slice(1)) % 20 < 12);
  return spread(plain).map(([r, k]) => req(r.hosts![0], `${r.paths![0]}/child${k}`));
}

/** One request per route kind present, including regex, header, wildcard and hostless routes. */
function mixedRequests(routes: readonly RouteRow[]): HttpRequestInput[] {
  return spread(routes).map(([r]) => {
    const i = Number(r.name!.slice(1));
    const host = r.hosts === null ? 'any.example.org' : r.hosts[0].replace('*', 'www');
    const kind = i % 20;
    if (kind >= 14 && kind < 16) return req(host, `/items${i}/42`);
    if (kind >= 16 && kind < 18) return req(host, r.paths![0], { 'x-tenant': `t${i}` });
    if (kind < 14 && kind >= 12) return req(host, '/anything');
    return req(host, r.paths![0]);
  });
}

function missRequests(routes: readonly RouteRow[]): HttpRequestInput[] {
  const list: HttpRequestInput[] = [];
  for (let i = 0; i < 500; i++) list.push(req(`unknown${i}.example.org`, `/nothing/here/${i}`));
  // Known hosts, unknown paths: the host bucket is found and its trie walked, without a match.
  const known = routes.filter((r) => r.hosts !== null && !r.hosts[0].includes('*'));
  for (let i = 0; i < 500; i++) list.push(req(known[i % known.length].hosts![0], `/api/v9/missing${i}`));
  return list;
}

function check(router: HttpRouter, requests: readonly HttpRequestInput[], shouldHit: boolean): void {
  for (const r of requests) {
    const hit = router.match(r) !== null;
    if (hit !== shouldHit) throw new Error(`benchmark request ${r.host}${r.path} ${shouldHit ? 'missed' : 'matched'}`);
  }
}

function nsPerMatch(router: HttpRouter, requests: readonly HttpRequestInput[]): number {
  let sink = 0;
  const n = requests.length;
  const start = process.hrtime.bigint();
  for (let i = 0; i < MATCHES_PER_ROUND; i++) {
    if (router.match(requests[i % n]) !== null) sink++;
  }
  const elapsed = Number(process.hrtime.bigint() - start);
  if (sink < 0) console.log(sink);
  return elapsed / MATCHES_PER_ROUND;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

interface Subject {
  size: number;
  router: HttpRouter;
  compileMs: number;
  hits: HttpRequestInput[];
  mixed: HttpRequestInput[];
  misses: HttpRequestInput[];
  hitNs: number[];
  mixedNs: number[];
  missNs: number[];
}

function compileTimed(routes: readonly RouteRow[]): { router: HttpRouter; ms: number } {
  const times: number[] = [];
  let router: HttpRouter | null = null;
  for (let i = 0; i < 5; i++) {
    const start = process.hrtime.bigint();
    router = compileHttpRouter(routes);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return { router: router!, ms: median(times) };
}

function main(): void {
  const firstCompileStart = process.hrtime.bigint();
  compileHttpRouter(routeMix(10_000));
  const coldCompileMs = Number(process.hrtime.bigint() - firstCompileStart) / 1e6;

  const subjects: Subject[] = SIZES.map((size) => {
    const routes = routeMix(size);
    const { router, ms } = compileTimed(routes);
    const subject = { size, router, compileMs: ms, hits: hitRequests(routes), mixed: mixedRequests(routes), misses: missRequests(routes), hitNs: [], mixedNs: [], missNs: [] };
    check(router, subject.hits, true);
    check(router, subject.mixed, true);
    check(router, subject.misses, false);
    return subject;
  });

  // Interleave sizes round by round so drift (JIT, frequency scaling) hits every size alike.
  for (let round = 0; round < ROUNDS; round++) {
    for (const s of subjects) {
      s.hitNs.push(nsPerMatch(s.router, s.hits));
      s.mixedNs.push(nsPerMatch(s.router, s.mixed));
      s.missNs.push(nsPerMatch(s.router, s.misses));
    }
  }

  console.log(`router benchmark (node ${process.version}, ${ROUNDS} interleaved rounds × ${MATCHES_PER_ROUND} matches, median)`);
  console.log('routes   compile ms   hit ns/match   mixed-hit ns/match   miss ns/match');
  for (const s of subjects) {
    console.log(
      `${String(s.size).padStart(6)}   ${s.compileMs.toFixed(2).padStart(10)}   ${median(s.hitNs).toFixed(0).padStart(12)}   ${median(s.mixedNs).toFixed(0).padStart(18)}   ${median(s.missNs).toFixed(0).padStart(13)}`,
    );
  }
  const small = subjects[0];
  const large = subjects[subjects.length - 1];
  const hitRatio = median(large.hitNs) / median(small.hitNs);
  const missRatio = median(large.missNs) / median(small.missNs);
  console.log(`ratio 10,000/10: hit ${hitRatio.toFixed(2)}, miss ${missRatio.toFixed(2)} (target ≤ 1.10)`);
  console.log(`compile 10,000 routes: ${large.compileMs.toFixed(1)} ms warm, ${coldCompileMs.toFixed(1)} ms cold (target < 200 ms)`);
}

main();

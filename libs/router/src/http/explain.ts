// Why a request matched the route it did, and why the routes that came closest did not: the explain behind
// POST /debug/route-match. It reads the ranked matchers of the SAME compiled router the data plane matches with,
// so the winner is match()'s answer and the reasons use the same host, method, SNI, header and path rules.
// Off the hot path: it checks every matcher's conditions one by one, allocating as it likes.
import type { RouteRow } from '@tollgate/declarative/snapshot';
import { hostPort } from '../host';
import { normalizePath } from '../normalize-path';
import { nameMatches, normalizeSni } from '../patterns';
import type { HttpMatch, HttpRequestInput, HttpRouter } from '../types';
import type { HttpMatcher } from './matcher';

export type LossReason =
  | 'host mismatch'
  | 'port mismatch'
  | 'method not allowed'
  | 'sni mismatch'
  | 'header mismatch'
  | 'path mismatch'
  | 'regex not matching'
  | 'lower priority than the winner';

export interface ExplainedCandidate {
  readonly route: RouteRow;
  /** Position in the router's priority order (0 = tried first). */
  readonly rank: number;
  /** The first reason it lost (in the order above); every failed condition is in `failed`. */
  readonly reason: LossReason;
  readonly failed: readonly LossReason[];
  readonly detail: string;
}

export interface RouteExplanation {
  readonly match: HttpMatch | null;
  /** Rank of the winning matcher, or null. */
  readonly rank: number | null;
  readonly candidates: readonly ExplainedCandidate[];
}

/** The ranked matchers a compiled router exposes (compileHttpRouter's routers do). */
export interface RankedRouter extends HttpRouter {
  readonly ranked: readonly HttpMatcher[];
}

export function isRankedRouter(router: HttpRouter): router is RankedRouter {
  return Array.isArray((router as Partial<RankedRouter>).ranked);
}

function splitHost(raw: string): { host: string; port: number | null } {
  const colon = raw.lastIndexOf(':');
  const hasPort = colon >= 0 && raw.indexOf(']', colon) < 0;
  return { host: (hasPort ? raw.slice(0, colon) : raw).toLowerCase(), port: hasPort ? hostPort(raw) : null };
}

function failures(m: HttpMatcher, req: HttpRequestInput, host: string, port: number, path: string): { failed: LossReason[]; details: string[] } {
  const failed: LossReason[] = [];
  const details: string[] = [];
  if (m.hosts !== null) {
    const named = m.hosts.filter((h) => nameMatches(h, host));
    if (named.length === 0) {
      failed.push('host mismatch');
      details.push(`host '${host}' is not one of ${JSON.stringify(m.hosts.map((h) => h.label))}`);
    } else if (!named.some((h) => h.port === null || h.port === port)) {
      failed.push('port mismatch');
      details.push(`port ${port} is not the one ${JSON.stringify(named.map((h) => h.label))} names`);
    }
  }
  if (m.methods !== null && !m.methods.has(req.method)) {
    failed.push('method not allowed');
    details.push(`method ${req.method} is not one of ${JSON.stringify([...m.methods])}`);
  }
  const tls = req.protocol === 'https' || req.protocol === 'grpcs';
  if (m.snis !== null && tls) {
    const sni = req.sni ? normalizeSni(req.sni) : null;
    if (sni === null || !m.snis.some((p) => nameMatches(p, sni))) {
      failed.push('sni mismatch');
      details.push(sni === null ? 'the request sent no SNI' : `SNI '${sni}' is not one the route names`);
    }
  }
  if (m.headers !== null) {
    for (const cond of m.headers) {
      const raw = req.headers[cond.name];
      const values = raw === undefined ? [] : typeof raw === 'string' ? [raw] : raw;
      const ok = values.some((v) => cond.values.includes(v.toLowerCase()) || cond.regexes.some((re) => re.test(v)));
      if (!ok) {
        failed.push('header mismatch');
        details.push(raw === undefined ? `header '${cond.name}' is missing` : `header '${cond.name}' has none of the route's values`);
        break;
      }
    }
  }
  if (m.paths !== null) {
    const prefixed = m.paths.filter((p) => path.startsWith(p.prefix));
    const hit = prefixed.some((p) => p.regex === null || p.regex.test(path));
    if (!hit) {
      const regexOnly = prefixed.length > 0 && prefixed.every((p) => p.regex !== null);
      failed.push(regexOnly ? 'regex not matching' : 'path mismatch');
      details.push(`path '${path}' does not match ${JSON.stringify(m.route.paths)}`);
    }
  }
  return { failed, details };
}

/**
 * The router's answer for `req`, and up to `limit` other routes ordered by how close they came (fewest failed
 * conditions first, then priority). A route that matched fully but was not chosen lost on priority.
 */
export function explainHttpMatch(router: RankedRouter, req: HttpRequestInput, limit = 10): RouteExplanation {
  const match = router.match(req);
  const path = normalizePath(req.path);
  if (path === null) {
    // nothing can match a path that does not normalize (`/..`, not origin-form): every route loses on it
    const routes = [...new Set(router.ranked.map((m) => m.route))].slice(0, limit);
    const detail = `path '${req.path}' cannot be normalized (it climbs above the root or is not origin-form)`;
    return { match, rank: null, candidates: routes.map((route) => ({ route, rank: router.ranked.findIndex((m) => m.route === route), reason: 'path mismatch', failed: ['path mismatch'], detail })) };
  }
  const { host, port: hostPortNumber } = splitHost(req.host);
  const port = hostPortNumber ?? req.port;
  const winner = match?.route ?? null;
  const winnerRank = winner === null ? null : router.ranked.findIndex((m) => m.route === winner);
  const seen = new Set<RouteRow>();
  const scored: Array<ExplainedCandidate & { misses: number }> = [];
  router.ranked.forEach((m, rank) => {
    if (m.route === winner || seen.has(m.route)) return;
    const { failed, details } = failures(m, req, host, port, path);
    if (failed.length === 0) {
      seen.add(m.route);
      failed.push('lower priority than the winner');
      details.push(`matches, but ranks ${rank} against the winner's ${winnerRank} (Kong's traditional_compatible order)`);
    }
    // a route split into several matchers counts once, by its closest matcher
    const previous = scored.findIndex((c) => c.route === m.route);
    if (previous >= 0 && scored[previous].misses <= failed.length) return;
    const entry = { route: m.route, rank, reason: failed[0], failed, detail: details.join('; '), misses: failed[0] === 'lower priority than the winner' ? 0 : failed.length };
    if (previous >= 0) scored[previous] = entry;
    else scored.push(entry);
  });
  scored.sort((a, b) => a.misses - b.misses || a.rank - b.rank);
  return { match, rank: winnerRank, candidates: scored.slice(0, limit).map(({ misses: _misses, ...c }) => c) };
}

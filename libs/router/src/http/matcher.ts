// One route becomes one matcher per path group (all regex paths; each distinct prefix length), as Kong's
// compat router splits routes (PR #10615) so every group gets its own priority.
import type { RouteRow } from '@tollgate/declarative/snapshot';
import { hostPattern, sniPattern, type HostPattern, type NamePattern } from '../patterns';
import { uuidV5 } from '@tollgate/declarative';
import { httpPriority, type HttpPriority } from './priority';
import { compileHeaderRegex, compilePathRegex } from './regex';

/** Namespace Kong uses for the ids of split matchers (`<route_id>#<group_index>`). */
export const SPLIT_ROUTE_NAMESPACE = '7f145bf9-0dce-4f91-98eb-debbce4b9f6b';

export interface PathPattern {
  /** Prefix path, or the literal start of a regex (its place in the path trie). */
  readonly prefix: string;
  readonly regex: RegExp | null;
  /** Position inside the group: Kong ORs a group's paths in configured order. */
  readonly index: number;
}

export interface HeaderCondition {
  readonly name: string;
  readonly values: readonly string[]; // lower case
  readonly regexes: readonly RegExp[];
}

export interface HttpMatcher {
  readonly route: RouteRow;
  /** The route id, or the split group's derived id: breaks priority ties. */
  readonly id: string;
  readonly priority: HttpPriority;
  readonly methods: ReadonlySet<string> | null;
  readonly hosts: readonly HostPattern[] | null;
  readonly headers: readonly HeaderCondition[] | null;
  readonly snis: readonly NamePattern[] | null;
  readonly paths: readonly PathPattern[] | null;
}

function nonEmpty<T>(list: readonly T[] | null | undefined): list is readonly T[] {
  return list !== null && list !== undefined && list.length > 0;
}

function headerConditions(route: RouteRow): HeaderCondition[] | null {
  if (route.headers === null || route.headers === undefined) return null;
  const conditions: HeaderCondition[] = [];
  for (const [name, configured] of Object.entries(route.headers)) {
    const values: string[] = [];
    const regexes: RegExp[] = [];
    for (const v of configured) {
      if (v.startsWith('~*')) regexes.push(compileHeaderRegex(v.slice(2)));
      else values.push(v.toLowerCase());
    }
    conditions.push({ name: name.toLowerCase(), values, regexes });
  }
  return conditions.length > 0 ? conditions : null;
}

/** Paths grouped as Kong groups them, in order of first appearance. */
function pathGroups(paths: readonly string[]): string[][] {
  const groups = new Map<string, string[]>();
  // a path listed twice matches nothing more: once each (30,000 copies of one path cost the router seconds per
  // rebuild, the same bucket entry inserted over and over)
  const seen = new Set<string>();
  for (const p of paths) {
    if (seen.has(p)) continue;
    seen.add(p);
    const key = p.startsWith('~') ? 'regex' : String(Buffer.byteLength(p));
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [p]);
    else group.push(p);
  }
  return [...groups.values()];
}

function pathPatterns(group: readonly string[], warn: (msg: string) => void, routeLabel: string): PathPattern[] {
  const patterns: PathPattern[] = [];
  group.forEach((p, index) => {
    if (!p.startsWith('~')) {
      patterns.push({ prefix: p, regex: null, index });
      return;
    }
    try {
      const compiled = compilePathRegex(p.slice(1));
      patterns.push({ prefix: compiled.literalPrefix, regex: compiled.regex, index });
    } catch (err) {
      warn(`route ${routeLabel}: path '${p}' skipped: ${(err as Error).message}`);
    }
  });
  // An exact-size copy: an array grown by push keeps room for 17 elements, and a compiled router holds one of
  // these (and one matcher list) per route for its lifetime (~2.5 MiB of a worker's heap at 10,000 routes).
  return patterns.slice();
}

/** Builds the matchers of one HTTP-family route; a part that cannot be compiled drops (never widens) the route. */
export function buildHttpMatchers(route: RouteRow, warn: (msg: string) => void): HttpMatcher[] {
  const label = route.name ?? route.id;
  let headers: HeaderCondition[] | null;
  try {
    headers = headerConditions(route);
  } catch (err) {
    warn(`route ${label}: skipped, bad header regex: ${(err as Error).message}`);
    return [];
  }
  const methods = nonEmpty(route.methods) ? new Set(route.methods.map((m) => m.toUpperCase())) : null;
  const hosts = nonEmpty(route.hosts) ? route.hosts.map(hostPattern) : null;
  const snis = nonEmpty(route.snis) ? route.snis.map(sniPattern) : null;
  // Explicit literals (not spreads): one hidden class for every matcher, and cheaper to build.
  if (!nonEmpty(route.paths)) {
    return [{ route, id: route.id, priority: httpPriority(route, null), methods, hosts, headers, snis, paths: null }];
  }
  const groups = pathGroups(route.paths);
  const matchers: HttpMatcher[] = [];
  groups.forEach((group, groupIndex) => {
    const paths = pathPatterns(group, warn, label);
    if (paths.length === 0) return;
    const id = groups.length === 1 ? route.id : uuidV5(`${route.id}#${groupIndex}`, SPLIT_ROUTE_NAMESPACE);
    matchers.push({ route, id, priority: httpPriority(route, group), methods, hosts, headers, snis, paths });
  });
  return matchers.slice(); // exact size, as pathPatterns' result
}

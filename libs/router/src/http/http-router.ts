// The compiled HTTP router. Matchers are ranked once by priority; each is placed in the host index (exact,
// `*.x` suffix, `x.*` prefix, or any-host) and, inside it, in a path trie. A request visits only the buckets its
// host selects and the trie nodes its path passes through, keeping the best-ranked candidate that matches.
// Matchers are cached per route row object (rows are immutable; a change is a new object). A full compile given
// the router it replaces merges the few new matchers into the previous order instead of sorting everything again;
// updateHttpRouter goes further and applies a change (rows removed, rows added) to the previous router's index
// itself: the tries and host maps are persistent (a version copies only what the change touches), and order values
// have gaps, so a new matcher takes one between its neighbours and nothing else is renumbered.
import type { RouteRow } from '@tollgate/declarative/snapshot';
import { hostPort } from '../host';
import { normalizePath } from '../normalize-path';
import { nameMatches, normalizeSni, type HostPattern, type NamePattern } from '../patterns';
import type { HttpMatch, HttpRequestInput, HttpRouter } from '../types';
import { buildHttpMatchers, type HeaderCondition, type HttpMatcher, type PathPattern } from './matcher';
import { createTrie, reversed, trieInsert, trieWalk, trieWalkReverse, trieWith, trieWithout, type TrieNode } from './path-trie';
import { LayeredMap } from '../layered-map';
import { comparePriority } from './priority';

const HTTP_PROTOCOLS = new Set(['http', 'https', 'grpc', 'grpcs']);
/** Candidates of one matcher are ordered by their path's position in the group (Kong ORs them in order). */
const PATHS_PER_RANK = 1024;

interface Candidate {
  readonly order: number;
  readonly matcher: HttpMatcher;
  readonly path: PathPattern | null;
  /** The route's hosts that share this bucket's key, each with its optional port; null in the any-host bucket. */
  readonly hosts: readonly HostPattern[] | null;
  /** Set when nothing beyond the index (host key, path prefix) needs checking: the matched host label, or '' hostless. */
  readonly settled: string | null;
}

/** The label to report when a candidate needs no verification, else null. */
function settledLabel(m: HttpMatcher, path: PathPattern | null, hosts: readonly HostPattern[] | null): string | null {
  if (m.methods !== null || m.headers !== null || m.snis !== null || (path !== null && path.regex !== null)) return null;
  if (hosts === null) return '';
  return hosts[0].port === null ? hosts[0].label : null;
}

type Bucket = TrieNode<Candidate>;

function bucketFor(map: Map<string, Bucket>, key: string): Bucket {
  let bucket = map.get(key);
  if (bucket === undefined) {
    bucket = createTrie();
    map.set(key, bucket);
  }
  return bucket;
}

function headerValueMatches(cond: HeaderCondition, value: string): boolean {
  for (const want of cond.values) {
    if (value.length === want.length && value.toLowerCase() === want) return true;
  }
  for (const re of cond.regexes) {
    if (re.test(value)) return true;
  }
  return false;
}

function namesMatch(patterns: readonly NamePattern[], name: string): boolean {
  for (const p of patterns) if (nameMatches(p, name)) return true;
  return false;
}

/** The index a router matches with, and what the next version of it is derived from. */
interface RouterState {
  /** Matchers in priority order, and the order value each one's candidates start at (increasing, with gaps). */
  readonly ranked: readonly HttpMatcher[];
  readonly ranks: readonly number[];
  readonly exact: LayeredMap<string, Bucket>;
  readonly suffix: ReadonlyMap<string, Bucket>;
  readonly prefix: ReadonlyMap<string, Bucket>;
  /** Wildcard buckets by key: suffix keys reversed (walked from the end of the host), prefix keys as they are. */
  readonly suffixIndex: TrieNode<Bucket>;
  readonly prefixIndex: TrieNode<Bucket>;
  readonly anyHost: Bucket;
  readonly size: number;
  readonly warnings: readonly string[];
}

class CompiledHttpRouter implements HttpRouter {
  readonly size: number;
  readonly warnings: readonly string[];
  private readonly exact: LayeredMap<string, Bucket>;
  private readonly suffix: ReadonlyMap<string, Bucket>;
  private readonly prefix: ReadonlyMap<string, Bucket>;
  private readonly suffixIndex: TrieNode<Bucket>;
  private readonly prefixIndex: TrieNode<Bucket>;
  private readonly anyHost: Bucket;

  // Per-match scratch state. match() is synchronous, so one set per router is safe and saves allocations.
  private method = '';
  private port = 0;
  private path = '';
  private headers: HttpRequestInput['headers'] = {};
  private sni: string | null = null;
  private tls = false;
  private best: Candidate | null = null;
  private bestExec: RegExpExecArray | null = null;
  private bestHost: string | null = null;
  private candidateExec: RegExpExecArray | null = null;
  private candidateHost: string | null = null;
  private readonly walkBuckets = (buckets: Bucket[]): void => {
    for (const b of buckets) trieWalk(b, this.path, this.scan);
  };
  private readonly scan = (entries: Candidate[]): void => {
    for (const c of entries) {
      if (this.best !== null && c.order >= this.best.order) return;
      if (c.settled !== null) {
        this.best = c;
        this.bestExec = null;
        this.bestHost = c.settled === '' ? null : c.settled;
        return;
      }
      if (this.verify(c)) {
        this.best = c;
        this.bestExec = this.candidateExec;
        this.bestHost = this.candidateHost;
        return;
      }
    }
  };

  private matchesHeadersMemo: boolean | undefined;
  get matchesHeaders(): boolean {
    return (this.matchesHeadersMemo ??= this.ranked.some((m) => m.headers !== null));
  }

  /** Its matchers in rank order (route-match explain reads them), and the state the next version derives from. */
  readonly ranked: readonly HttpMatcher[];
  readonly state: RouterState;

  constructor(state: RouterState) {
    this.state = state;
    this.ranked = state.ranked;
    this.exact = state.exact;
    this.suffix = state.suffix;
    this.prefix = state.prefix;
    this.suffixIndex = state.suffixIndex;
    this.prefixIndex = state.prefixIndex;
    this.anyHost = state.anyHost;
    this.size = state.size;
    this.warnings = state.warnings;
  }

  private verify(c: Candidate): boolean {
    const m = c.matcher;
    let hostLabel: string | null = null;
    if (c.hosts !== null) {
      for (const h of c.hosts) {
        if (h.port === null || h.port === this.port) {
          hostLabel = h.label;
          break;
        }
      }
      if (hostLabel === null) return false;
    }
    if (m.methods !== null && !m.methods.has(this.method)) return false;
    // snis only constrain TLS requests (`net.protocol != "https" || tls.sni == …`).
    if (m.snis !== null && this.tls && (this.sni === null || !namesMatch(m.snis, this.sni))) return false;
    if (m.headers !== null && !this.headersMatch(m.headers)) return false;
    let exec: RegExpExecArray | null = null;
    if (c.path !== null && c.path.regex !== null) {
      exec = c.path.regex.exec(this.path);
      if (exec === null) return false;
    }
    this.candidateExec = exec;
    this.candidateHost = hostLabel;
    return true;
  }

  private headersMatch(conditions: readonly HeaderCondition[]): boolean {
    for (const cond of conditions) {
      const value = this.headers[cond.name];
      if (value === undefined) return false;
      if (typeof value === 'string') {
        if (!headerValueMatches(cond, value)) return false;
        continue;
      }
      let any = false;
      for (const v of value) {
        if (headerValueMatches(cond, v)) {
          any = true;
          break;
        }
      }
      if (!any) return false;
    }
    return true;
  }

  match(req: HttpRequestInput): HttpMatch | null {
    const path = normalizePath(req.path);
    if (path === null) return null;
    const rawHost = req.host;
    const colon = rawHost.lastIndexOf(':');
    const hasPort = colon >= 0 && rawHost.indexOf(']', colon) < 0;
    let host = hasPort ? rawHost.slice(0, colon) : rawHost;
    // The cheap check avoids a lower-casing copy for the common all-lower-case Host.
    if (host !== host.toLowerCase()) host = host.toLowerCase();
    this.method = req.method;
    this.port = (hasPort ? hostPort(rawHost) : null) ?? req.port;
    this.path = path;
    this.headers = req.headers;
    this.tls = req.protocol === 'https' || req.protocol === 'grpcs';
    this.sni = req.sni === undefined || req.sni === '' ? null : normalizeSni(req.sni);
    this.best = null;
    this.bestExec = null;
    this.bestHost = null;

    const exactBucket = this.exact.get(host);
    if (exactBucket !== undefined) trieWalk(exactBucket, path, this.scan);
    if (this.suffix.size > 0) trieWalkReverse(this.suffixIndex, host, this.walkBuckets);
    if (this.prefix.size > 0) trieWalk(this.prefixIndex, host, this.walkBuckets);
    trieWalk(this.anyHost, path, this.scan);

    const best = this.best as Candidate | null;
    if (best === null) return null;
    const exec = this.bestExec;
    const result: HttpMatch = {
      route: best.matcher.route,
      path,
      matchedPath: best.path === null ? null : exec !== null ? exec[0] : best.path.prefix,
      captures: exec === null ? null : capturesOf(exec),
      matchedHost: this.bestHost,
    };
    this.headers = {};
    this.best = null;
    this.bestExec = null;
    return result;
  }
}

/** Positional captures under "0", "1", … and named ones under their names; groups that did not take part are left out. */
function capturesOf(exec: RegExpExecArray): Record<string, string> {
  const captures: Record<string, string> = {};
  for (let i = 0; i < exec.length; i++) {
    if (exec[i] !== undefined) captures[String(i)] = exec[i];
  }
  if (exec.groups !== undefined) {
    for (const [name, value] of Object.entries(exec.groups)) {
      if (value !== undefined) captures[name] = value;
    }
  }
  return captures;
}

interface BuiltMatchers {
  readonly matchers: readonly HttpMatcher[];
  readonly warnings: readonly string[];
}

/** Matchers hold no per-match state (their regexes have no `g`/`y` flag), so routers may share them. */
const builtByRow = new WeakMap<RouteRow, BuiltMatchers>();

/** Shared by every route that compiled without a warning (nearly all): one array, not one per route. */
const NO_WARNINGS: readonly string[] = Object.freeze([]);

function matchersOf(route: RouteRow): BuiltMatchers {
  let built = builtByRow.get(route);
  if (built === undefined) {
    const warnings: string[] = [];
    const matchers = buildHttpMatchers(route, (w) => warnings.push(w));
    built = { matchers, warnings: warnings.length === 0 ? NO_WARNINGS : warnings };
    builtByRow.set(route, built);
  }
  return built;
}

const byPriority = (a: HttpMatcher, b: HttpMatcher): number => comparePriority(a.priority, a.id, b.priority, b.id);

/** Two lists ranked by byPriority (a total order: ids break ties) merged into one, as sorting their union would. */
function mergeRanked(kept: readonly HttpMatcher[], fresh: readonly HttpMatcher[]): HttpMatcher[] {
  if (fresh.length === 0) return kept as HttpMatcher[];
  const out: HttpMatcher[] = new Array(kept.length + fresh.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < kept.length && j < fresh.length) out[k++] = byPriority(fresh[j], kept[i]) < 0 ? fresh[j++] : kept[i++];
  while (i < kept.length) out[k++] = kept[i++];
  while (j < fresh.length) out[k++] = fresh[j++];
  return out;
}

/**
 * Order values: each matcher's candidates take `rank + path index`, ranks being multiples of PATHS_PER_RANK spread
 * with wide gaps over the doubles that hold integers exactly. A matcher added later takes a rank inside the gap
 * between its neighbours in priority order, so no other candidate is renumbered; a gap that runs out (about 30
 * additions at one spot of a 10,000-route router) makes that update a full build, which spreads the ranks again.
 */
const MAX_ORDER = 2 ** 53;
const RANK_UNITS = MAX_ORDER / PATHS_PER_RANK;

function initialGap(count: number): number {
  return PATHS_PER_RANK * 2 ** Math.floor(Math.log2(RANK_UNITS / (count + 2)));
}

const precedes = (a: Candidate, b: Candidate): boolean => a.order < b.order;

/** Where a matcher's candidates go: one bucket per distinct host key (or the any-host bucket), one entry per path. */
interface Placement {
  readonly kind: 'exact' | 'suffix' | 'prefix' | 'any';
  readonly hostKey: string;
  readonly hosts: readonly HostPattern[] | null;
}

function placementsOf(m: HttpMatcher): Placement[] {
  if (m.hosts === null) return [{ kind: 'any', hostKey: '', hosts: null }];
  // Hosts sharing a bucket key (`a.com`, `a.com:8000`) become one candidate listing both.
  const out: Placement[] = [];
  const seen: string[] = [];
  for (const h of m.hosts) {
    const id = h.kind + ' ' + h.key;
    if (seen.includes(id)) continue;
    seen.push(id);
    const sameKey = m.hosts.length === 1 ? m.hosts : m.hosts.filter((o) => o.kind === h.kind && o.key === h.key);
    out.push({ kind: h.kind, hostKey: h.key, hosts: sameKey });
  }
  return out;
}

function candidatesOf(m: HttpMatcher, rank: number, hosts: readonly HostPattern[] | null): Array<[string, Candidate]> {
  const paths: ReadonlyArray<PathPattern | null> = m.paths ?? [null];
  return paths.map((path) => [
    path === null ? '' : path.prefix,
    { order: rank + Math.min(path?.index ?? 0, PATHS_PER_RANK - 1), matcher: m, path, hosts, settled: settledLabel(m, path, hosts) },
  ]);
}

function indexOf(map: ReadonlyMap<string, Bucket>, reverse: boolean): TrieNode<Bucket> {
  const index = createTrie<Bucket>();
  for (const [key, bucket] of map) trieInsert(index, reverse ? reversed(key) : key, bucket);
  return index;
}

/** The state of a router built from scratch over `ranked` (sorted by byPriority). */
function buildState(ranked: readonly HttpMatcher[], size: number, warnings: readonly string[]): RouterState {
  const gap = initialGap(ranked.length);
  const ranks = ranked.map((_, i) => (i + 1) * gap);
  const exact = new Map<string, Bucket>();
  const suffix = new Map<string, Bucket>();
  const prefix = new Map<string, Bucket>();
  const anyHost: Bucket = createTrie();
  ranked.forEach((m, i) => {
    for (const p of placementsOf(m)) {
      const bucket = p.kind === 'any' ? anyHost : bucketFor(p.kind === 'exact' ? exact : p.kind === 'suffix' ? suffix : prefix, p.hostKey);
      // inserted in rank order: each node's entries end up sorted by order
      for (const [key, c] of candidatesOf(m, ranks[i], p.hosts)) trieInsert(bucket, key, c);
    }
  });
  return {
    ranked, ranks, exact: LayeredMap.of(exact), suffix, prefix,
    suffixIndex: indexOf(suffix, true), prefixIndex: indexOf(prefix, false), anyHost, size, warnings,
  };
}

function isHttpRoute(route: RouteRow): boolean {
  return (route.protocols ?? ['http', 'https']).some((p) => HTTP_PROTOCOLS.has(p));
}

function compileState(routes: readonly RouteRow[], previous: RouterState | null): RouterState {
  const warnings: string[] = [];
  const routeSet = new Set<RouteRow>();
  const previousRoutes = previous === null ? null : new Set(previous.ranked.map((m) => m.route));
  const fresh: HttpMatcher[] = [];
  for (const route of routes) {
    if (!isHttpRoute(route) || routeSet.has(route)) continue;
    routeSet.add(route);
    const built = matchersOf(route);
    for (const w of built.warnings) warnings.push(w);
    if (previousRoutes !== null && previousRoutes.has(route)) continue; // already ranked in previous.ranked
    for (const m of built.matchers) fresh.push(m);
  }
  fresh.sort(byPriority);
  const ranked = previous === null ? fresh : mergeRanked(previous.ranked.filter((m) => routeSet.has(m.route)), fresh);
  return buildState(ranked, routeSet.size, warnings.length === 0 ? NO_WARNINGS : warnings);
}

/** First index of `ranked` whose matcher does not rank before `m`. */
function lowerBound(ranked: readonly HttpMatcher[], m: HttpMatcher): number {
  let lo = 0;
  let hi = ranked.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (byPriority(ranked[mid], m) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Bigger changes than this are built from scratch: a full build costs no more then, and spreads the ranks again. */
function updateLimit(size: number): number {
  return Math.max(64, size >> 4);
}

/**
 * `previous` with the routes of `removed` taken out and those of `added` put in, or null when the change is
 * better built from scratch (large, a gap of ranks ran out, or a removed route is not in `previous`).
 */
function updateState(previous: RouterState, removed: readonly RouteRow[], added: readonly RouteRow[]): RouterState | null {
  const gone = new Set<HttpMatcher>();
  const goneAt: number[] = [];
  let removedRoutes = 0;
  const droppedWarnings = new Set<string>();
  for (const route of new Set(removed)) {
    if (!isHttpRoute(route)) continue;
    removedRoutes++;
    const built = matchersOf(route);
    for (const w of built.warnings) droppedWarnings.add(w);
    for (const m of built.matchers) {
      let at = lowerBound(previous.ranked, m);
      while (at < previous.ranked.length && previous.ranked[at] !== m && byPriority(previous.ranked[at], m) === 0) at++;
      if (previous.ranked[at] !== m) return null;
      gone.add(m);
      goneAt.push(at);
    }
  }
  const fresh: HttpMatcher[] = [];
  const newWarnings: string[] = [];
  let addedRoutes = 0;
  for (const route of new Set(added)) {
    if (!isHttpRoute(route)) continue;
    addedRoutes++;
    const built = matchersOf(route);
    for (const w of built.warnings) newWarnings.push(w);
    for (const m of built.matchers) fresh.push(m);
  }
  if (gone.size + fresh.length > updateLimit(previous.ranked.length)) return null;
  fresh.sort(byPriority);
  goneAt.sort((a, b) => a - b);

  const merged = mergeRanks(previous, goneAt, fresh);
  if (merged === null) return null;
  const { ranked, ranks, freshRanks } = merged;

  // The index: removed candidates dropped, new ones inserted, on copies of the tries they touch.
  const exactChanges = new Map<string, Bucket | undefined>();
  let suffix: Map<string, Bucket> | null = null;
  let prefix: Map<string, Bucket> | null = null;
  let anyHost = previous.anyHost;
  const bucketOf = (p: Placement): Bucket | undefined => {
    if (p.kind === 'any') return anyHost;
    if (p.kind === 'exact') return exactChanges.has(p.hostKey) ? exactChanges.get(p.hostKey) : previous.exact.get(p.hostKey);
    return (p.kind === 'suffix' ? suffix ?? previous.suffix : prefix ?? previous.prefix).get(p.hostKey);
  };
  const setBucket = (p: Placement, bucket: Bucket): void => {
    const empty = bucket.entries === null && bucket.children.length === 0;
    if (p.kind === 'any') anyHost = bucket;
    else if (p.kind === 'exact') exactChanges.set(p.hostKey, empty ? undefined : bucket);
    else {
      const map = p.kind === 'suffix' ? (suffix ??= new Map(previous.suffix)) : (prefix ??= new Map(previous.prefix));
      if (empty) map.delete(p.hostKey);
      else map.set(p.hostKey, bucket);
    }
  };
  for (const m of gone) {
    const paths: ReadonlyArray<PathPattern | null> = m.paths ?? [null];
    for (const p of placementsOf(m)) {
      let bucket = bucketOf(p);
      if (bucket === undefined) return null;
      for (const path of paths) bucket = trieWithout(bucket, path === null ? '' : path.prefix, (c) => c.matcher === m);
      setBucket(p, bucket);
    }
  }
  for (const m of fresh) {
    for (const p of placementsOf(m)) {
      let bucket = bucketOf(p) ?? createTrie<Candidate>();
      for (const [key, c] of candidatesOf(m, freshRanks.get(m)!, p.hosts)) bucket = trieWith(bucket, key, c, precedes);
      setBucket(p, bucket);
    }
  }
  const warnings = droppedWarnings.size === 0 && newWarnings.length === 0
    ? previous.warnings
    : [...previous.warnings.filter((w) => !droppedWarnings.has(w)), ...newWarnings];
  return {
    ranked,
    ranks,
    exact: exactChanges.size === 0 ? previous.exact : previous.exact.with(exactChanges),
    suffix: suffix ?? previous.suffix,
    prefix: prefix ?? previous.prefix,
    suffixIndex: suffix === null ? previous.suffixIndex : indexOf(suffix, true),
    prefixIndex: prefix === null ? previous.prefixIndex : indexOf(prefix, false),
    anyHost,
    size: previous.size - removedRoutes + addedRoutes,
    warnings: warnings.length === 0 ? NO_WARNINGS : warnings,
  };
}

/**
 * The ranking of `previous` without the matchers at `goneAt` (sorted indices) and with `fresh` (sorted by
 * byPriority) merged in. Surviving matchers keep their ranks; each run of fresh matchers landing between the same
 * two survivors shares the gap between their ranks. Null when a gap is too narrow for its run.
 */
function mergeRanks(previous: RouterState, goneAt: readonly number[], fresh: readonly HttpMatcher[]) {
  const old = previous.ranked as HttpMatcher[];
  const oldRanks = previous.ranks as number[];
  // pieces of the new arrays, joined by one concat: the copying that grows with the router is native slices
  const rankedPieces: HttpMatcher[][] = [];
  const rankPieces: number[][] = [];
  const freshRanks = new Map<HttpMatcher, number>();
  let i = 0;
  let g = 0;
  let lastRank = 0;
  /** Copies old[i, until) but the gone ones. */
  const copyTo = (until: number): void => {
    while (i < until) {
      while (g < goneAt.length && goneAt[g] < i) g++;
      const end = g < goneAt.length && goneAt[g] < until ? goneAt[g] : until;
      if (end > i) {
        rankedPieces.push(old.slice(i, end));
        rankPieces.push(oldRanks.slice(i, end));
        lastRank = oldRanks[end - 1];
      }
      i = end < until ? end + 1 : end;
    }
  };
  let f = 0;
  while (f < fresh.length) {
    const at = lowerBound(old, fresh[f]);
    copyTo(at);
    let e = f + 1;
    while (e < fresh.length && lowerBound(old, fresh[e]) === at) e++;
    // the first survivor at or after `at` bounds the gap
    let next = at;
    let h = g;
    while (h < goneAt.length && goneAt[h] < next) h++;
    while (next < old.length && h < goneAt.length && goneAt[h] === next) {
      next++;
      h++;
    }
    const run = e - f;
    const hi = next < old.length ? oldRanks[next] : Math.min(MAX_ORDER - PATHS_PER_RANK, lastRank + (run + 1) * initialGap(old.length));
    const step = Math.floor((hi - lastRank) / PATHS_PER_RANK / (run + 1)) * PATHS_PER_RANK;
    if (step < PATHS_PER_RANK) return null;
    const runRanks: number[] = [];
    for (; f < e; f++) {
      lastRank += step;
      runRanks.push(lastRank);
      freshRanks.set(fresh[f], lastRank);
    }
    rankedPieces.push(fresh.slice(e - run, e));
    rankPieces.push(runRanks);
  }
  copyTo(old.length);
  const ranked = ([] as HttpMatcher[]).concat(...rankedPieces);
  const ranks = ([] as number[]).concat(...rankPieces);
  return { ranked, ranks, freshRanks };
}

export interface CompileHttpRouterOptions {
  /** The router this one replaces: its ranking is reused for the routes both share (same row objects). */
  readonly previous?: HttpRouter | null;
}

export type CompiledRouter = HttpRouter & { readonly warnings: readonly string[] };

/** Compiles the http/https/grpc/grpcs routes of a config into an immutable matcher (traditional_compatible). */
export function compileHttpRouter(routes: readonly RouteRow[], opts: CompileHttpRouterOptions = {}): CompiledRouter {
  return new CompiledHttpRouter(compileState(routes, opts.previous instanceof CompiledHttpRouter ? opts.previous.state : null));
}

/** A change to the routes a router was built from: rows it no longer has, rows it gains (an update is both). */
export interface HttpRouterChange {
  /** Rows `previous` was built from (the same objects) that leave it. */
  readonly removed: readonly RouteRow[];
  /** Rows that join it. */
  readonly added: readonly RouteRow[];
}

/**
 * The router `previous` becomes with `change` applied, matching exactly as compileHttpRouter(the new route list)
 * would, in time proportional to the change: `previous` is left intact (requests holding it keep matching with
 * it) and shares what the change does not touch. `routes` (the full new list) is read only when the change is
 * better built from scratch.
 */
export function updateHttpRouter(previous: HttpRouter, change: HttpRouterChange, routes: () => readonly RouteRow[]): CompiledRouter {
  if (previous instanceof CompiledHttpRouter) {
    const state = updateState(previous.state, change.removed, change.added);
    if (state !== null) return new CompiledHttpRouter(state);
  }
  return compileHttpRouter(routes(), { previous });
}

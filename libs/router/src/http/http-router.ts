// The compiled HTTP router. Matchers are ranked once by priority; each is placed in the host index (exact,
// `*.x` suffix, `x.*` prefix, or any-host) and, inside it, in a path trie. A request visits only the buckets its
// host selects and the trie nodes its path passes through, keeping the best-ranked candidate that matches.
// Recompiling after a small change is cheap: matchers are cached per route row object (rows are immutable; a
// change is a new object), and given the router it replaces, the ranking merges the few new matchers into the
// previous order instead of sorting everything again. Only the index (host buckets, tries) is rebuilt.
import type { RouteRow } from '@tollgate/declarative/snapshot';
import { hostPort } from '../host';
import { normalizePath } from '../normalize-path';
import { nameMatches, normalizeSni, type HostPattern, type NamePattern } from '../patterns';
import type { HttpMatch, HttpRequestInput, HttpRouter } from '../types';
import { buildHttpMatchers, type HeaderCondition, type HttpMatcher, type PathPattern } from './matcher';
import { createTrie, reversed, trieInsert, trieWalk, trieWalkReverse, type TrieNode } from './path-trie';
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

class CompiledHttpRouter implements HttpRouter {
  readonly size: number;
  readonly warnings: readonly string[];
  private readonly exact = new Map<string, Bucket>();
  private readonly suffix = new Map<string, Bucket>();
  private readonly prefix = new Map<string, Bucket>();
  /** Wildcard buckets by key: suffix keys reversed (walked from the end of the host), prefix keys as they are. */
  private readonly suffixIndex: TrieNode<Bucket> = createTrie();
  private readonly prefixIndex: TrieNode<Bucket> = createTrie();
  private readonly anyHost: Bucket = createTrie();

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

  /** The HTTP routes this router was built from, and its matchers in rank order: the base of the next compile. */
  readonly routeSet: ReadonlySet<RouteRow>;
  readonly ranked: readonly HttpMatcher[];

  constructor(routes: readonly RouteRow[], previous: CompiledHttpRouter | null) {
    const warnings: string[] = [];
    const routeSet = new Set<RouteRow>();
    const fresh: HttpMatcher[] = [];
    for (const route of routes) {
      if (!route.protocols.some((p) => HTTP_PROTOCOLS.has(p)) || routeSet.has(route)) continue;
      routeSet.add(route);
      const built = matchersOf(route);
      for (const w of built.warnings) warnings.push(w);
      if (previous !== null && previous.routeSet.has(route)) continue; // already ranked in previous.ranked
      for (const m of built.matchers) fresh.push(m);
    }
    fresh.sort(byPriority);
    const ranked = previous === null ? fresh : mergeRanked(previous.ranked.filter((m) => routeSet.has(m.route)), fresh);
    ranked.forEach((m, rank) => this.place(m, rank));
    for (const [key, bucket] of this.suffix) trieInsert(this.suffixIndex, reversed(key), bucket);
    for (const [key, bucket] of this.prefix) trieInsert(this.prefixIndex, key, bucket);
    this.size = routeSet.size;
    this.warnings = warnings;
    this.routeSet = routeSet;
    this.ranked = ranked;
  }

  private place(m: HttpMatcher, rank: number): void {
    const paths: ReadonlyArray<PathPattern | null> = m.paths ?? [null];
    if (m.hosts === null) {
      this.placeInBucket(this.anyHost, null, m, rank, paths);
      return;
    }
    // Hosts sharing a bucket key (`a.com`, `a.com:8000`) become one candidate listing both.
    const seen: string[] = [];
    for (const h of m.hosts) {
      const id = h.kind + ' ' + h.key;
      if (seen.includes(id)) continue;
      seen.push(id);
      const sameKey = m.hosts.length === 1 ? m.hosts : m.hosts.filter((o) => o.kind === h.kind && o.key === h.key);
      const map = h.kind === 'exact' ? this.exact : h.kind === 'suffix' ? this.suffix : this.prefix;
      this.placeInBucket(bucketFor(map, h.key), sameKey, m, rank, paths);
    }
  }

  private placeInBucket(bucket: Bucket, hosts: readonly HostPattern[] | null, m: HttpMatcher, rank: number, paths: ReadonlyArray<PathPattern | null>): void {
    for (const path of paths) {
      const order = rank * PATHS_PER_RANK + Math.min(path?.index ?? 0, PATHS_PER_RANK - 1);
      trieInsert(bucket, path === null ? '' : path.prefix, { order, matcher: m, path, hosts, settled: settledLabel(m, path, hosts) });
    }
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

export interface CompileHttpRouterOptions {
  /** The router this one replaces: its ranking is reused for the routes both share (same row objects). */
  readonly previous?: HttpRouter | null;
}

/** Compiles the http/https/grpc/grpcs routes of a config into an immutable matcher (traditional_compatible). */
export function compileHttpRouter(routes: readonly RouteRow[], opts: CompileHttpRouterOptions = {}): HttpRouter & { readonly warnings: readonly string[] } {
  return new CompiledHttpRouter(routes, opts.previous instanceof CompiledHttpRouter ? opts.previous : null);
}

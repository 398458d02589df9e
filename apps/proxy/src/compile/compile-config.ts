// Snapshot -> frozen CompiledConfig. Runs off the hot path; the result is swapped in by runtime/ in one
// assignment. Upstream runtimes (balancers with health-check timers) whose rows did not change are carried over
// from the previous config so their health state and pools survive a reconfigure.
// Incremental: rows are immutable (a change is a new object) and versions share unchanged rows, so whatever was
// compiled from the same row objects with the same dependencies is carried over from the previous config
// (services, routes, the SNI table, the stream config, the router's matchers and ranking). Without plugins, the
// routes that changed (found by walking the two id-ordered route lists by identity) are applied to the previous
// routes map and router (updateHttpRouter): a one-route change on 10,000 routes costs about a millisecond, not a
// rebuild of every route's place in the router. The previous config is never modified: requests holding it keep it.
import type { Row, RouteRow, ServiceRow, Snapshot, VersionedSnapshot } from '@tollgate/declarative/snapshot';
import { isSortedById, markSortedById, walkById } from '@tollgate/declarative/id-walk';
import { compileHttpRouter, isHttpRoutable, LayeredMap, updateHttpRouter, type HttpRouter } from '@tollgate/router';
import { compilePluginChains, loadPlugins, type PluginChains, type PluginLogger, type PluginRegistry } from '@tollgate/plugins';
import { compileService } from './compile-service';
import { compileSniTable } from './sni-table';
import { compileStreamConfig } from './compile-stream';
import { ROUTE_DEFAULTS } from './schema-defaults';
import type { CompiledConfig, CompiledRoute, CompiledService } from './types';
import type { UpstreamRuntime } from '../upstream/types';

/** `previous`: the runtime this one replaces (same upstream id), so addresses keep their health state. */
export type UpstreamFactory = (upstream: Row, targets: readonly Row[], previous: UpstreamRuntime | null) => UpstreamRuntime;

export interface CompileOptions {
  readonly createUpstream?: UpstreamFactory;
  readonly previous?: CompiledConfig | null;
  /** Plugins this node runs (`loadPlugins(settings.plugins)`); default: the bundled plugins. */
  readonly pluginRegistry?: PluginRegistry;
  readonly pluginLog?: PluginLogger;
  /** Warnings of the compile (stream routes with unusable endpoints), for the data plane's log. */
  readonly warn?: (message: string) => void;
}

let bundledRegistry: PluginRegistry | null = null;
const NO_PLUGINS = Object.freeze([]) as readonly never[];

/** Upstream runtimes keep the signature they were built from, to be reused when it is unchanged. */
const upstreamSignatures = new WeakMap<UpstreamRuntime, string>();
/** The snapshot each config was compiled from: what the next compile compares its collections with. */
const sources = new WeakMap<CompiledConfig, Snapshot>();

export interface CompileResult {
  readonly config: CompiledConfig;
  /** Previous upstream runtimes not carried over: close them after the swap. */
  readonly retired: readonly UpstreamRuntime[];
}

export function compileConfig(snapshot: VersionedSnapshot, opts: CompileOptions = {}): CompileResult {
  const started = performance.now();
  const cfg = snapshot.config;
  const previous = opts.previous ?? null;
  const before = previous ? sources.get(previous) ?? null : null;
  // Compiled services depend on their row, their upstream runtime and the certificates they name.
  const sameCertificates = before !== null && before.certificates === cfg.certificates && before.ca_certificates === cfg.ca_certificates;
  const indexById = (rows: readonly Row[] | undefined) => new Map((rows ?? []).map((r) => [r.id, r] as const));
  const byId = { certificates: indexById(cfg.certificates), caCertificates: indexById(cfg.ca_certificates) };

  // Unchanged upstream and target lists: the runtimes (and their health state) carry over as they are.
  const sameUpstreams = before !== null && before.upstreams === cfg.upstreams && before.targets === cfg.targets;
  const { upstreams, retired } = sameUpstreams ? { upstreams: previous!.upstreams, retired: [] } : compileUpstreams(cfg.upstreams ?? [], cfg.targets ?? [], opts);
  let upstreamsByName: ReadonlyMap<string, UpstreamRuntime>;
  if (sameUpstreams && previous!.upstreamsByName) upstreamsByName = previous!.upstreamsByName;
  else {
    const byName = new Map<string, UpstreamRuntime>();
    for (const row of cfg.upstreams ?? []) {
      const runtime = upstreams.get(row.id);
      if (runtime && typeof row.name === 'string') byName.set(row.name, runtime);
    }
    upstreamsByName = byName;
  }

  let services: ReadonlyMap<string, CompiledService>;
  if (before !== null && sameCertificates && sameUpstreams && before.services === cfg.services) services = previous!.services;
  else {
    const compiled = new Map<string, CompiledService>();
    for (const row of (cfg.services ?? []) as ServiceRow[]) {
      if (row.enabled === false) continue;
      const upstream = upstreamsByName.get(row.host) ?? null;
      const old = sameCertificates ? previous!.services.get(row.id) : undefined;
      compiled.set(row.id, old !== undefined && old.row === row && old.upstream === upstream ? old : compileService(row, upstream, byId));
    }
    // the same compiled services as before: keep the previous map, so what depends on it carries over too
    services = previous !== null && sameEntries(compiled, previous.services) ? previous.services : compiled;
  }

  // chains per route (and per consumer with configs of its own) are resolved here, never per request
  let plugins: PluginChains | null = null;
  if ((cfg.plugins?.length ?? 0) > 0) {
    const registry = opts.pluginRegistry ?? (bundledRegistry ??= loadPlugins(['bundled']));
    plugins = compilePluginChains(cfg, registry, { log: opts.pluginLog });
  }

  const compileRoute = (row: RouteRow): CompiledRoute | null => {
    // services holds the enabled ones: routes of a disabled service are not built into the router
    if (!isHttpRoutable(row, (id) => services.has(id))) return null;
    const protocols = row.protocols ?? ROUTE_DEFAULTS.protocols;
    const service = row.service ? (services.get(row.service.id) ?? null) : null;
    // Without plugins a compiled route depends only on its row and its compiled service.
    const old = plugins === null ? previous?.routes.get(row.id) : undefined;
    if (old !== undefined && old.row === row && old.service === service && old.plugins === NO_PLUGINS) return old;
    const grpc = protocols.includes('grpc') || protocols.includes('grpcs');
    return Object.freeze({
      row,
      id: row.id,
      service,
      // Kong's runloop: `protocols.https and not protocols.http`; a grpcs-only route has its own answer (grpcsOnly)
      httpsOnly: protocols.includes('https') && !protocols.includes('http'),
      grpc,
      grpcsOnly: grpc && !protocols.includes('grpc'),
      redirectStatus: row.https_redirect_status_code ?? ROUTE_DEFAULTS.https_redirect_status_code,
      preserveHost: row.preserve_host ?? ROUTE_DEFAULTS.preserve_host,
      stripPath: row.strip_path ?? ROUTE_DEFAULTS.strip_path,
      plugins: plugins ? plugins.lookup(row.id, service?.id ?? null, null).entries : NO_PLUGINS,
      pluginRoute: Object.freeze({ id: row.id, name: row.name ?? null, row }),
      pluginService: service ? Object.freeze({ id: service.id, name: service.row.name ?? null, row: service.row }) : null,
    });
  };
  const allRoutable = (): RouteRow[] => ((cfg.routes ?? []) as RouteRow[]).filter((row) => isHttpRoutable(row, (id) => services.has(id)));

  // A change of a few rows (the usual delta) is applied to the previous routes and router; anything else (first
  // config, plugins, rows out of id order) compiles every route.
  const change = previous !== null && before !== null && plugins === null && (previous.plugins ?? null) === null
    ? routeChange((before.routes ?? []) as RouteRow[], (cfg.routes ?? []) as RouteRow[])
    : null;
  let routes: LayeredMap<string, CompiledRoute>;
  let router: HttpRouter;
  let streamTouched = true;
  if (change !== null) {
    // routes whose service was recompiled (or went away) are recompiled too
    if (services !== previous!.services) {
      const touched = new Set<string>();
      for (const [id, s] of previous!.services) if (services.get(id) !== s) touched.add(id);
      for (const [id, s] of services) if (previous!.services.get(id) !== s) touched.add(id);
      if (touched.size > 0) {
        const listed = new Set(change.added);
        for (const row of (cfg.routes ?? []) as RouteRow[]) {
          if (row.service && touched.has(row.service.id) && !listed.has(row)) {
            change.removed.push(row);
            change.added.push(row);
          }
        }
      }
    }
    const updates = new Map<string, CompiledRoute | undefined>();
    const leaving: RouteRow[] = [];
    const joining: RouteRow[] = [];
    for (const row of change.removed) {
      // only routes the previous config routed are in its router
      if (previous!.routes.get(row.id)?.row !== row) continue;
      leaving.push(row);
      updates.set(row.id, undefined);
    }
    for (const row of change.added) {
      const compiled = compileRoute(row);
      if (compiled === null) continue;
      joining.push(row);
      updates.set(row.id, compiled);
    }
    routes = asLayered(previous!.routes).with(updates);
    router = updateHttpRouter(previous!.router, { removed: leaving, added: joining }, allRoutable);
    streamTouched = change.removed.some(isStreamRoute) || change.added.some(isStreamRoute);
  } else {
    const compiled = new Map<string, CompiledRoute>();
    const routable: RouteRow[] = [];
    for (const row of (cfg.routes ?? []) as RouteRow[]) {
      const route = compileRoute(row);
      if (route === null) continue;
      compiled.set(row.id, route);
      routable.push(row);
    }
    routes = LayeredMap.of(compiled);
    router = compileHttpRouter(routable, { previous: previous?.router });
  }
  // Secure contexts are costly to create: keep the table while certificates and snis are the same arrays.
  const sni = before !== null && before.certificates === cfg.certificates && before.snis === cfg.snis ? previous!.sni : compileSniTable(cfg.certificates, cfg.snis);
  // Stream routes share this snapshot's services, upstream runtimes and certificates: one set of health checkers.
  // Untouched by the change (no stream route changed, same services, upstreams and certificates): carried over.
  const stream = !streamTouched && services === previous!.services && upstreams === previous!.upstreams && sni === previous!.sni
    ? Object.freeze({ ...previous!.stream, hash: snapshot.hash })
    : compileStreamConfig({ hash: snapshot.hash, routes: (cfg.routes ?? []) as RouteRow[], services, upstreams, sni, warn: opts.warn });
  const config: CompiledConfig = Object.freeze({
    hash: snapshot.hash,
    version: snapshot.version,
    router,
    routes,
    services,
    upstreams,
    upstreamsByName,
    sni,
    stream,
    plugins,
    compileMs: performance.now() - started,
  });
  sources.set(config, cfg);
  return { config, retired };
}

function compileUpstreams(
  upstreamRows: readonly Row[],
  targetRows: readonly Row[],
  opts: CompileOptions,
): { upstreams: Map<string, UpstreamRuntime>; retired: UpstreamRuntime[] } {
  const upstreams = new Map<string, UpstreamRuntime>();
  const previous = opts.previous?.upstreams;
  if (!opts.createUpstream) return { upstreams, retired: previous ? [...previous.values()] : [] };
  const targetsByUpstream = new Map<string, Row[]>();
  for (const t of targetRows) {
    const id = (t.upstream as { id?: string } | null)?.id;
    if (!id) continue;
    const list = targetsByUpstream.get(id) ?? [];
    list.push(t);
    targetsByUpstream.set(id, list);
  }
  for (const row of upstreamRows) {
    const targets = targetsByUpstream.get(row.id) ?? [];
    const signature = JSON.stringify([row, targets]);
    const old = previous?.get(row.id);
    if (old && upstreamSignatures.get(old) === signature) {
      upstreams.set(row.id, old);
      continue;
    }
    const runtime = opts.createUpstream(row, targets, old ?? null);
    runtime.start();
    upstreamSignatures.set(runtime, signature);
    upstreams.set(row.id, runtime);
  }
  const retired: UpstreamRuntime[] = [];
  if (previous) for (const [id, rt] of previous) if (upstreams.get(id) !== rt) retired.push(rt);
  return { upstreams, retired };
}

const STREAM_PROTOCOLS = new Set(['tcp', 'tls', 'tls_passthrough', 'udp']);

function isStreamRoute(row: RouteRow): boolean {
  return (row.protocols ?? []).some((p) => STREAM_PROTOCOLS.has(p));
}

function sameEntries<V>(a: ReadonlyMap<string, V>, b: ReadonlyMap<string, V>): boolean {
  if (a.size !== b.size) return false;
  for (const [key, value] of a) if (b.get(key) !== value) return false;
  return true;
}

function asLayered<V>(map: ReadonlyMap<string, V>): LayeredMap<string, V> {
  return map instanceof LayeredMap ? (map as LayeredMap<string, V>) : LayeredMap.of(new Map(map));
}

/**
 * The rows that left and joined between two route lists in id order (every export and delta keeps them so), an
 * updated row being in both; null when either list is out of order.
 */
function routeChange(before: readonly RouteRow[], after: readonly RouteRow[]): { removed: RouteRow[]; added: RouteRow[] } | null {
  if (!isSortedById(before)) return null;
  const removed: RouteRow[] = [];
  const added: RouteRow[] = [];
  const addedAt: number[] = [];
  const join = (row: RouteRow, at: number) => {
    added.push(row);
    addedAt.push(at);
  };
  walkById(before, after, {
    removed: (row) => removed.push(row),
    added: join,
    replaced: (old, row, at) => {
      removed.push(old);
      join(row, at);
    },
  });
  // shared rows keep their order from `before`; the list stays in id order when each new row fits between its neighbours
  for (const at of addedAt) {
    if ((at > 0 && !(after[at - 1].id < after[at].id)) || (at + 1 < after.length && !(after[at].id < after[at + 1].id))) return null;
  }
  markSortedById(after);
  return { removed, added };
}

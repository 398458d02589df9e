// Snapshot -> frozen CompiledConfig. Runs off the hot path; the result is swapped in by runtime/ in one
// assignment. Upstream runtimes (balancers with health-check timers) whose rows did not change are carried over
// from the previous config so their health state and pools survive a reconfigure.
// Incremental: rows are immutable (a change is a new object) and versions share unchanged rows, so whatever was
// compiled from the same row objects with the same dependencies is carried over from the previous config
// (services, routes, the SNI table, the router's matchers and ranking). A one-route change on 10,000 routes
// rebuilds the router index and little else.
import type { Row, RouteRow, ServiceRow, Snapshot, VersionedSnapshot } from '@tollgate/declarative/snapshot';
import { compileHttpRouter, isHttpRoutable } from '@tollgate/router';
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

  const { upstreams, retired } = compileUpstreams(cfg.upstreams ?? [], cfg.targets ?? [], opts);
  const upstreamsByName = new Map<string, UpstreamRuntime>();
  for (const row of cfg.upstreams ?? []) {
    const runtime = upstreams.get(row.id);
    if (runtime && typeof row.name === 'string') upstreamsByName.set(row.name, runtime);
  }

  const services = new Map<string, CompiledService>();
  for (const row of (cfg.services ?? []) as ServiceRow[]) {
    if (row.enabled === false) continue;
    const upstream = upstreamsByName.get(row.host) ?? null;
    const old = sameCertificates ? previous!.services.get(row.id) : undefined;
    services.set(row.id, old !== undefined && old.row === row && old.upstream === upstream ? old : compileService(row, upstream, byId));
  }

  // chains per route (and per consumer with configs of its own) are resolved here, never per request
  let plugins: PluginChains | null = null;
  if ((cfg.plugins?.length ?? 0) > 0) {
    const registry = opts.pluginRegistry ?? (bundledRegistry ??= loadPlugins(['bundled']));
    plugins = compilePluginChains(cfg, registry, { log: opts.pluginLog });
  }

  const routes = new Map<string, CompiledRoute>();
  const routable: RouteRow[] = [];
  for (const row of (cfg.routes ?? []) as RouteRow[]) {
    // services holds the enabled ones: routes of a disabled service are not built into the router
    if (!isHttpRoutable(row, (id) => services.has(id))) continue;
    const protocols = row.protocols ?? ROUTE_DEFAULTS.protocols;
    const service = row.service ? (services.get(row.service.id) ?? null) : null;
    // Without plugins a compiled route depends only on its row and its compiled service.
    const old = plugins === null ? previous?.routes.get(row.id) : undefined;
    if (old !== undefined && old.row === row && old.service === service && old.plugins === NO_PLUGINS) {
      routes.set(row.id, old);
      routable.push(row);
      continue;
    }
    const hasPlain = protocols.includes('http') || protocols.includes('grpc');
    routes.set(
      row.id,
      Object.freeze({
        row,
        id: row.id,
        service,
        httpsOnly: !hasPlain,
        grpc: protocols.includes('grpc') || protocols.includes('grpcs'),
        redirectStatus: row.https_redirect_status_code ?? ROUTE_DEFAULTS.https_redirect_status_code,
        preserveHost: row.preserve_host ?? ROUTE_DEFAULTS.preserve_host,
        stripPath: row.strip_path ?? ROUTE_DEFAULTS.strip_path,
        plugins: plugins ? plugins.lookup(row.id, service?.id ?? null, null).entries : NO_PLUGINS,
        pluginRoute: Object.freeze({ id: row.id, name: row.name ?? null, row }),
        pluginService: service ? Object.freeze({ id: service.id, name: service.row.name ?? null, row: service.row }) : null,
      }),
    );
    routable.push(row);
  }

  const router = compileHttpRouter(routable, { previous: previous?.router });
  // Secure contexts are costly to create: keep the table while certificates and snis are the same arrays.
  const sni = before !== null && before.certificates === cfg.certificates && before.snis === cfg.snis ? previous!.sni : compileSniTable(cfg.certificates, cfg.snis);
  // Stream routes share this snapshot's services, upstream runtimes and certificates: one set of health checkers.
  const stream = compileStreamConfig({ hash: snapshot.hash, routes: (cfg.routes ?? []) as RouteRow[], services, upstreams, sni, warn: opts.warn });
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

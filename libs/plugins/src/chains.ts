// Plugin chains per route × consumer, resolved with Kong's precedence and sorted by priority at compile time.
// The request path only calls lookup(): two Map reads, no sorting, no allocation.
import type { Row, Snapshot } from '@tollgate/declarative/snapshot';
import { buildEntityDirectory, type EntityDirectory } from './entity-directory';
import type { PluginRegistry } from './registry';
import type { Phase, PluginHandler, PluginLogger } from './types';
import { silentLogger } from './logger';

export interface ChainEntry {
  readonly name: string;
  readonly handler: PluginHandler;
  /** The prepared config (handler.prepare output, else the validated config). */
  readonly conf: unknown;
  /** Position in the registry's priority order: equal ranks mean the same plugin. */
  readonly rank: number;
  readonly id: string;
  readonly instanceName: string | null;
  readonly protocols: ReadonlySet<string>;
  /** Configured with no route, service or consumer: the only kind Kong runs in `rewrite`. */
  readonly global: boolean;
  readonly row: Row;
}

export interface Chain {
  readonly entries: readonly ChainEntry[];
  /** Some entry has a body_filter: the response must be buffered. */
  readonly buffersResponse: boolean;
  /** Some entry has a (global) rewrite / header_filter / body_filter / log handler: lets the runner skip whole phases per request. */
  readonly hasRewrite?: boolean;
  readonly hasHeaderFilter?: boolean;
  readonly hasBodyFilter?: boolean;
  readonly hasLog?: boolean;
}

export interface PluginChains {
  readonly entities: EntityDirectory;
  /** The chain for a matched route (its service) and, once authenticated, a consumer. */
  lookup(routeId: string | null, serviceId: string | null, consumerId: string | null): Chain;
  /** Every plugin entity compiled in, for status/metrics. */
  readonly instances: readonly ChainEntry[];
  /** Global instances with a `certificate` handler, in priority order (run for a server name without a certificate). */
  readonly certificate?: readonly ChainEntry[];
  /** false when no plugin is configured for a consumer: authenticating never changes a request's chain. */
  readonly consumerScoped?: boolean;
}

type Ref = { id: string } | null | undefined;
const idOf = (ref: unknown) => ((ref as Ref) ? (ref as { id: string }).id : null);

/** Kong's precedence, most specific first: which (route, service, consumer) parts a config must name. */
const COMBOS: ReadonlyArray<readonly [boolean, boolean, boolean]> = [
  [true, true, true],
  [true, false, true],
  [false, true, true],
  [true, true, false],
  [false, false, true],
  [true, false, false],
  [false, true, false],
  [false, false, false],
];

const keyOf = (r: string | null, s: string | null, c: string | null) => `${r ?? ''}|${s ?? ''}|${c ?? ''}`;

export interface CompileChainsOptions {
  readonly log?: PluginLogger;
}

export function compilePluginChains(snapshot: Snapshot, registry: PluginRegistry, options: CompileChainsOptions = {}): PluginChains {
  const log = options.log ?? silentLogger;
  const entities = buildEntityDirectory(snapshot);
  const disabledServices = new Set((snapshot.services ?? []).filter((s) => s.enabled === false).map((s) => s.id));
  // name -> scope key -> entry
  const byName = new Map<string, Map<string, ChainEntry>>();
  const consumerIds = new Set<string>();
  const instances: ChainEntry[] = [];
  for (const row of snapshot.plugins ?? []) {
    if (row.enabled === false) continue;
    const name = row.name as string;
    const loaded = registry.plugins.get(name);
    if (!loaded) {
      log.warn(`plugin '${name}' is configured but not enabled on this node; ignored`);
      continue;
    }
    const [r, s, c] = [idOf(row.route), idOf(row.service), idOf(row.consumer)];
    if (s !== null && disabledServices.has(s)) continue;
    const config = (row.config ?? {}) as Record<string, unknown>;
    let conf: unknown = config;
    try {
      if (loaded.handler.prepare) conf = loaded.handler.prepare(config, { entities, log, pluginId: row.id, routeId: r, serviceId: s });
    } catch (err) {
      log.error(`plugin '${name}' (${row.id}) could not be prepared; ignored`, { err: (err as Error).message });
      continue;
    }
    const entry: ChainEntry = Object.freeze({
      name,
      handler: loaded.handler,
      conf,
      rank: loaded.rank,
      id: row.id,
      instanceName: (row.instance_name as string | null) ?? null,
      protocols: new Set((row.protocols as string[] | null) ?? ['grpc', 'grpcs', 'http', 'https']),
      global: r === null && s === null && c === null,
      row,
    });
    instances.push(entry);
    if (c !== null) consumerIds.add(c);
    let scopes = byName.get(name);
    if (!scopes) byName.set(name, (scopes = new Map()));
    scopes.set(keyOf(r, s, c), entry);
  }

  const resolve = (r: string | null, s: string | null, c: string | null): Chain => {
    const entries: ChainEntry[] = [];
    for (const scopes of byName.values()) {
      for (const [wantR, wantS, wantC] of COMBOS) {
        if ((wantR && r === null) || (wantS && s === null) || (wantC && c === null)) continue;
        const hit = scopes.get(keyOf(wantR ? r : null, wantS ? s : null, wantC ? c : null));
        if (hit) {
          entries.push(hit);
          break;
        }
      }
    }
    entries.sort((a, b) => a.rank - b.rank);
    const has = (e: ChainEntry, phase: Phase) => e.handler[phase] !== undefined && (e.handler.runsIn?.(phase, e.conf) ?? true);
    return Object.freeze({
      entries: Object.freeze(entries),
      buffersResponse: entries.some((e) => has(e, 'body_filter') && (e.handler.buffersBody?.(e.conf) ?? true)),
      hasRewrite: entries.some((e) => e.global && has(e, 'rewrite')),
      hasHeaderFilter: entries.some((e) => has(e, 'header_filter')),
      hasBodyFilter: entries.some((e) => has(e, 'body_filter')),
      hasLog: entries.some((e) => has(e, 'log')),
    });
  };

  // every route, with no consumer and with each consumer that has plugins of its own
  const byRoute = new Map<string, { base: Chain; byConsumer: Map<string, Chain> }>();
  for (const route of snapshot.routes ?? []) {
    const s = idOf(route.service);
    const byConsumer = new Map<string, Chain>();
    for (const c of consumerIds) byConsumer.set(c, resolve(route.id, s, c));
    byRoute.set(route.id, { base: resolve(route.id, s, null), byConsumer });
  }
  // lookups outside the precomputed set (no route, e.g. stream or tests) are resolved once and remembered
  const extra = new Map<string, Chain>();
  const noConsumerPlugins = (c: string | null) => c === null || !consumerIds.has(c);

  return Object.freeze({
    entities,
    instances: Object.freeze(instances),
    certificate: Object.freeze(instances.filter((e) => e.global && e.handler.certificate).sort((a, b) => a.rank - b.rank)),
    consumerScoped: consumerIds.size > 0,
    lookup(routeId: string | null, serviceId: string | null, consumerId: string | null): Chain {
      if (routeId !== null) {
        const routeChains = byRoute.get(routeId);
        if (routeChains) return noConsumerPlugins(consumerId) ? routeChains.base : routeChains.byConsumer.get(consumerId!)!;
      }
      const c = noConsumerPlugins(consumerId) ? null : consumerId;
      const key = keyOf(routeId, serviceId, c);
      let chain = extra.get(key);
      if (!chain) extra.set(key, (chain = resolve(routeId, serviceId, c)));
      return chain;
    },
  });
}

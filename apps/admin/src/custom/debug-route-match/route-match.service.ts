// POST /debug/route-match: what the data planes would do with a request, for the current configuration or any
// release. The router is libs/router's compileHttpRouter over the routes a data plane builds in (libs/router
// isHttpRoutable, as apps/proxy's compile-config); plugins are libs/plugins' chains with Kong's
// precedence. Compiled once per configuration hash.
import { Inject, Injectable } from '@nestjs/common';
import type { Settings } from '@tollgate/config';
import type { Row, RouteRow, Snapshot } from '@tollgate/declarative';
import { notFound } from '@tollgate/errors';
import { compilePluginChains, loadPlugins, type PluginChains, type PluginRegistry } from '@tollgate/plugins';
import { compileHttpRouter, explainHttpMatch, isHttpRoutable, resolveUpstreamPath, type RankedRouter } from '@tollgate/router';
import { ADMIN_SETTINGS, SNAPSHOTS } from '../../bootstrap/tokens';
import type { ReleaseRecorder } from '../../cluster/releases/release-recorder';
import type { ReleaseStore } from '../../cluster/releases/release-store';
import { RELEASE_RECORDER, RELEASE_STORE } from '../../cluster/releases/tokens';
import type { SnapshotService } from '../../cluster/snapshot.service';
import { parseRouteMatchRequest } from './route-match-request';

const CACHED_CONFIGS = 4;

interface Compiled {
  readonly config: Snapshot;
  readonly router: RankedRouter;
  readonly chains: PluginChains | null;
}

type Ref = { id?: string } | null | undefined;
const refId = (value: unknown): string | null => (value as Ref)?.id ?? null;
const rows = (config: Snapshot, entity: string): Row[] => ((config as unknown as Record<string, Row[] | undefined>)[entity] ?? []);
const brief = (row: Row | undefined | null) => (row ? { id: row.id, name: (row.name as string | null | undefined) ?? null } : null);

function scopeOf(row: Row): string {
  const parts = (['route', 'service', 'consumer'] as const).filter((p) => refId(row[p]) !== null);
  return parts.length ? parts.join('+') : 'global';
}

@Injectable()
export class RouteMatchService {
  private readonly compiled = new Map<string, Compiled>();
  private registry: PluginRegistry | null = null;

  constructor(
    @Inject(ADMIN_SETTINGS) private readonly settings: Settings,
    @Inject(SNAPSHOTS) private readonly snapshots: SnapshotService,
    @Inject(RELEASE_STORE) private readonly releases: ReleaseStore,
    @Inject(RELEASE_RECORDER) private readonly recorder: ReleaseRecorder,
  ) {}

  async explain(body: unknown): Promise<Record<string, unknown>> {
    const req = parseRouteMatchRequest(body);
    const { config, hash, release } = await this.configFor(req.release);
    const compiled = this.compile(hash, config);
    const explained = explainHttpMatch(compiled.router, req.input);
    const match = explained.match;
    const route = match?.route ?? null;
    const service = route ? rows(config, 'services').find((s) => s.id === refId(route.service)) ?? null : null;
    const consumer = req.consumer === null ? null : rows(config, 'consumers').find((c) => c.id === req.consumer || c.username === req.consumer) ?? null;
    if (req.consumer !== null && !consumer) throw notFound(`consumer '${req.consumer}' not found in this configuration`);
    const chain = route && compiled.chains ? compiled.chains.lookup(route.id, service?.id ?? null, consumer?.id ?? null).entries : [];
    return {
      release,
      hash,
      request: { method: req.input.method, protocol: req.input.protocol, host: req.input.host, port: req.input.port, path: req.input.path, sni: req.input.sni ?? null, client_ip: req.clientIp },
      route: route ? { id: route.id, name: route.name ?? null } : null,
      matched: match ? { path: match.matchedPath, host: match.matchedHost, captures: match.captures } : null,
      service: service
        ? { id: service.id, name: service.name ?? null, protocol: service.protocol, host: service.host, port: service.port, path: service.path ?? null }
        : null,
      ...this.targets(config, service),
      upstream_path: match && service ? resolveUpstreamPath(match, (service.path as string | null) ?? null, req.rawQuery) : null,
      plugins: chain.map((e) => ({ name: e.name, id: e.id, instance_name: e.instanceName, scope: scopeOf(e.row), priority: this.registry?.plugins.get(e.name)?.priority ?? null })),
      candidates: explained.candidates.map((c) => ({ route: brief(c.route as unknown as Row), rank: c.rank, reason: c.reason, failed: c.failed, detail: c.detail })),
    };
  }

  private async configFor(number: number | null): Promise<{ config: Snapshot; hash: string; release: number | null }> {
    if (number !== null) {
      const release = await this.releases.get(number);
      const config = release ? await this.releases.configOf(number) : null;
      if (!release || !config) throw notFound(`release ${number} not found`);
      return { config, hash: release.hash, release: number };
    }
    // the answer names the release it explains: writes still in the recorder's window are recorded first
    await this.recorder.flush();
    const current = this.snapshots.current();
    const latest = await this.releases.latest();
    return { config: current.config, hash: current.hash, release: latest?.hash === current.hash ? latest.number : null };
  }

  /** The service's upstream and its targets (weight > 0), or the service host itself. */
  private targets(config: Snapshot, service: Row | null): { upstream: unknown; targets: unknown[] } {
    if (!service) return { upstream: null, targets: [] };
    const upstream = rows(config, 'upstreams').find((u) => u.name === service.host);
    if (!upstream) return { upstream: null, targets: [{ target: `${service.host}:${service.port}`, weight: 100 }] };
    const targets = rows(config, 'targets').filter((t) => refId(t.upstream) === upstream.id && Number(t.weight) > 0).map((t) => ({ target: t.target, weight: t.weight }));
    return { upstream: { id: upstream.id, name: upstream.name }, targets };
  }

  private compile(hash: string, config: Snapshot): Compiled {
    const cached = this.compiled.get(hash);
    if (cached) return cached;
    const disabled = new Set(rows(config, 'services').filter((s) => s.enabled === false).map((s) => s.id));
    const routable = (rows(config, 'routes') as unknown as RouteRow[]).filter((r) => isHttpRoutable(r, (id) => !disabled.has(id)));
    const router = compileHttpRouter(routable) as unknown as RankedRouter;
    this.registry ??= loadPlugins(this.settings.plugins.filter((p) => p !== 'off'));
    const chains = rows(config, 'plugins').length ? compilePluginChains(config, this.registry) : null;
    const entry = { config, router, chains };
    this.compiled.set(hash, entry);
    while (this.compiled.size > CACHED_CONFIGS) this.compiled.delete(this.compiled.keys().next().value as string);
    return entry;
  }
}

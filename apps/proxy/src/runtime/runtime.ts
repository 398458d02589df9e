// Holds the CompiledConfig in force. A request reads `current` once and keeps that object for its whole life,
// so a swap never tears a request (DESIGN.md rule 5).
import type { VersionedSnapshot } from '@tollgate/declarative/snapshot';
import type { PluginLogger, PluginRegistry } from '@tollgate/plugins';
import { loadPlugins } from '@tollgate/plugins';
import { compileConfig, type UpstreamFactory } from '../compile/compile-config';
import { resolveSnapshotReferences } from '../compile/resolve-references';
import type { CompiledConfig } from '../compile/types';
import { emptyConfig } from './empty-config';

export interface ApplyResult {
  /** false when the hash equals the config in force (nothing rebuilt). */
  readonly applied: boolean;
  readonly hash: string;
  readonly compileMs: number;
}

export class Runtime {
  /** The config in force. Read it once per request. */
  current: CompiledConfig = emptyConfig();
  private bundled: PluginRegistry | null = null;

  constructor(
    private readonly createUpstream?: UpstreamFactory,
    /** Plugins this node runs (`loadPlugins(settings.plugins)`); the bundled set when absent. */
    private readonly plugins?: { readonly registry: PluginRegistry; readonly log?: PluginLogger },
  ) {}

  /** Compiles `snapshot` and swaps it in; throws (keeping the old config) when it does not compile. */
  apply(snapshot: VersionedSnapshot): ApplyResult {
    const previous = this.current;
    if (snapshot.hash === previous.hash) return { applied: false, hash: previous.hash, compileMs: 0 };
    const registry = this.plugins?.registry ?? (this.bundled ??= loadPlugins(['bundled']));
    const resolved = resolveSnapshotReferences(snapshot, {
      pluginSchemas: registry.schemas,
      warn: (obj, msg) => this.plugins?.log?.warn(msg, obj),
    });
    const { config, retired } = compileConfig(resolved, {
      createUpstream: this.createUpstream,
      previous,
      pluginRegistry: this.plugins?.registry,
      pluginLog: this.plugins?.log,
      warn: (message) => this.plugins?.log?.warn(message, {}),
    });
    // synchronous from here: the swap must not await
    this.current = config;
    for (const upstream of retired) upstream.stop();
    return { applied: true, hash: config.hash, compileMs: config.compileMs };
  }

  /** Stops what the config in force owns (health-check timers). */
  close(): void {
    for (const upstream of this.current.upstreams.values()) upstream.stop();
  }
}

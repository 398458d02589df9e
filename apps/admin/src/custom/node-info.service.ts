import { Inject, Injectable, Optional } from '@nestjs/common';
import type { Settings } from '@tollgate/config';
import { ADMIN_SETTINGS, NODE_IDENTITY, PLUGIN_CATALOG, SNAPSHOTS } from '../bootstrap/tokens';
import type { SnapshotService } from '../cluster/snapshot.service';
import { KONG_COMPATIBLE_VERSION, type NodeIdentity } from '@tollgate/config';
import type { PluginCatalog } from './plugin-catalog';
import { NODE_LOG_LEVEL, type NodeLogLevel } from './node/node-log-level';
import { pendingTimers } from './node/timers';
import { redactedConfiguration } from './redact-configuration';

/** `GET /`: Kong's node information, with Tollgate's own release in `tollgate_version`. */
@Injectable()
export class NodeInfoService {
  private readonly configuration: Record<string, unknown>;

  constructor(
    @Inject(ADMIN_SETTINGS) settings: Settings,
    @Inject(NODE_IDENTITY) private readonly identity: NodeIdentity,
    @Inject(PLUGIN_CATALOG) private readonly catalog: PluginCatalog,
    @Inject(SNAPSHOTS) private readonly snapshots: SnapshotService,
    @Optional() @Inject(NODE_LOG_LEVEL) private readonly logLevel?: NodeLogLevel,
  ) {
    this.configuration = redactedConfiguration(settings);
  }

  async information(): Promise<Record<string, unknown>> {
    const snapshot = await this.snapshots.settle();
    return {
      tagline: 'Welcome to kong',
      version: KONG_COMPATIBLE_VERSION,
      edition: 'community',
      tollgate_version: this.identity.tollgateVersion,
      hostname: this.identity.hostname,
      node_id: this.identity.nodeId,
      lua_version: `Node.js ${process.version}`,
      timers: { running: 0, pending: pendingTimers() },
      plugins: {
        available_on_server: this.availableOnServer(),
        enabled_in_cluster: [...new Set((snapshot.config.plugins ?? []).map((p) => String((p as { name?: unknown }).name)))].sort(),
      },
      // Kong reports the level in force, which /debug/node/log-level may have changed
      configuration: this.logLevel ? { ...this.configuration, log_level: this.logLevel.current() } : this.configuration,
      pids: { master: process.pid, workers: [process.pid] },
    };
  }

  private availableOnServer(): Record<string, { version: string; priority: number }> {
    const out: Record<string, { version: string; priority: number }> = {};
    for (const plugin of [...this.catalog.plugins.values()].sort((a, b) => a.name.localeCompare(b.name))) {
      out[plugin.name] = { version: plugin.version, priority: plugin.priority };
    }
    return out;
  }
}


import { Inject, Injectable } from '@nestjs/common';
import type { Settings } from '@tollgate/config';
import { ADMIN_SETTINGS, NODE_IDENTITY, PLUGIN_CATALOG, SNAPSHOTS } from '../bootstrap/tokens';
import type { SnapshotService } from '../cluster/snapshot.service';
import { KONG_COMPATIBLE_VERSION, type NodeIdentity } from '@tollgate/config';
import type { PluginCatalog } from './plugin-catalog';
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
      timers: timers(),
      plugins: {
        available_on_server: this.availableOnServer(),
        enabled_in_cluster: [...new Set((snapshot.config.plugins ?? []).map((p) => String((p as { name?: unknown }).name)))].sort(),
      },
      configuration: this.configuration,
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

/** Node's closest analogue of nginx timers: scheduled timeouts are pending; none run outside the event loop. */
function timers(): { running: number; pending: number } {
  const pending = process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
  return { running: 0, pending };
}

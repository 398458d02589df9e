import { Inject, Injectable, Optional } from '@nestjs/common';
import type { Settings } from '@tollgate/config';
import type { ConnectionStats } from '../bootstrap/connection-stats';
import { ADMIN_SETTINGS, CONFIGURATION_HASH, CONNECTION_STATS, DATABASE_PROBE, SNAPSHOTS } from '../bootstrap/tokens';
import type { SnapshotService } from '../cluster/snapshot.service';
import { memoryFormatter } from './memory-units';

export type DatabaseProbe = () => Promise<boolean>;

const EMPTY_CONFIGURATION_HASH = '0'.repeat(32);

/** `GET /status`: database reachability, connection counters, memory of this process. */
@Injectable()
export class StatusService {
  constructor(
    @Inject(ADMIN_SETTINGS) private readonly settings: Settings,
    @Inject(CONNECTION_STATS) private readonly stats: ConnectionStats,
    @Inject(DATABASE_PROBE) private readonly probe: DatabaseProbe,
    @Inject(SNAPSHOTS) private readonly snapshots: SnapshotService,
    @Optional() @Inject(CONFIGURATION_HASH) private readonly configurationHash?: () => string,
  ) {}

  async report(unit: unknown, scale: unknown): Promise<Record<string, unknown>> {
    const format = memoryFormatter(unit, scale);
    const memory = process.memoryUsage();
    const body: Record<string, unknown> = {};
    if (this.settings.database === 'off') {
      const hash = this.snapshots.current().hash;
      body.configuration_hash = this.configurationHash?.() ?? (hash ? hash.slice(0, 32) : EMPTY_CONFIGURATION_HASH);
    } else {
      body.database = { reachable: await this.probe().catch(() => false) };
    }
    body.server = this.stats.toKong();
    body.memory = {
      // No shared dictionaries in Node; the V8 heap is the one managed memory pool.
      lua_shared_dicts: {},
      workers_lua_vms: [{ http_allocated_gc: format(memory.heapUsed), pid: process.pid }],
    };
    return body;
  }
}

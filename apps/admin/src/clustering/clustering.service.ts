// GET /clustering/data-planes and the deprecated GET /clustering/status, from the in-memory registry.
import { Inject, Injectable } from '@nestjs/common';
import type { Settings } from '@tollgate/config';
import { badRequest } from '@tollgate/errors';
import { ADMIN_SETTINGS } from '../bootstrap/tokens';
import { decodePageToken, encodePageToken } from '../persistence';
import type { DataPlaneRegistry, DataPlaneView } from './data-plane-registry';
import { DATA_PLANE_REGISTRY } from './tokens';

export const ONLY_ON_CONTROL_PLANE = 'this endpoint is only available when Kong is configured to run as Control Plane for the cluster';

export interface DataPlanePage {
  readonly data: DataPlaneView[];
  readonly next: string | null;
  readonly offset?: string;
}

@Injectable()
export class ClusteringService {
  constructor(
    @Inject(ADMIN_SETTINGS) private readonly settings: Settings,
    @Inject(DATA_PLANE_REGISTRY) private readonly registry: DataPlaneRegistry,
  ) {}

  dataPlanes(sizeText?: string, offset?: string): DataPlanePage {
    this.requireControlPlane();
    const size = sizeText === undefined ? 100 : Number(sizeText);
    if (!Number.isInteger(size) || size < 1 || size > 1000) throw badRequest("invalid size: must be an integer between 1 and 1000");
    let rows = this.registry.list();
    if (offset !== undefined) {
      const after = decodePageToken(offset);
      rows = rows.filter((row) => row.id > after);
    }
    const data = rows.slice(0, size);
    if (rows.length <= size) return { data, next: null };
    const token = encodePageToken(data[data.length - 1].id);
    return { data, next: `/clustering/data-planes?offset=${encodeURIComponent(token)}`, offset: token };
  }

  /** Kong's deprecated shape: an object keyed by data plane id. */
  status(): Record<string, { config_hash: string; hostname: string; ip: string; last_seen: number }> {
    this.requireControlPlane();
    const out: Record<string, { config_hash: string; hostname: string; ip: string; last_seen: number }> = {};
    for (const row of this.registry.list()) out[row.id] = { config_hash: row.config_hash, hostname: row.hostname, ip: row.ip, last_seen: row.last_seen };
    return out;
  }

  private requireControlPlane(): void {
    if (this.settings.role !== 'control_plane') throw badRequest(ONLY_ON_CONTROL_PLANE);
  }
}

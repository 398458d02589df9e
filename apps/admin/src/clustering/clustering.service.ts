// GET /clustering/data-planes and the deprecated GET /clustering/status: from the database when this control plane
// has one (every control plane's data planes), else from this control plane's in-memory registry.
import { Inject, Injectable, Optional } from '@nestjs/common';
import type { Settings } from '@tollgate/config';
import { badRequest } from '@tollgate/errors';
import { ADMIN_SETTINGS } from '../bootstrap/tokens';
import { decodePageToken, encodePageToken } from '../persistence';
import type { ReleaseStore } from '../cluster/releases/release-store';
import { RELEASE_STORE } from '../cluster/releases/tokens';
import type { DataPlaneStore } from '../cluster/registry/data-plane-store';
import type { DataPlaneRegistry, DataPlaneView } from './data-plane-registry';
import { DATA_PLANE_REGISTRY, DATA_PLANE_STORE } from './tokens';

export const ONLY_ON_CONTROL_PLANE = 'this endpoint is only available when Kong is configured to run as Control Plane for the cluster';

/** Where a data plane stands in the open rollout: the first stage naming its labels, and whether it was reached. */
export interface RolloutPlacement {
  readonly id: string;
  /** null: no stage names its labels (it follows the latest release once the rollout completes). */
  readonly stage: number | null;
  /** true: it follows the latest release; false: the rollout keeps it on the baseline. */
  readonly reached: boolean;
}

/** The open rollout's placement of a data plane by its labels, or null when no rollout is open. */
export type RolloutPlacementLookup = () => Promise<((labels: Readonly<Record<string, string>>) => RolloutPlacement) | null>;

/**
 * A listed data plane: the registry row, the release its config_hash is (null when it is no release), and its
 * place in the open rollout (null when none is open).
 */
export type ListedDataPlane = DataPlaneView & { readonly release: number | null; readonly rollout: RolloutPlacement | null };

export interface DataPlanePage {
  readonly data: ListedDataPlane[];
  readonly next: string | null;
  readonly offset?: string;
}

@Injectable()
export class ClusteringService {
  constructor(
    @Inject(ADMIN_SETTINGS) private readonly settings: Settings,
    @Inject(DATA_PLANE_REGISTRY) private readonly registry: DataPlaneRegistry,
    @Optional() @Inject(DATA_PLANE_STORE) private readonly store?: DataPlaneStore | null,
    @Optional() @Inject(RELEASE_STORE) private readonly releases?: ReleaseStore,
  ) {}

  private rolloutPlacement: RolloutPlacementLookup | null = null;

  /** Set by RolloutsModule (which depends on this module, so this one cannot ask it directly). */
  useRolloutPlacement(lookup: RolloutPlacementLookup): void {
    this.rolloutPlacement = lookup;
  }

  /** Every known data plane, by id, with the release it serves and its place in the open rollout. */
  async fleet(): Promise<ListedDataPlane[]> {
    const now = Math.floor(Date.now() / 1000);
    const rows: DataPlaneView[] = this.store
      ? (await this.store.list(now)).map(({ expires_at, ...row }) => ({ ...row, ttl: Math.max(0, expires_at - now) }))
      : this.registry.list();
    const numbers = this.releases ? await this.releases.numbersByHash32(rows.map((r) => r.config_hash)) : new Map<string, number>();
    const placement = this.rolloutPlacement ? await this.rolloutPlacement() : null;
    return rows.map((row) => ({ ...row, release: numbers.get(row.config_hash) ?? null, rollout: placement ? placement(row.labels) : null }));
  }

  async dataPlanes(sizeText?: string, offset?: string): Promise<DataPlanePage> {
    this.requireControlPlane();
    const size = sizeText === undefined ? 100 : Number(sizeText);
    if (!Number.isInteger(size) || size < 1 || size > 1000) throw badRequest("invalid size: must be an integer between 1 and 1000");
    let rows = await this.fleet();
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
  async status(): Promise<Record<string, { config_hash: string; hostname: string; ip: string; last_seen: number }>> {
    this.requireControlPlane();
    const out: Record<string, { config_hash: string; hostname: string; ip: string; last_seen: number }> = {};
    for (const row of await this.fleet()) out[row.id] = { config_hash: row.config_hash, hostname: row.hostname, ip: row.ip, last_seen: row.last_seen };
    return out;
  }

  private requireControlPlane(): void {
    if (this.settings.role !== 'control_plane') throw badRequest(ONLY_ON_CONTROL_PLANE);
  }
}

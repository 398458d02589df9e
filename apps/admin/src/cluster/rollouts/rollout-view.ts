// The body of GET /rollouts/{id}: the stored rollout, when each stage started, the baseline and latest releases,
// and where every data plane of the fleet stands.
import type { ListedDataPlane } from '../../clustering/clustering.service';
import type { LatestRelease } from '../releases/release-store';
import { reached, stageOf, type Rollout, type RolloutStage } from './rollout-types';

export interface RolloutDataPlane {
  readonly id: string;
  readonly hostname: string;
  readonly labels: Readonly<Record<string, string>>;
  /** The first stage whose labels it carries; null: no stage names it (it follows the latest once completed). */
  readonly stage: number | null;
  /** Whether the rollout reached it (it follows the latest release) or keeps it on the baseline. */
  readonly reached: boolean;
  readonly release: number | null;
  readonly config_hash: string;
}

export interface RolloutView {
  readonly id: string;
  readonly state: Rollout['state'];
  readonly reason: string | null;
  readonly stages: ReadonlyArray<RolloutStage & { readonly started_at: number | null }>;
  readonly current_stage: number;
  readonly max_error_rate: number | null;
  readonly baseline: { readonly number: number; readonly hash: string | null };
  readonly latest: { readonly number: number; readonly hash: string } | null;
  readonly data_planes: RolloutDataPlane[];
  readonly created_at: number;
  readonly updated_at: number;
  readonly ended_at: number | null;
}

export function rolloutView(r: Rollout, baselineHash: string | null, latest: LatestRelease | null, fleet: readonly ListedDataPlane[]): RolloutView {
  return {
    id: r.id,
    state: r.state,
    reason: r.reason,
    stages: r.stages.map((s, i) => ({ labels: s.labels, hold_seconds: s.hold_seconds, started_at: r.stage_started_at[i] ?? null })),
    current_stage: r.current_stage,
    max_error_rate: r.max_error_rate,
    baseline: { number: r.baseline, hash: baselineHash },
    latest,
    data_planes: fleet.map((dp) => ({
      id: dp.id,
      hostname: dp.hostname,
      labels: dp.labels,
      stage: stageOf(r.stages, dp.labels),
      reached: r.state !== 'open' || reached(r, dp.labels),
      release: dp.release,
      config_hash: dp.config_hash,
    })),
    created_at: r.created_at,
    updated_at: r.updated_at,
    ended_at: r.ended_at,
  };
}

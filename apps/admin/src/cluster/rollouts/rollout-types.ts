// The shapes of staged rollouts on the wire and in the config_rollouts table (snake_case, as every Admin API body).

export type RolloutState = 'open' | 'completed' | 'aborted';

export interface RolloutStage {
  /** Labels a data plane must all carry to belong to the stage; `{}` matches every data plane. */
  readonly labels: Readonly<Record<string, string>>;
  /** When set, the stage promotes itself this long after it started, unless the rollout was aborted. */
  readonly hold_seconds: number | null;
}

export interface Rollout {
  readonly id: string;
  readonly state: RolloutState;
  readonly stages: readonly RolloutStage[];
  /** 5xx answers / requests over which the current stage's data planes abort the rollout; null: never. */
  readonly max_error_rate: number | null;
  /** Index into `stages` of the furthest stage reached. */
  readonly current_stage: number;
  /** The release every data plane was serving when the rollout opened. */
  readonly baseline: number;
  /** Epoch seconds at which each reached stage started. */
  readonly stage_started_at: readonly number[];
  readonly reason: string | null;
  readonly created_at: number;
  readonly updated_at: number;
  readonly ended_at: number | null;
}

export interface RolloutOpenBody {
  readonly stages: readonly RolloutStage[];
  readonly max_error_rate: number | null;
}

/** Whether a data plane with `labels` belongs to `stage`. */
export function stageMatches(stage: RolloutStage, labels: Readonly<Record<string, string>>): boolean {
  return Object.entries(stage.labels).every(([k, v]) => labels[k] === v);
}

/** The first stage a data plane belongs to, or null when none does. */
export function stageOf(stages: readonly RolloutStage[], labels: Readonly<Record<string, string>>): number | null {
  const i = stages.findIndex((s) => stageMatches(s, labels));
  return i < 0 ? null : i;
}

/** Whether an open rollout has reached a data plane with `labels` (it then follows the latest release). */
export function reached(rollout: Rollout, labels: Readonly<Record<string, string>>): boolean {
  const stage = stageOf(rollout.stages, labels);
  return stage !== null && stage <= rollout.current_stage;
}

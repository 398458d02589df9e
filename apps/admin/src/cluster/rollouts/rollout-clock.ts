// Moves open rollouts along without an operator: a stage whose hold_seconds ended promotes itself. Runs on every
// control plane; the store's compare-and-set on the stage makes one of them win, the others see a no-op.
import type { RolloutStore } from './rollout-store';

export const TICK_MS = 1000;

export interface RolloutClockDeps {
  readonly store: RolloutStore;
  promoteFrom(id: string, from: number): Promise<boolean>;
  /** Checked before a promotion: a reason string aborts the rollout instead (error budget exceeded). */
  abortCondition?(rollout: import('./rollout-types').Rollout): Promise<string | null>;
  abort?(id: string, reason: string): Promise<unknown>;
  readonly log: { error(msg: string): void };
}

export class RolloutClock {
  private timer: NodeJS.Timeout | null = null;
  private running = false;

  constructor(private readonly deps: RolloutClockDeps, private readonly clock: () => number = () => Date.now()) {}

  start(): void {
    this.timer = setInterval(() => void this.tick(), TICK_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** One pass; a pass still running (slow database) is not overlapped. */
  async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const rollout = await this.deps.store.open();
      if (!rollout) return;
      const why = this.deps.abortCondition ? await this.deps.abortCondition(rollout) : null;
      if (why && this.deps.abort) {
        await this.deps.abort(rollout.id, why);
        return;
      }
      const hold = rollout.stages[rollout.current_stage]?.hold_seconds;
      const started = rollout.stage_started_at[rollout.current_stage];
      if (hold && started !== undefined && this.clock() / 1000 >= started + hold) await this.deps.promoteFrom(rollout.id, rollout.current_stage);
    } catch (err) {
      this.deps.log.error(`rollout clock: ${(err as Error).message}`);
    } finally {
      this.running = false;
    }
  }
}

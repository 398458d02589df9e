// What the cluster listener asks while a rollout is open: which release a data plane must serve. A data plane the
// rollout has reached follows the latest configuration; any other one stays pinned at the baseline release, whose
// full configuration the release store keeps. The open rollout is re-read from the database at most every
// REFRESH_MS (another control plane may have promoted it) and at once after a change on this control plane.
import { hashSnapshot, type VersionedSnapshot } from '@tollgate/declarative';
import type { ReleaseStore } from '../releases/release-store';
import type { RolloutStore } from './rollout-store';
import { reached, type Rollout } from './rollout-types';

export const REFRESH_MS = 500;
/** A hash found without a release is not looked up again for this long. */
export const MISS_TTL_MS = 250;

export interface PinnedRelease {
  readonly number: number;
  readonly snapshot: VersionedSnapshot;
}

export class RolloutPins {
  private cached: { rollout: Rollout | null; at: number } | null = null;
  private reading: Promise<Rollout | null> | null = null;
  private readonly baselines = new Map<number, Promise<PinnedRelease | null>>();
  private readonly waiters = new Set<() => void>();
  private readonly numbers = new Map<string, number>();
  /** Hashes looked up without a release, and when. */
  private readonly misses = new Map<string, number>();

  constructor(
    private readonly rollouts: RolloutStore,
    private readonly releases: ReleaseStore,
    private readonly onError: (err: unknown) => void = () => {},
  ) {}

  /** The release a data plane with `labels` must serve, or null when it follows the latest configuration. */
  async pinFor(labels: Readonly<Record<string, string>>): Promise<PinnedRelease | null> {
    const rollout = await this.openRollout();
    if (!rollout || reached(rollout, labels)) return null;
    return this.baseline(rollout.baseline);
  }

  /** The open rollout, as last read (at most REFRESH_MS old). */
  async openRollout(): Promise<Rollout | null> {
    if (this.cached && performance.now() - this.cached.at < REFRESH_MS) return this.cached.rollout;
    this.reading ??= this.rollouts.open()
      .then((rollout) => {
        const before = this.cached?.rollout;
        this.cached = { rollout, at: performance.now() };
        if (JSON.stringify(before ?? null) !== JSON.stringify(rollout)) this.wake();
        return rollout;
      })
      .catch((err: unknown) => {
        // a database hiccup must not un-pin the fleet: keep the last known state
        this.onError(err);
        return this.cached?.rollout ?? null;
      })
      .finally(() => (this.reading = null));
    return this.reading;
  }

  /** The newest release with this configuration hash; remembered once found (a release never changes). */
  async releaseOf(hash: string): Promise<number | null> {
    const known = this.numbers.get(hash);
    if (known !== undefined) return known;
    // A new configuration goes out before its release is written: the data planes pulling it within a moment of
    // each other ask once, not once each (a data plane learns the number from a later pull, RELEASE_PROBE_MS)
    const missed = this.misses.get(hash);
    if (missed !== undefined && performance.now() - missed < MISS_TTL_MS) return null;
    const found = (await this.releases.numbersByHash32([hash.slice(0, 32)]).catch(() => new Map<string, number>())).get(hash.slice(0, 32)) ?? null;
    if (found === null) {
      if (this.misses.size >= 64) this.misses.delete(this.misses.keys().next().value as string);
      this.misses.set(hash, performance.now());
    } else {
      this.misses.delete(hash);
      if (this.numbers.size >= 64) this.numbers.delete(this.numbers.keys().next().value as string);
      this.numbers.set(hash, found);
    }
    return found;
  }

  /** Forgets the cached rollout (this control plane just changed it) and wakes held pulls. */
  invalidate(): void {
    this.cached = null;
    this.wake();
  }

  /** Resolves when the rollout changed on this control plane, or after `ms` (held pulls then re-check). */
  changed(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.add(done);
    });
  }

  private wake(): void {
    for (const done of [...this.waiters]) done();
  }

  private baseline(number: number): Promise<PinnedRelease | null> {
    let entry = this.baselines.get(number);
    if (!entry) {
      entry = (async () => {
        const release = await this.releases.get(number);
        const config = await this.releases.configOf(number);
        if (!release || !config) throw new Error(`rollout baseline release ${number} is no longer stored`);
        // today's hash of the content: a release recorded before bucketed hashing carries an older form of it
        return { number, snapshot: Object.freeze({ hash: hashSnapshot(config), version: number, config }) };
      })();
      entry.catch(() => this.baselines.delete(number));
      // one baseline per rollout: older ones are not needed again
      for (const key of this.baselines.keys()) if (key !== number) this.baselines.delete(key);
      this.baselines.set(number, entry);
    }
    return entry;
  }
}

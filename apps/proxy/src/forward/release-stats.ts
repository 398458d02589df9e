// Requests served and 5xx answers (by the gateway or the upstream) per configuration hash, counted by each
// data-plane worker and reported to the control plane on its pulls: a staged rollout aborts itself on them.
// A worker counts in memory and hands its counts over as deltas; the supervisor keeps the node's totals.
import { MAX_REPORTED_HASHES, type ReleaseCounts } from '@tollgate/protocol';

export class ReleaseStatsCounter {
  private counts = new Map<string, [number, number]>();

  record(hash: string, status: number): void {
    let entry = this.counts.get(hash);
    if (!entry) this.counts.set(hash, (entry = [0, 0]));
    entry[0]++;
    if (status >= 500) entry[1]++;
  }

  /** What was counted since the last drain, or null when nothing was. */
  drain(): ReleaseCounts | null {
    if (!this.counts.size) return null;
    const out: ReleaseCounts = Object.fromEntries(this.counts);
    this.counts = new Map();
    return out;
  }
}

/** The node's totals since it started, fed with the workers' deltas. */
export class ReleaseStatsTotals {
  private readonly totals = new Map<string, [number, number]>();
  private readonly listeners = new Set<() => void>();

  add(delta: ReleaseCounts): void {
    for (const [hash, [requests, errors]] of Object.entries(delta)) {
      const entry = this.totals.get(hash) ?? [0, 0];
      this.totals.delete(hash); // re-inserted last: the map's order is recency
      this.totals.set(hash, [entry[0] + requests, entry[1] + errors]);
    }
    while (this.totals.size > MAX_REPORTED_HASHES) this.totals.delete(this.totals.keys().next().value as string);
    for (const listener of [...this.listeners]) listener();
  }

  snapshot(): ReleaseCounts {
    return Object.fromEntries([...this.totals].map(([h, c]) => [h, [c[0], c[1]]]));
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

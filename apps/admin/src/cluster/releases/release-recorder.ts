// Turns published snapshot versions into releases. The SnapshotService already coalesces bursts of writes into
// one version; the recorder writes one release per version it sees, or, while a release write is in flight, one
// for the newest version when it is done. A version is published after every write it holds was acknowledged and
// before the release is written, so a release never holds a change acknowledged after it was published.
//
// Several control planes on one database: each one rebuilds its snapshot on the others' commits. Only the control
// plane whose Admin API took the writes records at once (it knows who wrote); the others record a version only if
// it is still missing DEFER_MS later (its writer died between commit and release), and the store refuses a
// duplicate of the latest hash, so a change is recorded once.
import { DeltaComposer, type Snapshot, type SnapshotDelta, type VersionedSnapshot } from '@tollgate/declarative';
import type { ChangeEvent } from '../../persistence';
import type { ReleaseStore } from './release-store';
import type { Release, ReleaseSource } from './release-types';

export const DEFER_MS = 1000;
/**
 * Under a burst, releases are written at most this often (each is a transaction on the write path): a stream of
 * Admin API writes becomes one release per window instead of one per snapshot version. An isolated write is
 * recorded at once.
 */
export const RELEASE_INTERVAL_MS = 100;

export interface RecorderSnapshots {
  current(): VersionedSnapshot;
  subscribe(listener: (snapshot: VersionedSnapshot, origin?: { readonly base_hash: string; readonly delta: SnapshotDelta }) => void): () => void;
  settle(): Promise<VersionedSnapshot>;
}

export interface RecorderLog {
  error(obj: object, msg: string): void;
}

const UNKNOWN_ADMIN: ReleaseSource = { type: 'admin', client_ip: null, api_key: null };

/** One source for the writes of a release: the first writer's, with how many Admin API writes it coalesces. */
function mergeSources(sources: readonly ReleaseSource[]): ReleaseSource {
  const distinct = [...new Set(sources)];
  const first = distinct[0] ?? UNKNOWN_ADMIN;
  const rollback = distinct.find((s) => s.rollback_of !== undefined);
  return { ...first, ...(rollback ? { rollback_of: rollback.rollback_of } : {}), writes: distinct.length };
}

/** Row changes since the last recorded release, composed from the versions' own deltas. */
interface Accumulated {
  readonly base: string;
  head: string;
  readonly changes: DeltaComposer;
}

export class ReleaseRecorder {
  private recorded: { number: number; hash: string; config: Snapshot } | null = null;
  /** null: unknown (a full rebuild happened); the store then diffs the configurations. */
  private accumulated: Accumulated | null = null;
  /** The hash deltas are composed from: the snapshot last handed to the store (recorded or being recorded). */
  private chainBase: string | null = null;
  private sources: ReleaseSource[] = [];
  private tail: Promise<unknown> = Promise.resolve();
  private deferred: NodeJS.Timeout | null = null;
  private throttled: NodeJS.Timeout | null = null;
  private lastWrite = Number.NEGATIVE_INFINITY;
  private readonly unsubscribers: Array<() => void> = [];
  private closed = false;

  constructor(
    private readonly store: ReleaseStore,
    private readonly snapshots: RecorderSnapshots,
    private readonly changes: { onChange(listener: (event: ChangeEvent) => void): () => void },
    private readonly log: RecorderLog,
    /** DB-less: one control plane, and its `POST /config` loads bypass the Dao, so versions are recorded at once. */
    private readonly opts: { readonly deferMs?: number; readonly unattributed?: ReleaseSource } = {},
  ) {}

  /** Records the current configuration when the database's latest release is not it (first start, upgrades). */
  async start(): Promise<void> {
    this.unsubscribers.push(this.changes.onChange((event) => this.sources.push((event?.origin as ReleaseSource | undefined) ?? UNKNOWN_ADMIN)));
    this.unsubscribers.push(this.snapshots.subscribe((snapshot, origin) => {
      this.track(snapshot, origin);
      this.onVersion();
    }));
    const current = this.snapshots.current();
    const latest = await this.store.latest();
    if (latest && latest.hash === current.hash) {
      this.recorded = { ...latest, config: current.config };
      this.chainBase = current.hash;
    }
    else await this.enqueue(() => this.record({ type: 'startup' }));
  }

  /** Resolves once every version published so far is recorded (a caller that just wrote and wants its release). */
  async flush(): Promise<void> {
    await this.snapshots.settle();
    if (this.deferred) clearTimeout(this.deferred);
    if (this.throttled) clearTimeout(this.throttled);
    this.deferred = null;
    this.throttled = null;
    await this.enqueue(() => this.record());
  }

  /** Appends the current configuration even when it equals the latest release (a rollback changing nothing). */
  async recordForced(source: ReleaseSource): Promise<Release | null> {
    await this.snapshots.settle();
    return this.enqueue(() => this.record(source, true));
  }

  close(): void {
    this.closed = true;
    if (this.deferred) clearTimeout(this.deferred);
    if (this.throttled) clearTimeout(this.throttled);
    for (const unsubscribe of this.unsubscribers.splice(0)) unsubscribe();
  }

  /** Composes the version's delta onto what changed since the last release, when the chain is unbroken. */
  private track(snapshot: VersionedSnapshot, origin?: { readonly base_hash: string; readonly delta: SnapshotDelta }): void {
    const head = this.accumulated?.head ?? this.chainBase;
    if (!origin || head === null || origin.base_hash !== head) {
      this.accumulated = null;
      return;
    }
    this.accumulated ??= { base: head, head, changes: new DeltaComposer() };
    const acc = this.accumulated;
    acc.changes.add(origin.delta);
    acc.head = snapshot.hash;
  }

  private onVersion(): void {
    if (this.closed) return;
    if (this.sources.length) {
      if (this.throttled) return;
      const wait = this.lastWrite + RELEASE_INTERVAL_MS - performance.now();
      if (wait <= 0) void this.enqueue(() => this.record());
      else this.throttled = setTimeout(() => {
        this.throttled = null;
        void this.enqueue(() => this.record());
      }, wait);
      return;
    }
    this.deferred ??= setTimeout(() => {
      this.deferred = null;
      void this.enqueue(() => this.record(this.opts.unattributed));
    }, this.opts.deferMs ?? DEFER_MS);
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = this.tail.then(task, task);
    this.tail = run.catch((err: unknown) => this.log.error({ err }, 'recording a config release failed'));
    return run;
  }

  private async record(source?: ReleaseSource, force = false): Promise<Release | null> {
    const snapshot = this.snapshots.current();
    if (!force && this.recorded?.hash === snapshot.hash) return null;
    const sources = this.sources;
    this.sources = [];
    this.lastWrite = performance.now();
    const acc = this.accumulated;
    const known = acc && this.recorded && acc.base === this.recorded.hash && acc.head === snapshot.hash;
    // versions published while the store writes build on this snapshot: compose them from it
    this.chainBase = snapshot.hash;
    this.accumulated = null;
    const release = await this.store.append({
      hash: snapshot.hash,
      config: snapshot.config,
      source: source && !sources.length ? source : source ? { ...mergeSources(sources), ...source } : mergeSources(sources),
      base: this.recorded ?? undefined,
      delta: known ? acc!.changes.toDelta() : undefined,
      force,
    });
    if (release) this.recorded = { number: release.number, hash: release.hash, config: snapshot.config };
    else {
      const latest = await this.store.latest();
      this.recorded = latest && latest.hash === snapshot.hash ? { ...latest, config: snapshot.config } : null;
    }
    return release;
  }
}

import type { Row, Snapshot, VersionedSnapshot } from '../../../../libs/declarative/src/snapshot';
// Same hash the data planes compute for declarative files: equal content, equal hash, whatever the row order.
import { hashSnapshot } from '../../../../libs/declarative/src/canonical-json';
import { mergeSorted, type SnapshotDelta } from '../../../../libs/declarative/src/delta';

/** One committed row change, as the Dao reports it (cascades report one per row). */
export interface SnapshotChange {
  readonly entity: string;
  readonly id: string;
}

/** What the snapshot needs from persistence (the Dao satisfies it). */
export interface SnapshotSource {
  exportAll(): Promise<Snapshot>;
  /** A listener called without a change (or a source without `readRows`) means "anything may have changed". */
  onChange(listener: (change?: SnapshotChange) => void): (() => void) | void;
  /** The committed rows with these ids, in export shape; an id not returned was deleted. Enables incremental builds. */
  readRows?(entity: string, ids: readonly string[]): Promise<ReadonlyArray<Readonly<Record<string, unknown>>>>;
}

// What a published version carries besides itself: the delta from the one before (libs/protocol).
import type { SnapshotListener } from '@tollgate/protocol';
export type { SnapshotListener, SnapshotOrigin } from '@tollgate/protocol';

/**
 * Writes landing within this window of the previous build become one version (bulk imports would otherwise
 * rebuild per row). A write after an idle window is built at once (next turn of the event loop, so the rows of one
 * transaction or cascade still land together): coalescing costs latency only under bursts.
 */
export const COALESCE_MS = 10;

/**
 * The current configuration as a VersionedSnapshot, kept in memory. After the first full export, each version is
 * the previous one with the changed rows re-read (the Dao's change events name them): unchanged rows and
 * collections stay the same objects, so hashing and diffing cost only what changed. A full export happens at
 * start, on `invalidate()` (another control plane wrote) and after a failed build. Changes are coalesced; the
 * version increases only when the content hash changes. Feeds local data-plane workers and the cluster long-poll.
 */
export class SnapshotService {
  private snapshot: VersionedSnapshot = { hash: '', version: 0, config: { _format_version: '3.0' } };
  private readonly listeners = new Set<SnapshotListener>();
  private timer: NodeJS.Timeout | null = null;
  private immediate: NodeJS.Immediate | null = null;
  private lastBuildEnd = Number.NEGATIVE_INFINITY;
  private building: Promise<void> | null = null;
  private dirtyWhileBuilding = false;
  private needFull = true;
  private pending = new Map<string, Set<string>>();
  private unsubscribe: (() => void) | void = undefined;
  private closed = false;

  constructor(private readonly source: SnapshotSource, private readonly onError: (err: unknown) => void = () => {}) {}

  /** Builds the first version and starts following changes. */
  async start(): Promise<VersionedSnapshot> {
    this.unsubscribe = this.source.onChange((change) => this.record(change));
    await this.rebuild();
    return this.snapshot;
  }

  current(): VersionedSnapshot {
    return this.snapshot;
  }

  /** Resolves with the current snapshot as soon as its hash differs from `hash`, or null after `timeoutMs`. */
  waitForNewer(hash: string, timeoutMs: number): Promise<VersionedSnapshot | null> {
    if (this.snapshot.hash !== hash && this.snapshot.version > 0) return Promise.resolve(this.snapshot);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.listeners.delete(listener);
        resolve(null);
      }, timeoutMs);
      const listener: SnapshotListener = (snapshot) => {
        if (snapshot.hash === hash) return;
        clearTimeout(timer);
        this.listeners.delete(listener);
        resolve(snapshot);
      };
      this.listeners.add(listener);
    });
  }

  /** Called with every new version; returns the unsubscribe function. */
  subscribe(listener: SnapshotListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Rebuilds from a full export soon (coalesced): for changes this node heard of without row ids. */
  invalidate(): void {
    this.needFull = true;
    this.schedule();
  }

  /** Resolves once pending changes are reflected in `current()` (tests, and callers that just wrote). */
  async settle(): Promise<VersionedSnapshot> {
    while (this.timer || this.immediate || this.building) {
      if (this.timer || this.immediate) {
        this.cancelScheduled();
        await this.rebuild();
      } else await this.building;
    }
    return this.snapshot;
  }

  close(): void {
    this.closed = true;
    this.cancelScheduled();
    if (typeof this.unsubscribe === 'function') this.unsubscribe();
    this.listeners.clear();
  }

  private record(change: SnapshotChange | undefined): void {
    if (!change || typeof change.entity !== 'string' || typeof change.id !== 'string' || !this.source.readRows) {
      this.needFull = true;
    } else {
      let ids = this.pending.get(change.entity);
      if (!ids) this.pending.set(change.entity, (ids = new Set()));
      ids.add(change.id);
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.closed) return;
    if (this.building) {
      this.dirtyWhileBuilding = true;
      return;
    }
    if (this.timer || this.immediate) return;
    const sinceLastBuild = performance.now() - this.lastBuildEnd;
    if (sinceLastBuild >= COALESCE_MS) {
      // leading edge: the first write after a quiet period is not held back
      this.immediate = setImmediate(() => {
        this.immediate = null;
        void this.rebuild();
      });
      return;
    }
    // trailing edge of a burst: whatever lands until the window ends becomes one version
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.rebuild();
    }, Math.max(1, Math.ceil(COALESCE_MS - sinceLastBuild)));
  }

  private cancelScheduled(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = null;
    this.immediate = null;
  }

  private rebuild(): Promise<void> {
    if (this.building) return this.building;
    this.building = (async () => {
      // taken before the first await: changes recorded while this build reads belong to the next one
      const full = this.needFull || this.snapshot.version === 0;
      const changes = this.pending;
      this.pending = new Map();
      this.needFull = false;
      try {
        if (full) this.publish(await this.source.exportAll());
        else {
          const built = await this.applyChanges(this.snapshot.config, changes);
          this.publish(built.config, built.delta);
        }
      } catch (err) {
        this.needFull = true; // what was lost is unknown: the next build starts over
        this.onError(err);
      } finally {
        this.building = null;
        this.lastBuildEnd = performance.now();
        if (this.dirtyWhileBuilding) {
          this.dirtyWhileBuilding = false;
          this.schedule();
        }
      }
    })();
    return this.building;
  }

  /**
   * The previous config with the changed rows re-read; collections keep rows sorted by id, as exports do. The
   * delta (re-read rows as upserts, vanished ids as deletes; deleting an absent id is a no-op) is what
   * applyDelta needs to take the previous config to this one.
   */
  private async applyChanges(config: Snapshot, changes: ReadonlyMap<string, ReadonlySet<string>>): Promise<{ config: Snapshot; delta: SnapshotDelta }> {
    const out: Record<string, unknown> = { ...config };
    const upserts: Record<string, Row[]> = {};
    const deletes: Record<string, string[]> = {};
    for (const [entity, ids] of changes) {
      const wanted = [...ids];
      const rows = await this.source.readRows!(entity, wanted);
      const byId = new Map<string, Row | null>(wanted.map((id) => [id, null]));
      for (const row of rows) byId.set(String(row.id), row as Row);
      const previous = (out[entity] as readonly Row[] | undefined) ?? [];
      out[entity] = mergeSorted(previous, byId);
      if (rows.length) upserts[entity] = rows as Row[];
      const gone = wanted.filter((id) => byId.get(id) === null);
      if (gone.length) deletes[entity] = gone;
    }
    return { config: out as unknown as Snapshot, delta: { upserts, deletes } };
  }

  private publish(config: Snapshot, delta?: SnapshotDelta): void {
    const hash = hashSnapshot(config);
    if (hash === this.snapshot.hash) return;
    const origin = delta && this.snapshot.version > 0 ? { base_hash: this.snapshot.hash, delta } : undefined;
    this.snapshot = Object.freeze({ hash, version: this.snapshot.version + 1, config });
    for (const listener of [...this.listeners]) listener(this.snapshot, origin);
  }
}

import type { Row, Snapshot, VersionedSnapshot } from '../../../../libs/declarative/src/snapshot';
// Same hash the data planes compute for declarative files: equal content, equal hash, whatever the row order.
import { hashSnapshot } from '../../../../libs/declarative/src/canonical-json';
import { mergeSorted } from '../../../../libs/declarative/src/delta';

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

export type SnapshotListener = (snapshot: VersionedSnapshot) => void;

/** Writes landing within this window become one version (bulk imports would otherwise rebuild per row). */
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
    while (this.timer || this.building) {
      if (this.timer) {
        clearTimeout(this.timer);
        this.timer = null;
        await this.rebuild();
      } else await this.building;
    }
    return this.snapshot;
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
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
    this.timer ??= setTimeout(() => {
      this.timer = null;
      void this.rebuild();
    }, COALESCE_MS);
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
        const config = full ? await this.source.exportAll() : await this.applyChanges(this.snapshot.config, changes);
        this.publish(config);
      } catch (err) {
        this.needFull = true; // what was lost is unknown: the next build starts over
        this.onError(err);
      } finally {
        this.building = null;
        if (this.dirtyWhileBuilding) {
          this.dirtyWhileBuilding = false;
          this.schedule();
        }
      }
    })();
    return this.building;
  }

  /** The previous config with the changed rows re-read; collections keep rows sorted by id, as exports do. */
  private async applyChanges(config: Snapshot, changes: ReadonlyMap<string, ReadonlySet<string>>): Promise<Snapshot> {
    const out: Record<string, unknown> = { ...config };
    for (const [entity, ids] of changes) {
      const wanted = [...ids];
      const rows = await this.source.readRows!(entity, wanted);
      const byId = new Map<string, Row | null>(wanted.map((id) => [id, null]));
      for (const row of rows) byId.set(String(row.id), row as Row);
      const previous = (out[entity] as readonly Row[] | undefined) ?? [];
      out[entity] = mergeSorted(previous, byId);
    }
    return out as unknown as Snapshot;
  }

  private publish(config: Snapshot): void {
    const hash = hashSnapshot(config);
    if (hash === this.snapshot.hash) return;
    this.snapshot = Object.freeze({ hash, version: this.snapshot.version + 1, config });
    for (const listener of [...this.listeners]) listener(this.snapshot);
  }
}

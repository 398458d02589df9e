import type { Snapshot, VersionedSnapshot } from '../../../../libs/declarative/src/snapshot';
// Same hash the data planes compute for declarative files: equal content, equal hash, whatever the row order.
import { hashSnapshot } from '../../../../libs/declarative/src/canonical-json';

/** What the snapshot needs from persistence (the Dao satisfies it). */
export interface SnapshotSource {
  exportAll(): Promise<Snapshot>;
  onChange(listener: () => void): (() => void) | void;
}

export type SnapshotListener = (snapshot: VersionedSnapshot) => void;

/** Writes landing within this window become one version (bulk imports would otherwise rebuild per row). */
export const COALESCE_MS = 10;

/**
 * The current configuration as a VersionedSnapshot. Rebuilt from the database after change events, coalesced;
 * the version increases only when the content hash changes. Feeds local data-plane workers and the cluster
 * long-poll (`waitForNewer`).
 */
export class SnapshotService {
  private snapshot: VersionedSnapshot = { hash: '', version: 0, config: { _format_version: '3.0' } };
  private readonly listeners = new Set<SnapshotListener>();
  private timer: NodeJS.Timeout | null = null;
  private building: Promise<void> | null = null;
  private dirtyWhileBuilding = false;
  private unsubscribe: (() => void) | void = undefined;
  private closed = false;

  constructor(private readonly source: SnapshotSource, private readonly onError: (err: unknown) => void = () => {}) {}

  /** Builds the first version and starts following changes. */
  async start(): Promise<VersionedSnapshot> {
    this.unsubscribe = this.source.onChange(() => this.schedule());
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
      try {
        const config = await this.source.exportAll();
        this.publish(config);
      } catch (err) {
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

  private publish(config: Snapshot): void {
    const hash = hashSnapshot(config);
    if (hash === this.snapshot.hash) return;
    this.snapshot = Object.freeze({ hash, version: this.snapshot.version + 1, config });
    for (const listener of [...this.listeners]) listener(this.snapshot);
  }
}

import type { Row, Snapshot } from '../../../../libs/declarative/src/snapshot';
import { hashSnapshot } from '../../../../libs/declarative/src/canonical-json';
import { applyDelta } from '../../../../libs/declarative/src/delta';
import type { VersionedSnapshot } from '../../../../libs/declarative/src/snapshot';
import { COALESCE_MS, SnapshotService, type SnapshotChange, type SnapshotOrigin, type SnapshotSource } from './snapshot.service';

/** A store reporting row-level changes, like the Dao: exports are counted, row reads recorded. */
class RowSource implements SnapshotSource {
  exports = 0;
  reads: Array<[string, string[]]> = [];
  readonly tables = new Map<string, Map<string, Row>>([['services', new Map()], ['routes', new Map()]]);
  private listeners = new Set<(change?: SnapshotChange) => void>();

  async exportAll(): Promise<Snapshot> {
    this.exports += 1;
    const out: Record<string, unknown> = { _format_version: '3.0' };
    for (const [name, rows] of this.tables) out[name] = [...rows.values()].sort((a, b) => (a.id < b.id ? -1 : 1)).map((r) => ({ ...r }));
    return out as unknown as Snapshot;
  }

  async readRows(entity: string, ids: readonly string[]): Promise<Row[]> {
    this.reads.push([entity, [...ids]]);
    const table = this.tables.get(entity)!;
    return ids.filter((id) => table.has(id)).map((id) => ({ ...table.get(id)! }));
  }

  onChange(listener: (change?: SnapshotChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  put(entity: string, row: Row): void {
    this.tables.get(entity)!.set(row.id, row);
    for (const l of this.listeners) l({ entity, id: row.id });
  }

  remove(entity: string, id: string): void {
    this.tables.get(entity)!.delete(id);
    for (const l of this.listeners) l({ entity, id });
  }

  /** A write this node learns about without row ids (another control plane). */
  silently(entity: string, row: Row): void {
    this.tables.get(entity)!.set(row.id, row);
  }
}

const route = (n: number, extra: Record<string, unknown> = {}): Row => ({ id: `r-${String(n).padStart(4, '0')}`, name: `route${n}`, ...extra });

describe('SnapshotService, incremental', () => {
  let source: RowSource;
  let service: SnapshotService;

  beforeEach(async () => {
    source = new RowSource();
    for (let i = 0; i < 50; i++) source.silently('routes', route(i * 2));
    service = new SnapshotService(source);
    await service.start();
  });
  afterEach(() => service.close());

  it('applies creates, updates and deletes by reading only the changed rows, keeping rows sorted by id', async () => {
    const before = service.current();
    source.put('routes', route(7));
    source.put('routes', route(10, { name: 'renamed' }));
    source.remove('routes', route(20).id);
    const after = await service.settle();
    expect(source.exports).toBe(1);
    expect(source.reads).toEqual([['routes', [route(7).id, route(10).id, route(20).id]]]);
    expect(after.version).toBe(before.version + 1);
    const ids = (after.config.routes ?? []).map((r) => r.id);
    expect(ids).toEqual([...ids].sort());
    expect(ids).toContain(route(7).id);
    expect(ids).not.toContain(route(20).id);
    expect((after.config.routes ?? []).find((r) => r.id === route(10).id)?.name).toBe('renamed');
    // the incremental result is exactly what a full export would give
    expect(after.config).toEqual(await source.exportAll());
    expect(after.hash).toBe(hashSnapshot(await source.exportAll()));
  });

  it('keeps unchanged rows and untouched collections as the same objects', async () => {
    const before = service.current();
    source.put('routes', route(1));
    const after = await service.settle();
    expect(after.config.services).toBe(before.config.services);
    const kept = (after.config.routes ?? []).find((r) => r.id === route(0).id);
    expect(kept).toBe((before.config.routes ?? []).find((r) => r.id === route(0).id));
  });

  it('a change that leaves the content equal keeps the version', async () => {
    const before = service.current();
    source.put('routes', route(4));
    expect(await service.settle()).toBe(before);
  });

  it('invalidate() rebuilds from a full export (changes heard of without row ids)', async () => {
    source.silently('services', { id: 's-1', name: 'svc' });
    expect(await service.settle()).toBe(service.current());
    expect(service.current().config.services).toEqual([]);
    service.invalidate();
    const after = await service.settle();
    expect(source.exports).toBe(2);
    expect(after.config.services).toEqual([{ id: 's-1', name: 'svc' }]);
  });

  it('rebuilds in full after a failed incremental read', async () => {
    const errors: unknown[] = [];
    const failing = new SnapshotService(source, (err) => errors.push(err));
    await failing.start();
    const read = source.readRows.bind(source);
    source.readRows = async () => { throw new Error('database gone'); };
    source.put('routes', route(3));
    await failing.settle();
    expect(errors).toHaveLength(1);
    source.readRows = read;
    source.put('routes', route(5));
    const after = await failing.settle();
    expect(source.exports).toBe(3); // start of each service, then the recovery
    expect(after.config).toEqual(await source.exportAll());
    failing.close();
  });

  it('hands each incremental version to subscribers with the delta from the version before it', async () => {
    const seen: Array<[VersionedSnapshot, SnapshotOrigin | undefined]> = [];
    service.subscribe((snapshot, origin) => seen.push([snapshot, origin]));
    const before = service.current();
    source.put('routes', route(1)); // create
    source.put('routes', route(2, { name: 'renamed' })); // update
    source.remove('routes', route(4).id); // delete
    source.remove('routes', 'r-9999'); // never existed: nothing to delete
    const after = await service.settle();
    expect(seen).toHaveLength(1);
    const [snapshot, origin] = seen[0];
    expect(snapshot).toBe(after);
    expect(origin?.base_hash).toBe(before.hash);
    expect(origin?.delta.upserts).toEqual({ routes: [route(1), route(2, { name: 'renamed' })] });
    expect(origin?.delta.deletes).toEqual({ routes: ['r-0004', 'r-9999'] });
    expect(hashSnapshot(applyDelta(before.config, origin!.delta))).toBe(after.hash);

    service.invalidate(); // a full export has no delta to offer
    source.silently('routes', route(7));
    await service.settle();
    expect(seen).toHaveLength(2);
    expect(seen[1][1]).toBeUndefined();
  });
});

describe('SnapshotService, coalescing', () => {
  const turns = async (n: number) => { for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r)); };

  it('builds a write after a quiet period at once and coalesces the burst behind it into one version', async () => {
    // timers (and performance.now) are fake: nothing waits on the clock unless the test advances it
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
    const source = new RowSource();
    const service = new SnapshotService(source);
    try {
      await service.start();
      jest.advanceTimersByTime(COALESCE_MS); // quiet since the first build
      const versions: VersionedSnapshot[] = [];
      service.subscribe((s) => versions.push(s));

      source.put('routes', route(1));
      for (let i = 0; i < 100 && versions.length === 0; i++) await turns(1);
      expect(versions.map((v) => v.version)).toEqual([2]); // leading edge: no window to wait for

      source.put('routes', route(2));
      source.put('routes', route(3));
      await turns(20);
      expect(versions).toHaveLength(1); // within the window of the last build: held back

      jest.advanceTimersByTime(COALESCE_MS);
      for (let i = 0; i < 100 && versions.length === 1; i++) await turns(1);
      expect(versions.map((v) => v.version)).toEqual([2, 3]);
      expect((versions[1].config as unknown as { routes: Row[] }).routes.map((r) => r.id)).toEqual(['r-0001', 'r-0002', 'r-0003']);
    } finally {
      service.close();
      jest.useRealTimers();
    }
  });
});

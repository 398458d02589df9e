import type { Snapshot } from '../../../../libs/declarative/src/snapshot';
import { SnapshotService, type SnapshotSource } from './snapshot.service';

/** An in-memory configuration with Dao-like change events. */
class MemorySource implements SnapshotSource {
  exports = 0;
  private services: Array<{ id: string; name: string }> = [];
  private listeners = new Set<() => void>();

  async exportAll(): Promise<Snapshot> {
    this.exports += 1;
    return { _format_version: '3.0', services: this.services.map((s) => ({ ...s })) as never };
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  write(id: string, name: string): void {
    this.services = [...this.services.filter((s) => s.id !== id), { id, name }];
    for (const l of this.listeners) l();
  }
}

async function until(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setImmediate(r));
  }
}

describe('SnapshotService', () => {
  test('starts at version 1 with the sha256 hex of the export', async () => {
    const service = new SnapshotService(new MemorySource());
    const first = await service.start();
    expect(first.version).toBe(1);
    expect(first.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(first.config).toEqual({ _format_version: '3.0', services: [] });
    service.close();
  });

  test('writes in one burst become one new version', async () => {
    const source = new MemorySource();
    const service = new SnapshotService(source);
    await service.start();
    const seen: number[] = [];
    service.subscribe((s) => seen.push(s.version));
    for (let i = 0; i < 20; i++) source.write(`id-${i}`, `svc-${i}`);
    await until(() => seen.length > 0);
    expect(seen).toEqual([2]);
    expect(source.exports).toBe(2);
    expect((service.current().config.services ?? []).length).toBe(20);
    service.close();
  });

  test('an event that changes nothing keeps the version', async () => {
    const source = new MemorySource();
    const service = new SnapshotService(source);
    await service.start();
    source.write('a', 'x');
    const v2 = await service.settle();
    source.write('a', 'x');
    const again = await service.settle();
    expect(again).toBe(v2);
    expect(source.exports).toBe(3);
    service.close();
  });

  test('waitForNewer resolves at once when behind, on the next version when current, null on timeout', async () => {
    const source = new MemorySource();
    const service = new SnapshotService(source);
    const first = await service.start();
    expect(await service.waitForNewer('stale', 1000)).toBe(first);
    const pending = service.waitForNewer(first.hash, 5000);
    source.write('b', 'y');
    const newer = await pending;
    expect(newer?.version).toBe(2);
    expect(newer?.hash).not.toBe(first.hash);
    expect(await service.waitForNewer(newer!.hash, 20)).toBeNull();
    service.close();
  });

  test('equal content hashes equally whatever the row order', async () => {
    const a = new MemorySource();
    a.write('1', 'one');
    a.write('2', 'two');
    const b = new MemorySource();
    b.write('2', 'two');
    b.write('1', 'one');
    const [sa, sb] = [new SnapshotService(a), new SnapshotService(b)];
    expect((await sa.start()).hash).toBe((await sb.start()).hash);
    sa.close();
    sb.close();
  });
});

import request from 'supertest';
import { startTestControlPlane, type RunningControlPlane } from './control-plane';

let cp: RunningControlPlane;
beforeAll(async () => {
  cp = await startTestControlPlane();
});
afterAll(() => cp.stop());

describe('configuration snapshots (cluster/)', () => {
  test('the first version reflects the empty database', () => {
    const first = cp.handle.snapshots.current();
    expect(first.version).toBe(1);
    expect(first.config._format_version).toBe('3.0');
    expect(first.config.services).toEqual([]);
  });

  test('an Admin API write produces a newer version carrying the entity exactly as the API returns it', async () => {
    const before = cp.handle.snapshots.current();
    const waiting = cp.handle.snapshots.waitForNewer(before.hash, 5000);
    const created = await request(cp.url).post('/services').send({ name: 'snap', host: 'snap.test' });
    const next = await waiting;
    expect(next).not.toBeNull();
    expect(next!.version).toBe(before.version + 1);
    expect(next!.config.services).toEqual([created.body]);
  });

  test('a bulk of writes arriving together is coalesced', async () => {
    const before = cp.handle.snapshots.current();
    const versions: number[] = [];
    const unsubscribe = cp.handle.snapshots.subscribe((s) => versions.push(s.version));
    await Promise.all(Array.from({ length: 20 }, (_, i) => request(cp.url).post('/consumers').send({ username: `bulk-${i}` })));
    const last = await cp.handle.snapshots.settle();
    unsubscribe();
    expect(last.config.consumers).toHaveLength(20);
    expect(last.version - before.version).toBeLessThan(20);
    expect(versions[versions.length - 1]).toBe(last.version);
  });
});

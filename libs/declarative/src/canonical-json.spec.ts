// The content hash is derived per change (a hashed collection's buckets copied, the changed rows' buckets redone):
// whatever the changes, it must equal the hash of the same content computed from scratch.
import { hashSnapshot, legacyHashSnapshot } from './canonical-json';
import { applyDelta, mergeSorted } from './delta';
import type { Row, Snapshot } from './snapshot';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const row = (n: number, v: number): Row => ({ id: id(n), name: `r${n}`, paths: [`/p${n}/${v}`], tags: null });
/** The same content in new objects: nothing cached for it. */
const copy = (config: Snapshot): Snapshot => JSON.parse(JSON.stringify(config)) as Snapshot;

describe('hashSnapshot derived change by change', () => {
  it.each([1, 2, 3])('equals a from-scratch hash after random deltas (seed %i)', (seed) => {
    const next = rng(seed);
    let config: Snapshot = { _format_version: '3.0', routes: Array.from({ length: 600 }, (_, n) => row(n * 2, 0)) as never, services: [row(1, 0)] as never };
    expect(hashSnapshot(config)).toBe(hashSnapshot(copy(config)));
    for (let step = 0; step < 60; step++) {
      const upserts: Row[] = [];
      const deletes: string[] = [];
      for (let k = Math.floor(next() * 6); k >= 0; k--) {
        const n = Math.floor(next() * 1400);
        if (next() < 0.3) deletes.push(id(n));
        else upserts.push(row(n, step));
      }
      config = applyDelta(config, { upserts: { routes: upserts }, deletes: { routes: deletes } });
      expect([step, hashSnapshot(config)]).toEqual([step, hashSnapshot(copy(config))]);
    }
  });

  it('is independent of row order and of the path a version took', () => {
    const rows = Array.from({ length: 50 }, (_, n) => row(n, 0));
    const a = mergeSorted(rows, new Map([[id(3), row(3, 1)], [id(70), row(70, 0)], [id(4), null]]));
    hashSnapshot({ _format_version: '3.0', routes: rows as never });
    const b = mergeSorted(rows, new Map([[id(3), row(3, 1)], [id(70), row(70, 0)], [id(4), null]]));
    const shuffled = [...b].reverse();
    const h = (r: readonly Row[]) => hashSnapshot({ _format_version: '3.0', routes: r as never });
    expect(h(a)).toBe(h(b));
    expect(h(shuffled)).toBe(h(b));
    expect(h(b)).not.toBe(h(rows));
  });

  it('changes when any row changes, and not otherwise', () => {
    const base: Snapshot = { _format_version: '3.0', routes: Array.from({ length: 300 }, (_, n) => row(n, 0)) as never };
    const h = hashSnapshot(base);
    expect(hashSnapshot(applyDelta(base, { upserts: { routes: [row(7, 0)] }, deletes: {} }))).toBe(h);
    expect(hashSnapshot(applyDelta(base, { upserts: { routes: [row(7, 1)] }, deletes: {} }))).not.toBe(h);
    expect(hashSnapshot(applyDelta(base, { upserts: {}, deletes: { routes: [id(299)] } }))).not.toBe(h);
  });

  it('keeps the earlier form available for content recorded with it', () => {
    const config: Snapshot = { _format_version: '3.0', routes: [row(2, 0), row(1, 0)] as never };
    expect(legacyHashSnapshot(config)).toMatch(/^[0-9a-f]{64}$/);
    expect(legacyHashSnapshot(config)).not.toBe(hashSnapshot(config));
    expect(legacyHashSnapshot(copy(config))).toBe(legacyHashSnapshot(config));
  });
});

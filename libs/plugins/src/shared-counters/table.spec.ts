// The counter table's contract, on tables that share one buffer as the workers of a node share one file.
import { CounterTable, MULTIPLIER_A, MULTIPLIER_B, SEED_A, SEED_B, hashPart, hashPartPair, tableBytes } from './table';

const NOW = 1000;

describe('CounterTable', () => {
  it('two tables on the same memory (two workers) find the same counter for a key', () => {
    const buffer = new ArrayBuffer(tableBytes(64));
    const a = new CounterTable(buffer);
    const b = new CounterTable(buffer);
    const cell = a.cell(11, 22, NOW + 60, NOW);
    Atomics.add(a.cells, cell, 5);
    expect(b.cell(11, 22, NOW + 60, NOW)).toBe(cell);
    expect(Atomics.load(b.cells, cell)).toBe(5);
    expect(b.cell(11, 23, NOW + 60, NOW)).not.toBe(cell);
  });

  it('reuses the slot of a key whose window ended (after the grace), with a zero count', () => {
    const t = new CounterTable(new ArrayBuffer(tableBytes(1)));
    const old = t.cell(1, 1, NOW, NOW - 30);
    Atomics.add(t.cells, old, 3);
    expect(t.cell(2, 2, NOW + 60, NOW + 10)).toBe(old);
    expect(Atomics.load(t.cells, old)).toBe(0);
  });

  it('keeps live keys while a free slot is left, and evicts the one expiring first when the probe window is full', () => {
    const t = new CounterTable(new ArrayBuffer(tableBytes(2)));
    const soon = t.cell(0, 0, NOW + 10, NOW);
    const later = t.cell(1, 0, NOW + 600, NOW);
    expect(later).not.toBe(soon);
    expect(t.cell(0, 0, NOW + 10, NOW)).toBe(soon);
    expect(t.cell(0, 9, NOW + 60, NOW)).toBe(soon);
    expect(t.cell(1, 0, NOW + 600, NOW)).toBe(later);
  });

  it('refuses memory that is not a power-of-two table', () => {
    expect(() => new CounterTable(new ArrayBuffer(tableBytes(3)))).toThrow('power-of-two');
  });

  it.each(['', 'a', '40000000-0000-4000-8000-000000000063', '127.0.0.1', 'caf\u00e9 \u2603'])('hashPartPair(%j) is hashPart into each hash (the keys workers already use)', (part) => {
    const pair = Int32Array.of(SEED_A, SEED_B);
    hashPartPair(pair, part);
    expect([pair[0], pair[1]]).toEqual([hashPart(SEED_A, part, MULTIPLIER_A), hashPart(SEED_B, part, MULTIPLIER_B)]);
    hashPartPair(pair, part); // chained, as a key of several parts
    expect([pair[0], pair[1]]).toEqual([
      hashPart(hashPart(SEED_A, part, MULTIPLIER_A), part, MULTIPLIER_A),
      hashPart(hashPart(SEED_B, part, MULTIPLIER_B), part, MULTIPLIER_B),
    ]);
  });
});

// The counter table's contract, on tables that share one buffer as the workers of a node share one file.
import { CounterTable, tableBytes } from './table';

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
});

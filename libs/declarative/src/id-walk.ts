// One walk of two row lists kept in id order (exports, and versions built from them by deltas). Versions share
// their unchanged rows, so a row that is the same object costs one identity check; ids are compared only where the
// lists differ. Used by the control plane's snapshot diff and the data plane's incremental route compile.

interface IdRow {
  readonly id: string;
}

const sortedById = new WeakSet<readonly IdRow[]>();

/** True when the ids strictly increase; remembered per array, which versions never mutate. */
export function isSortedById(rows: readonly IdRow[]): boolean {
  if (sortedById.has(rows)) return true;
  for (let i = 1; i < rows.length; i++) if (!(rows[i - 1].id < rows[i].id)) return false;
  sortedById.add(rows);
  return true;
}

/** Records an array the caller proved to be in id order. */
export function markSortedById(rows: readonly IdRow[]): void {
  sortedById.add(rows);
}

export interface IdWalkVisitor<T extends IdRow> {
  /** A row of `before` with no row of that id in `after`. */
  removed(row: T): void;
  /** A row of `after` with no row of that id in `before`; `at` is its index in `after`. */
  added(row: T, at: number): void;
  /** Two different objects with one id. */
  replaced(before: T, after: T, at: number): void;
}

/** Visits every difference between two lists in id order (the caller checks the order). */
export function walkById<T extends IdRow>(before: readonly T[], after: readonly T[], visit: IdWalkVisitor<T>): void {
  let i = 0;
  let j = 0;
  while (i < before.length && j < after.length) {
    const a = before[i];
    const b = after[j];
    if (a === b) {
      i++;
      j++;
    } else if (a.id === b.id) {
      visit.replaced(a, b, j);
      i++;
      j++;
    } else if (a.id < b.id) {
      visit.removed(a);
      i++;
    } else {
      visit.added(b, j);
      j++;
    }
  }
  for (; i < before.length; i++) visit.removed(before[i]);
  for (; j < after.length; j++) visit.added(after[j], j);
}

// Snapshot deltas for data planes that already hold a version: per collection, rows to upsert and ids to
// delete. O(n) with maps; a one-route change on 10,000 routes is one row. A collection that is the same array in
// both versions is skipped, and rows that are the same object are never serialised: versions built from one
// another (control plane, data plane) share unchanged rows, so a diff costs its changed rows and a map walk.
import { ENTITIES } from '@tollgate/schema';
import type { Row, Snapshot } from './snapshot';
import { noteDerivedCollection, rowDigest } from './canonical-json';
import { isSortedById, markSortedById, walkById } from './id-walk';

export interface SnapshotDelta {
  readonly upserts: Readonly<Record<string, readonly Row[]>>;
  readonly deletes: Readonly<Record<string, readonly string[]>>;
}

type Collections = Record<string, readonly Row[] | undefined>;

function collectionNames(a: Collections, b: Collections): string[] {
  const names = new Set<string>();
  for (const source of [a, b]) for (const key of Object.keys(source)) if (Array.isArray(source[key])) names.add(key);
  return [...names];
}

export function diffSnapshots(prev: Snapshot, next: Snapshot): SnapshotDelta {
  const before = prev as unknown as Collections;
  const after = next as unknown as Collections;
  const upserts: Record<string, Row[]> = {};
  const deletes: Record<string, string[]> = {};
  for (const name of collectionNames(before, after)) {
    if (before[name] === after[name]) continue;
    if (diffSorted(before[name] ?? [], after[name] ?? [], name, upserts, deletes)) continue;
    const old = new Map<string, Row>();
    for (const row of before[name] ?? []) old.set(row.id, row);
    const changed: Row[] = [];
    for (const row of after[name] ?? []) {
      const previous = old.get(row.id);
      old.delete(row.id);
      if (previous !== row && (!previous || rowDigest(previous) !== rowDigest(row))) changed.push(row);
    }
    if (changed.length) upserts[name] = changed;
    if (old.size) deletes[name] = [...old.keys()];
  }
  return { upserts, deletes };
}

/**
 * The diff of two collections in id order (exports, and versions built from them, keep that order): a walk of both
 * that compares ids only where the rows are not the same object, so versions sharing their unchanged rows cost an
 * identity check per row. False (nothing recorded) when either is not in id order.
 */
function diffSorted(before: readonly Row[], after: readonly Row[], name: string, upserts: Record<string, Row[]>, deletes: Record<string, string[]>): boolean {
  if (!isSortedById(before) || !isSortedById(after)) return false;
  const changed: Row[] = [];
  const gone: string[] = [];
  walkById(before, after, {
    removed: (a) => gone.push(a.id),
    added: (b) => changed.push(b),
    replaced: (a, b) => {
      if (rowDigest(a) !== rowDigest(b)) changed.push(b);
    },
  });
  if (changed.length) upserts[name] = changed;
  if (gone.length) deletes[name] = gone;
  return true;
}

export function isEmptyDelta(delta: SnapshotDelta): boolean {
  return Object.keys(delta.upserts).length === 0 && Object.keys(delta.deletes).length === 0;
}

/**
 * prev with the delta applied. Never mutates prev; untouched collections stay the same arrays and untouched rows
 * the same objects. A collection sorted by id (every export is) stays sorted, new rows merged in place;
 * otherwise rows keep prev's order and new rows are appended.
 */
export function applyDelta(prev: Snapshot, delta: SnapshotDelta): Snapshot {
  const before = prev as unknown as Collections;
  const out: Record<string, unknown> = { ...prev, _format_version: '3.0' };
  const names = new Set([...Object.keys(delta.upserts), ...Object.keys(delta.deletes)]);
  for (const name of names) {
    const rows = applyToCollection(before[name] ?? [], delta.upserts[name] ?? [], delta.deletes[name] ?? []);
    if (rows.length) out[name] = rows;
    else delete out[name];
  }
  return out as unknown as Snapshot;
}

/**
 * Deltas composed in order into one (a later upsert or delete of a row replaces an earlier one): applying the
 * result once costs the collection and the changed rows, where applying each delta would cost the collection
 * every time.
 */
export class DeltaComposer {
  private readonly changes = new Map<string, Map<string, Row | null>>();

  add(delta: SnapshotDelta): void {
    for (const [name, ids] of Object.entries(delta.deletes)) {
      const rows = this.rowsOf(name);
      for (const id of ids) rows.set(id, null);
    }
    for (const [name, upserts] of Object.entries(delta.upserts)) {
      const rows = this.rowsOf(name);
      for (const row of upserts) rows.set(row.id, row);
    }
  }

  toDelta(): SnapshotDelta {
    const upserts: Record<string, Row[]> = {};
    const deletes: Record<string, string[]> = {};
    for (const [name, rows] of this.changes) {
      for (const [id, row] of rows) {
        if (row) (upserts[name] ??= []).push(row);
        else (deletes[name] ??= []).push(id);
      }
    }
    return { upserts, deletes };
  }

  private rowsOf(name: string): Map<string, Row | null> {
    let rows = this.changes.get(name);
    if (!rows) this.changes.set(name, (rows = new Map()));
    return rows;
  }
}

const byId = (a: Row, b: Row) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

function applyToCollection(rows: readonly Row[], upserts: readonly Row[], deletes: readonly string[]): Row[] {
  const changes = new Map<string, Row | null>();
  for (const id of deletes) changes.set(id, null);
  for (const row of upserts) changes.set(row.id, row);
  if (!isSortedById(rows)) {
    const byKey = new Map<string, Row>();
    for (const row of rows) byKey.set(row.id, row);
    for (const [id, row] of changes) {
      if (row) byKey.set(id, row);
      else byKey.delete(id);
    }
    return [...byKey.values()];
  }
  return mergeSorted(rows, changes);
}

/** First index of `rows` (in id order) whose id is not below `id`. */
function lowerBound(rows: readonly Row[], id: string): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (rows[mid].id < id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Sorted rows with changes (id -> new row, or null to delete) applied. Rows known to be in id order (every
 * export, and every result of this function) cost a binary search per change and one copy of the array; others
 * are merged row by row, O(rows + changes log changes).
 */
export function mergeSorted(rows: readonly Row[], changes: ReadonlyMap<string, Row | null>): Row[] {
  const incoming = [...changes.values()].filter((row): row is Row => row !== null).sort(byId);
  const out: Row[] = [];
  const known = isSortedById(rows);
  if (known && incoming.every((row) => changes.get(row.id) === row)) {
    let from = 0;
    for (const id of [...changes.keys()].sort()) {
      const at = lowerBound(rows, id);
      for (let i = from; i < at; i++) out.push(rows[i]);
      from = at < rows.length && rows[at].id === id ? at + 1 : at;
      const row = changes.get(id);
      if (row) out.push(row);
    }
    for (let i = from; i < rows.length; i++) out.push(rows[i]);
    markSortedById(out);
  } else {
    let j = 0;
    for (const row of rows) {
      while (j < incoming.length && incoming[j].id < row.id) out.push(incoming[j++]);
      if (j < incoming.length && incoming[j].id === row.id) {
        out.push(incoming[j++]);
        continue;
      }
      if (!changes.has(row.id)) out.push(row);
    }
    while (j < incoming.length) out.push(incoming[j++]);
  }
  noteDerivedCollection(out, rows, changes);
  return out;
}

/** Collections a delta may name: the schema's entities (a data plane rejects anything else). */
export function isKnownCollection(name: string): boolean {
  return ENTITIES.has(name);
}

// Snapshot deltas for data planes that already hold a version: per collection, rows to upsert and ids to
// delete. O(n) with maps; a one-route change on 10,000 routes is one row.
import { ENTITIES } from '@tollgate/schema';
import type { Row, Snapshot } from './snapshot';
import { canonicalJson } from './canonical-json';

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
    const old = new Map<string, Row>();
    for (const row of before[name] ?? []) old.set(row.id, row);
    const changed: Row[] = [];
    for (const row of after[name] ?? []) {
      const previous = old.get(row.id);
      old.delete(row.id);
      if (previous !== row && (!previous || canonicalJson(previous) !== canonicalJson(row))) changed.push(row);
    }
    if (changed.length) upserts[name] = changed;
    if (old.size) deletes[name] = [...old.keys()];
  }
  return { upserts, deletes };
}

export function isEmptyDelta(delta: SnapshotDelta): boolean {
  return Object.keys(delta.upserts).length === 0 && Object.keys(delta.deletes).length === 0;
}

/** prev with the delta applied; rows keep prev's order, new rows are appended. Never mutates prev. */
export function applyDelta(prev: Snapshot, delta: SnapshotDelta): Snapshot {
  const before = prev as unknown as Collections;
  const out: Record<string, unknown> = { ...prev, _format_version: '3.0' };
  for (const name of collectionNames(before, delta.upserts as Collections).concat(Object.keys(delta.deletes))) {
    if (!(name in delta.upserts) && !(name in delta.deletes)) continue;
    const rows = new Map<string, Row>();
    for (const row of before[name] ?? []) rows.set(row.id, row);
    for (const id of delta.deletes[name] ?? []) rows.delete(id);
    for (const row of delta.upserts[name] ?? []) rows.set(row.id, row);
    if (rows.size) out[name] = [...rows.values()];
    else delete out[name];
  }
  return out as unknown as Snapshot;
}

/** Collections a delta may name: the schema's entities (a data plane rejects anything else). */
export function isKnownCollection(name: string): boolean {
  return ENTITIES.has(name);
}

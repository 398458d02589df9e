// One serialization for hashing: object keys sorted recursively, arrays kept in order, no whitespace.
import { createHash } from 'node:crypto';
import type { Row, Snapshot } from './snapshot';

export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return '[' + value.map(canonicalJson).join(',') + ']';
  if (typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const parts: string[] = [];
    for (const key of Object.keys(record).sort()) {
      if (record[key] === undefined) continue;
      parts.push(JSON.stringify(key) + ':' + canonicalJson(record[key]));
    }
    return '{' + parts.join(',') + '}';
  }
  return JSON.stringify(value);
}

// Hashing costs what changed, not the size of the configuration. A row's digest is cached per row object (rows are
// immutable: a change is a new object). A collection's rows are spread over BUCKETS buckets by a hash of their id;
// each bucket has a digest over its rows' `id \0 digest` lines in id order, and the collection's digest covers the
// bucket digests. The buckets and digests are cached per array object, and an array derived from a hashed one
// (mergeSorted: a delta applied, a version built from the previous one) gets them by copying the parent's and
// redoing only the buckets its changed rows fall in. Control plane and data plane both keep unchanged rows and
// collections as the same objects from one version to the next.
const rowDigests = new WeakMap<object, string>();

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Hex sha256 of the row's canonical JSON; cached per row object. */
export function rowDigest(row: object): string {
  let digest = rowDigests.get(row);
  if (digest === undefined) {
    digest = sha256(canonicalJson(row));
    rowDigests.set(row, digest);
  }
  return digest;
}

const idOf = (row: unknown): string => {
  const id = (row as Row | null)?.id;
  return typeof id === 'string' ? id : '';
};

const digestOf = (row: unknown): string => (typeof row === 'object' && row !== null ? rowDigest(row) : sha256(canonicalJson(row)));

const BUCKETS = 256;

/** FNV-1a of the id, folded to a bucket: spreads any id form (UUIDs, names) evenly. */
function bucketOf(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return (h ^ (h >>> 8) ^ (h >>> 16) ^ (h >>> 24)) & (BUCKETS - 1);
}

/** Rows in (id, digest) order, as each bucket keeps them. */
function compareRows(a: unknown, b: unknown): number {
  const x = idOf(a);
  const y = idOf(b);
  if (x !== y) return x < y ? -1 : 1;
  const p = digestOf(a);
  const q = digestOf(b);
  return p < q ? -1 : p > q ? 1 : 0;
}

interface CollectionState {
  readonly buckets: ReadonlyArray<readonly unknown[] | undefined>;
  readonly digests: ReadonlyArray<string | undefined>;
  readonly digest: string;
}

const collectionStates = new WeakMap<readonly unknown[], CollectionState>();

function bucketDigest(rows: readonly unknown[]): string {
  let text = '';
  for (const row of rows) text += idOf(row) + '\0' + digestOf(row) + '\n';
  return sha256(text);
}

function topDigest(digests: ReadonlyArray<string | undefined>): string {
  let text = '';
  for (let b = 0; b < BUCKETS; b++) if (digests[b] !== undefined) text += b + ':' + digests[b] + '\n';
  return sha256(text);
}

function collectionState(rows: readonly unknown[]): CollectionState {
  const known = collectionStates.get(rows);
  if (known !== undefined) return known;
  const buckets: Array<unknown[] | undefined> = new Array(BUCKETS);
  for (const row of rows) (buckets[bucketOf(idOf(row))] ??= []).push(row);
  const digests: Array<string | undefined> = new Array(BUCKETS);
  for (let b = 0; b < BUCKETS; b++) {
    const bucket = buckets[b];
    if (bucket === undefined) continue;
    // rows sorted by id stay sorted within each bucket: the sort is the exception (hand-written files)
    for (let i = 1; i < bucket.length; i++) {
      if (compareRows(bucket[i - 1], bucket[i]) > 0) {
        bucket.sort(compareRows);
        break;
      }
    }
    digests[b] = bucketDigest(bucket);
  }
  const state = { buckets, digests, digest: topDigest(digests) };
  collectionStates.set(rows, state);
  return state;
}

/**
 * Records that `next` holds `parent`'s rows except those whose id `changes` names, plus the rows `changes` maps to
 * (null: deleted). When `parent` was hashed, `next`'s hash state is derived now, at the cost of the changed rows.
 */
export function noteDerivedCollection(next: readonly unknown[], parent: readonly unknown[], changes: ReadonlyMap<string, object | null>): void {
  const from = collectionStates.get(parent);
  if (from === undefined || collectionStates.has(next)) return;
  const buckets = from.buckets.slice();
  const touched = new Set<number>();
  const own = (b: number): unknown[] => {
    if (!touched.has(b)) {
      touched.add(b);
      buckets[b] = buckets[b] === undefined ? [] : buckets[b]!.slice();
    }
    return buckets[b] as unknown[];
  };
  for (const id of changes.keys()) {
    const b = bucketOf(id);
    if (buckets[b] === undefined || !buckets[b]!.some((row) => idOf(row) === id)) continue;
    const bucket = own(b);
    for (let i = bucket.length - 1; i >= 0; i--) if (idOf(bucket[i]) === id) bucket.splice(i, 1);
  }
  for (const row of changes.values()) {
    if (row === null) continue;
    const bucket = own(bucketOf(idOf(row)));
    let at = bucket.length;
    while (at > 0 && compareRows(row, bucket[at - 1]) < 0) at--;
    bucket.splice(at, 0, row);
  }
  const digests = from.digests.slice();
  for (const b of touched) {
    if (buckets[b]!.length === 0) {
      buckets[b] = undefined;
      digests[b] = undefined;
    } else digests[b] = bucketDigest(buckets[b]!);
  }
  collectionStates.set(next, { buckets, digests, digest: topDigest(digests) });
}

/**
 * The configuration's content hash (hex sha256): over `key \0 digest \n` lines sorted by key, where a
 * collection's digest covers its rows (see above) and any other top-level value is its canonical JSON. A pure
 * function of the content: row order, key order and `[]` versus an absent collection do not matter.
 */
export function hashSnapshot(config: Snapshot): string {
  return hashWith(config, (rows) => collectionState(rows).digest);
}

function hashWith(config: Snapshot, collectionDigest: (rows: readonly unknown[]) => string): string {
  const hash = createHash('sha256');
  const record = config as unknown as Record<string, unknown>;
  for (const key of Object.keys(record).sort()) {
    const value = record[key];
    if (value === undefined || (Array.isArray(value) && value.length === 0)) continue;
    const digest = Array.isArray(value) ? collectionDigest(value) : '=' + canonicalJson(value);
    hash.update(JSON.stringify(key) + '\0' + digest + '\n');
  }
  return hash.digest('hex');
}

/**
 * The hash before bucketed collection digests: one digest per collection over all its rows' lines sorted by id, which
 * costs the whole configuration every time. Only read back: a release row or a data plane's disk cache written by
 * an earlier control plane is still recognised as intact.
 */
export function legacyHashSnapshot(config: Snapshot): string {
  return hashWith(config, (rows) => {
    const ordered = [...rows].sort(compareRows);
    let text = '';
    for (const row of ordered) text += idOf(row) + '\0' + digestOf(row) + '\n';
    return sha256(text);
  });
}

/** Kong's `config_hash` fields (clustering, /status) are 32 hex characters. */
export function configHash32(hash: string): string {
  return hash.slice(0, 32);
}

/** What Kong shows for "no configuration": 32 zeros. */
export const EMPTY_CONFIG_HASH32 = '0'.repeat(32);

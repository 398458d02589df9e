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

// Hashing is two-level so that a new version costs only its changed rows: a row's digest is cached per row
// object (rows are immutable: a change is a new object), a collection's per array object. Control plane and data
// plane both keep unchanged rows and untouched collections as the same objects from one version to the next.
const rowDigests = new WeakMap<object, string>();
const collectionDigests = new WeakMap<readonly unknown[], string>();

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

/** sha256 of `id \0 rowDigest \n` lines sorted by id (then digest, should ids repeat); cached per array. */
function collectionDigest(rows: readonly unknown[]): string {
  let digest = collectionDigests.get(rows);
  if (digest !== undefined) return digest;
  let ordered = rows;
  for (let i = 1; i < rows.length; i++) {
    if (idOf(rows[i - 1]) > idOf(rows[i])) {
      // exports and deltas keep rows sorted by id, so this sort is the exception (hand-written files)
      ordered = [...rows].sort((a, b) => {
        const [x, y] = [idOf(a), idOf(b)];
        if (x !== y) return x < y ? -1 : 1;
        const [p, q] = [rowDigest(a as object), rowDigest(b as object)];
        return p < q ? -1 : p > q ? 1 : 0;
      });
      break;
    }
  }
  const hash = createHash('sha256');
  let chunk = '';
  for (const row of ordered) {
    chunk += idOf(row) + '\0' + (typeof row === 'object' && row !== null ? rowDigest(row) : sha256(canonicalJson(row))) + '\n';
    if (chunk.length > 65536) {
      hash.update(chunk);
      chunk = '';
    }
  }
  digest = hash.update(chunk).digest('hex');
  collectionDigests.set(rows, digest);
  return digest;
}

/**
 * The configuration's content hash (hex sha256): over `key \0 digest \n` lines sorted by key, where a
 * collection's digest covers its rows' digests sorted by id, and any other top-level value is its canonical JSON.
 * A pure function of the content: row order, key order and `[]` versus an absent collection do not matter.
 */
export function hashSnapshot(config: Snapshot): string {
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

/** Kong's `config_hash` fields (clustering, /status) are 32 hex characters. */
export function configHash32(hash: string): string {
  return hash.slice(0, 32);
}

/** What Kong shows for "no configuration": 32 zeros. */
export const EMPTY_CONFIG_HASH32 = '0'.repeat(32);

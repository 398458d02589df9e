// One serialization for hashing: object keys sorted recursively, arrays kept in order, no whitespace.
// Rows of a Snapshot collection are sorted by id first so the hash ignores row order (see hashSnapshot).
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

const byId = (a: Row, b: Row) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Hex sha256 of the canonical JSON; empty collections count as absent so `[]` and no key hash the same. */
export function hashSnapshot(config: Snapshot): string {
  const hash = createHash('sha256');
  const record = config as unknown as Record<string, unknown>;
  hash.update('{');
  let first = true;
  for (const key of Object.keys(record).sort()) {
    const value = record[key];
    if (value === undefined || (Array.isArray(value) && value.length === 0)) continue;
    if (!first) hash.update(',');
    first = false;
    hash.update(JSON.stringify(key) + ':');
    if (Array.isArray(value)) {
      // streamed per row: a 10,000-route config never becomes one giant string
      const rows = [...(value as Row[])].sort(byId);
      hash.update('[');
      rows.forEach((row, index) => hash.update((index ? ',' : '') + canonicalJson(row)));
      hash.update(']');
    } else {
      hash.update(canonicalJson(value));
    }
  }
  hash.update('}');
  return hash.digest('hex');
}

/** Kong's `config_hash` fields (clustering, /status) are 32 hex characters. */
export function configHash32(hash: string): string {
  return hash.slice(0, 32);
}

/** What Kong shows for "no configuration": 32 zeros. */
export const EMPTY_CONFIG_HASH32 = '0'.repeat(32);

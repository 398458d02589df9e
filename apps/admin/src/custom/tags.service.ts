import { Inject, Injectable } from '@nestjs/common';
import { invalidOffset, invalidSize, invalidUnique, SIZE_NOT_A_NUMBER } from '@tollgate/errors';
import { SNAPSHOTS } from '../bootstrap/tokens';
import type { SnapshotService } from '../cluster/snapshot.service';

export interface TagRow {
  readonly entity_name: string;
  readonly entity_id: string;
  readonly tag: string;
}

export interface TagPage {
  data: TagRow[];
  offset?: string;
  next: string | null;
}

const DEFAULT_SIZE = 100;
const MAX_SIZE = 1000;

/**
 * The read-only tags index, read from the current snapshot (every exported entity with its tags) after
 * pending writes are folded in, so a tag is listed as soon as the write that added it was acknowledged.
 */
@Injectable()
export class TagsService {
  private indexedHash = '';
  private index: TagRow[] = [];

  constructor(@Inject(SNAPSHOTS) private readonly snapshots: SnapshotService) {}

  async page(tag: string | null, query: { size?: unknown; offset?: unknown }): Promise<TagPage> {
    if (tag !== null) checkTag(tag);
    const size = parseSize(query.size);
    const after = typeof query.offset === 'string' ? decodeOffset(query.offset) : null;
    const rows = (await this.rows()).filter((row) => (tag === null || row.tag === tag) && (after === null || compareRows(row, after) > 0));
    const data = rows.slice(0, size);
    if (rows.length <= size) return { data, next: null };
    const offset = encodeOffset(data[data.length - 1]);
    const base = tag === null ? '/tags' : `/tags/${encodeURIComponent(tag)}`;
    const sizeArg = typeof query.size === 'string' ? `&size=${query.size}` : '';
    return { data, offset, next: `${base}?offset=${encodeURIComponent(offset)}${sizeArg}` };
  }

  private async rows(): Promise<TagRow[]> {
    const snapshot = await this.snapshots.settle();
    if (snapshot.hash === this.indexedHash) return this.index;
    const rows: TagRow[] = [];
    for (const [entityName, entities] of Object.entries(snapshot.config)) {
      if (!Array.isArray(entities)) continue;
      for (const entity of entities as Array<{ id: string; tags?: unknown }>) {
        if (!Array.isArray(entity.tags)) continue;
        for (const t of new Set(entity.tags)) if (typeof t === 'string') rows.push({ entity_name: entityName, entity_id: entity.id, tag: t });
      }
    }
    this.index = rows.sort(compareRows);
    this.indexedHash = snapshot.hash;
    return this.index;
  }
}

function compareRows(a: TagRow, b: TagRow): number {
  return cmp(a.tag, b.tag) || cmp(a.entity_name, b.entity_name) || cmp(a.entity_id, b.entity_id);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function parseSize(raw: unknown): number {
  if (raw === undefined) return DEFAULT_SIZE;
  const text = Array.isArray(raw) ? raw[0] : raw;
  const size = typeof text === 'string' && text.trim() !== '' ? Number(text) : NaN;
  if (Number.isNaN(size)) throw invalidSize(SIZE_NOT_A_NUMBER);
  if (!Number.isInteger(size) || size < 1 || size > MAX_SIZE) throw invalidSize();
  return size;
}

function encodeOffset(row: TagRow): string {
  return Buffer.from(JSON.stringify([row.tag, row.entity_name, row.entity_id])).toString('base64').replace(/=+$/, '');
}

function decodeOffset(token: string): TagRow {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(token) || token === '') throw invalidOffset(token, 'bad base64 encoding');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
  } catch {
    throw invalidOffset(token, 'bad json encoding');
  }
  if (!Array.isArray(parsed) || parsed.length !== 3 || !parsed.every((p) => typeof p === 'string')) {
    throw invalidOffset(token, 'bad json encoding');
  }
  return { tag: parsed[0], entity_name: parsed[1], entity_id: parsed[2] };
}

// Kong's tag rule: printable ASCII except `,` and `/`, or non-ASCII (valid UTF-8 once decoded from the URL).
const TAG_PATTERN = /^[ \x21-\x2B\x2D\x2E\x30-\x7E\u0080-\u{10FFFF}]+$/u;

function checkTag(tag: string): void {
  if (!TAG_PATTERN.test(tag)) {
    throw invalidUnique('tag', `invalid tag '${tag}': expected printable ascii (except \`,\` and \`/\`) or valid utf-8 sequences`);
  }
}

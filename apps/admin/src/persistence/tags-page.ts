// `/tags` and `/tags/{tag}` read the tags index table, ordered by (tag, entity_name, entity_id); the offset
// token is base64 of that triple of the last row, so pages stay stable while rows are added.
import type { EntityManager } from 'typeorm';
import { checkTag } from '@tollgate/schema';
import { invalidOffset, invalidUnique } from '@tollgate/errors';
import { TAGS_TABLE } from './columns';
import type { ListOptions, Page } from './list-options';
import { decodeOffsetToken, encodeOffsetToken, UUID } from './page-token';

export interface TagRow {
  readonly entity_name: string;
  readonly entity_id: string;
  readonly tag: string;
}

const DEFAULT_PAGE_SIZE = 100;

export function encodeTagToken(row: TagRow): string {
  return encodeOffsetToken([row.tag, row.entity_name, row.entity_id]);
}

export function decodeTagToken(token: string): TagRow {
  const parts = decodeOffsetToken(token, 3);
  if (parts.length !== 3 || !UUID.test(parts[2])) throw invalidOffset(token, 'bad json encoding');
  return { tag: parts[0], entity_name: parts[1], entity_id: parts[2].toLowerCase() };
}

/** Kong's `invalid unique tag` (code 10) for `/tags/{tag}` with a value no entity could carry. */
export function checkTagKey(tag: string): void {
  const message = checkTag(tag);
  if (message) throw invalidUnique('tag', message);
}

export async function pageTags(manager: EntityManager, tag: string | undefined, options: ListOptions): Promise<Page<TagRow>> {
  if (tag !== undefined) checkTagKey(tag);
  const size = options.size ?? DEFAULT_PAGE_SIZE;
  const query = manager
    .createQueryBuilder()
    .select(['tg.tag AS tag', 'tg.entity_name AS entity_name', 'tg.entity_id AS entity_id'])
    .from(TAGS_TABLE, 'tg');
  if (tag !== undefined) query.andWhere('tg.tag = :tag', { tag });
  if (options.offset !== undefined) {
    const after = decodeTagToken(options.offset);
    query.andWhere(
      '(tg.tag > :aTag OR (tg.tag = :aTag AND (tg.entity_name > :aName OR (tg.entity_name = :aName AND tg.entity_id > :aId))))',
      { aTag: after.tag, aName: after.entity_name, aId: after.entity_id },
    );
  }
  const rows: TagRow[] = (
    await query.orderBy('tg.tag', 'ASC').addOrderBy('tg.entity_name', 'ASC').addOrderBy('tg.entity_id', 'ASC').limit(size + 1).getRawMany()
  ).map((row: TagRow) => ({ entity_name: row.entity_name, entity_id: String(row.entity_id), tag: row.tag }));
  const data = rows.slice(0, size);
  if (rows.length <= size) return { data, next: null };
  const offset = encodeTagToken(data[data.length - 1]);
  const path = options.path ?? (tag === undefined ? '/tags' : `/tags/${encodeURIComponent(tag)}`);
  return { data, offset, next: `${path}?offset=${encodeURIComponent(offset)}${options.nextQuery ?? ''}` };
}

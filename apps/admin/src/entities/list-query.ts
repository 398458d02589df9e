// Query string -> Dao list options, with Kong's code 9 / code 11 errors (kong-admin-api.md §4).
import type { EntitySchema } from '@tollgate/schema';
import { badRequest, invalidOptions, invalidSize, SIZE_NOT_A_NUMBER, SIZE_OUT_OF_RANGE } from '@tollgate/errors';
import type { ListOptions, TagFilter } from '../persistence';

const MAX_TAGS = 5;
const TAG = /^[ \x21-\x2B\x2D\x2E\x30-\x7E\u0080-\uFFFC\uFFFE-\u{10FFFF}]+$/u;

/** With repeated params only the first counts, as in Kong (except `size`: see parseListQuery). */
export function firstParam(value: unknown): string | undefined {
  if (Array.isArray(value)) return firstParam(value[0]);
  return typeof value === 'string' ? value : undefined;
}

export function parseSize(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const trimmed = raw.trim();
  const size = trimmed === '' ? NaN : Number(trimmed);
  if (Number.isNaN(size)) throw invalidSize(SIZE_NOT_A_NUMBER);
  if (!Number.isInteger(size) || size < 1 || size > 1000) throw invalidSize(SIZE_OUT_OF_RANGE);
  return size;
}

export function parseTags(raw: string | undefined, schema: EntitySchema): TagFilter | undefined {
  if (raw === undefined) return undefined;
  if (!schema.fields.some(([name]) => name === 'tags')) throw invalidOptions({ tags: `cannot be used with '${schema.name}'` });
  if (raw === '') throw invalidOptions({ tags: 'cannot be null' });
  const hasAnd = raw.includes(',');
  const hasOr = raw.includes('/');
  if (hasAnd && hasOr) throw invalidOptions({ tags: 'invalid filter syntax' });
  const tags = raw.split(hasOr ? '/' : ',');
  if (tags.some((tag) => !TAG.test(tag))) throw invalidOptions({ tags: 'invalid filter syntax' });
  if (tags.length > MAX_TAGS) throw invalidOptions({ tags: 'cannot query more than 5 tags' });
  return { mode: hasOr ? 'or' : 'and', tags };
}

/** Fields a collection may be filtered on (Kong OSS: only consumers by custom_id). */
const FILTERS: Record<string, readonly string[]> = { consumers: ['custom_id'] };

export function parseListQuery(query: Record<string, unknown>, schema: EntitySchema, nested: boolean): ListOptions {
  // Kong reads a repeated `size` as a table, which is not a number (kong/api/endpoints.lua get_page_size)
  if (Array.isArray(query.size)) throw invalidSize(SIZE_NOT_A_NUMBER);
  const sizeRaw = firstParam(query.size);
  const size = parseSize(sizeRaw);
  const offset = firstParam(query.offset);
  const tagsRaw = nested ? undefined : firstParam(query.tags);
  const tags = parseTags(tagsRaw, schema);
  const filters: Record<string, unknown> = {};
  for (const field of FILTERS[schema.name] ?? []) {
    const value = firstParam(query[field]);
    if (value === undefined) continue;
    if (value === '') throw badRequest(`${field} must be an unempty string`);
    filters[field] = value;
  }
  let nextQuery = '';
  if (!nested && tagsRaw !== undefined) nextQuery += `&tags=${encodeURIComponent(tagsRaw)}`;
  if (!nested && sizeRaw !== undefined) nextQuery += `&size=${sizeRaw}`;
  return { size, offset: offset === undefined || offset === '' ? undefined : offset, tags, filters, nextQuery };
}

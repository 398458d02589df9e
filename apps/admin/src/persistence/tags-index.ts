// The tags index table (tag, entity_name, entity_id): AND/OR tag filters and `/tags` read it.
import type { EntityManager, SelectQueryBuilder } from 'typeorm';
import { TAGS_TABLE } from './columns';
import type { TagFilter } from './list-options';

/** `isNew`: the entity was just inserted, so it has no index rows to delete yet (saves a query per create). */
export async function replaceTags(
  manager: EntityManager,
  entityName: string,
  entityId: string,
  tags: unknown,
  isNew = false,
): Promise<void> {
  if (!isNew) await manager.createQueryBuilder().delete().from(TAGS_TABLE).where('entity_id = :entityId', { entityId }).execute();
  if (!Array.isArray(tags) || tags.length === 0) return;
  const unique = [...new Set(tags.filter((tag): tag is string => typeof tag === 'string'))];
  await manager
    .createQueryBuilder()
    .insert()
    .into(TAGS_TABLE)
    .values(unique.map((tag) => ({ entity_id: entityId, tag, entity_name: entityName })))
    .execute();
}

export async function dropTags(manager: EntityManager, entityId: string): Promise<void> {
  await manager.createQueryBuilder().delete().from(TAGS_TABLE).where('entity_id = :entityId', { entityId }).execute();
}

/** Adds `t.id IN (...)` for the filter; `and` needs every tag, `or` any of them. */
export function whereTags<T extends object>(query: SelectQueryBuilder<T>, entityName: string, filter: TagFilter): void {
  const sub = query
    .subQuery()
    .select('tg.entity_id')
    .from(TAGS_TABLE, 'tg')
    .where('tg.entity_name = :tagEntity')
    .andWhere('tg.tag IN (:...tagValues)')
    .groupBy('tg.entity_id');
  if (filter.mode === 'and') sub.having('COUNT(*) = :tagCount');
  query.andWhere(`t.id IN ${sub.getQuery()}`, {
    tagEntity: entityName,
    tagValues: [...new Set(filter.tags)],
    tagCount: new Set(filter.tags).size,
  });
}

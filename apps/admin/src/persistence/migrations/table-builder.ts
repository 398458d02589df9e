// Builds Table API objects (portable between SQLite and PostgreSQL) from the column specs.
import { Table, TableIndex } from 'typeorm';
import type { EntitySchema } from '@tollgate/schema';
import { columnsOf, sqlType, TAGS_TABLE } from '../columns';

/**
 * Unique indexes are created so that a row breaking several of them reports the first in schema order, as
 * PostgreSQL does with Kong's tables (a key repeating both `name` and `kid` names `name`). PostgreSQL checks
 * indexes in creation order, SQLite the most recently created first, so SQLite gets them reversed.
 */
export function tableFor(schema: EntitySchema, driver: string): Table {
  const specs = columnsOf(schema);
  const unique = specs.filter((spec) => spec.unique);
  if (driver === 'better-sqlite3') unique.reverse();
  return new Table({
    name: schema.name,
    columns: specs.map((spec) => ({
      name: spec.column,
      type: sqlType(spec.kind),
      isPrimary: spec.primary,
      isNullable: !spec.primary,
    })),
    indices: [
      ...unique.map((spec) => new TableIndex({ name: `${schema.name}_${spec.column}_key`, columnNames: [spec.column], isUnique: true })),
      ...specs
        .filter((spec) => spec.indexed && !spec.unique)
        .map((spec) => new TableIndex({ name: `${schema.name}_${spec.column}_idx`, columnNames: [spec.column] })),
    ],
  });
}

export function tagsTable(): Table {
  return new Table({
    name: TAGS_TABLE,
    columns: [
      { name: 'entity_id', type: 'uuid', isPrimary: true },
      { name: 'tag', type: 'text', isPrimary: true },
      { name: 'entity_name', type: 'text', isNullable: false },
    ],
    indices: [new TableIndex({ name: 'tags_tag_idx', columnNames: ['tag'] })],
  });
}

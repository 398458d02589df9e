// TypeORM metadata for every stored entity, built from the same column specs as the migrations.
import { EntitySchema as OrmEntitySchema, type EntitySchemaColumnOptions } from 'typeorm';
import type { EntitySchema } from '@tollgate/schema';
import { columnsOf, sqlType, TAGS_TABLE } from './columns';

export function ormEntityFor(schema: EntitySchema): OrmEntitySchema {
  const columns: Record<string, EntitySchemaColumnOptions> = {};
  for (const spec of columnsOf(schema)) {
    columns[spec.column] = {
      type: sqlType(spec.kind) as EntitySchemaColumnOptions['type'],
      primary: spec.primary,
      nullable: !spec.primary,
      unique: spec.unique,
    };
  }
  return new OrmEntitySchema({ name: schema.name, tableName: schema.name, columns });
}

export const tagsOrmEntity = new OrmEntitySchema({
  name: TAGS_TABLE,
  tableName: TAGS_TABLE,
  columns: {
    entity_id: { type: 'uuid', primary: true },
    tag: { type: 'text', primary: true },
    entity_name: { type: 'text' },
  },
});

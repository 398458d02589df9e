// Writes a validated Snapshot (the output of flattenDeclarative) to the database in ONE transaction.
//   replace: the database ends up holding exactly the snapshot (DB-less `POST /config`, boot from a file);
//   merge:   upsert by id, rows the file does not name stay (`tollgate config db_import`, as Kong's db_import).
// The rows were validated as a whole file already, so they are stored as they are: no per-row re-validation and
// no change events (the caller rebuilds the snapshot once, after commit).
import type { DataSource, EntityManager } from 'typeorm';
import type { Snapshot } from '@tollgate/declarative';
import type { EntitySchema } from '@tollgate/schema';
import { TAGS_TABLE } from '../persistence/columns';
import { mapUniqueViolation } from '../persistence/db-errors';
import { toDbRow, type Entity } from '../persistence/row-mapper';
import { storedSchemas, type SchemaSource } from '../persistence/schema-source';
import { replaceTags } from '../persistence/tags-index';

export type StoreMode = 'replace' | 'merge';

export interface StoreResult {
  /** Rows written per entity (inserted + updated). */
  readonly written: Readonly<Record<string, number>>;
}

function rowsOf(snapshot: Snapshot, entity: string): readonly Entity[] {
  return ((snapshot as unknown as Record<string, readonly Entity[] | undefined>)[entity]) ?? [];
}

async function clearAll(manager: EntityManager, schemas: readonly EntitySchema[]): Promise<void> {
  await manager.createQueryBuilder().delete().from(TAGS_TABLE).execute();
  // children before parents, in case the database enforces references
  for (const schema of [...schemas].reverse()) await manager.createQueryBuilder().delete().from(schema.name).execute();
}

async function exists(manager: EntityManager, table: string, id: string): Promise<boolean> {
  const row = await manager.createQueryBuilder().select('t.id', 'id').from(table, 't').where('t.id = :id', { id }).getRawOne();
  return row !== undefined;
}

async function storeRow(manager: EntityManager, schema: EntitySchema, entity: Entity, mayExist: boolean): Promise<void> {
  const row = toDbRow(schema, entity);
  const id = String(entity.id);
  const update = mayExist && (await exists(manager, schema.name, id));
  try {
    if (update) await manager.createQueryBuilder().update(schema.name).set(row).where('id = :id', { id }).execute();
    else await manager.createQueryBuilder().insert().into(schema.name).values(row).execute();
  } catch (error) {
    throw mapUniqueViolation(schema, entity, error) ?? error;
  }
  if (schema.fields.some(([name]) => name === 'tags')) await replaceTags(manager, schema.name, id, entity.tags, !update);
}

export async function storeSnapshot(dataSource: DataSource, source: SchemaSource, snapshot: Snapshot, mode: StoreMode): Promise<StoreResult> {
  return dataSource.transaction((manager) => storeSnapshotIn(manager, source, snapshot, mode));
}

/** storeSnapshot inside a transaction the caller holds (a release rollback runs under the Dao's write lock). */
export async function storeSnapshotIn(manager: EntityManager, source: SchemaSource, snapshot: Snapshot, mode: StoreMode): Promise<StoreResult> {
  const schemas = storedSchemas(source); // libs/schema lists parents before children
  if (mode === 'replace') await clearAll(manager, schemas);
  const written: Record<string, number> = {};
  for (const schema of schemas) {
    const rows = rowsOf(snapshot, schema.name);
    for (const entity of rows) await storeRow(manager, schema, entity, mode === 'merge');
    if (rows.length) written[schema.name] = rows.length;
  }
  return { written };
}

// How an entity schema becomes a table. Shared by the TypeORM EntitySchema objects and the migrations, so the
// two can never disagree. Containers are JSON text in both databases; foreign keys are `<field>_id` columns.
import { compositeKeyFields, type EntitySchema, type FieldDef } from '@tollgate/schema';

export type ColumnKind = 'uuid' | 'text' | 'integer' | 'float' | 'boolean' | 'json';

export interface ColumnSpec {
  readonly column: string;
  readonly kind: ColumnKind;
  readonly primary: boolean;
  readonly unique: boolean;
  readonly indexed: boolean;
  /** The schema field this column stores (absent for the derived cache_key). */
  readonly field?: string;
  readonly reference?: string;
}

const CONTAINER_TYPES = new Set(['array', 'set', 'map', 'record', 'json']);

/** Per database, the SQL type names the Table API and EntitySchema use. */
export function sqlType(kind: ColumnKind): string {
  switch (kind) {
    case 'uuid':
      return 'uuid'; // sqlite: varchar; postgres: uuid, which orders like lower-case hex strings
    case 'integer':
      return 'bigint';
    case 'float':
      return 'double precision';
    case 'boolean':
      return 'boolean';
    default:
      return 'text';
  }
}

export function foreignColumn(field: string): string {
  return `${field}_id`;
}

/** Composite uniqueness is stored as one `cache_key` column (rule in libs/schema, shared with declarative checks). */
export { compositeKeyFields };

function kindOf(name: string, def: FieldDef, schema: EntitySchema): ColumnKind {
  if (def.type === 'foreign') return 'uuid';
  if (schema.primaryKey.includes(name) && def.uuid !== false) return 'uuid';
  if (CONTAINER_TYPES.has(def.type)) return 'json';
  if (def.type === 'integer') return def.timestamp === 'milliseconds' ? 'float' : 'integer';
  if (def.type === 'number') return 'float';
  if (def.type === 'boolean') return 'boolean';
  return 'text';
}

export function columnsOf(schema: EntitySchema): ColumnSpec[] {
  const columns: ColumnSpec[] = schema.fields.filter(([, def]) => !def.transient).map(([name, def]) => {
    const foreign = def.type === 'foreign';
    return {
      column: foreign ? foreignColumn(name) : name,
      kind: kindOf(name, def, schema),
      primary: schema.primaryKey.includes(name),
      unique: !!def.unique && !schema.primaryKey.includes(name),
      indexed: foreign,
      field: name,
      reference: def.reference,
    };
  });
  if (compositeKeyFields(schema)) {
    columns.push({ column: 'cache_key', kind: 'text', primary: false, unique: true, indexed: false });
  }
  return columns;
}

export const TAGS_TABLE = 'tags';

// Uniqueness is the database's job (Kong has no pre-check): an insert fails, and the offending field is picked
// out of the driver's message, for SQLite and PostgreSQL alike.
import type { EntitySchema } from '@tollgate/schema';
import { primaryKeyViolation, uniqueViolation, type KongError } from '@tollgate/errors';
import { compositeKeyFields } from './columns';
import type { Entity } from './row-mapper';

interface DriverError {
  code?: string;
  message?: string;
  detail?: string;
}

/** The violated column, or undefined when the error is not a unique violation. */
export function uniqueViolationColumn(error: unknown): string | undefined {
  const driver = ((error as { driverError?: DriverError })?.driverError ?? error) as DriverError;
  if (!driver || typeof driver !== 'object') return undefined;
  if (driver.code === '23505') return /Key \(([^)]+)\)=/.exec(driver.detail ?? '')?.[1]?.replace(/"/g, '');
  if (typeof driver.code === 'string' && driver.code.startsWith('SQLITE_CONSTRAINT')) {
    const match = /UNIQUE constraint failed: [^.]+\.(\w+)/.exec(driver.message ?? '');
    return match?.[1];
  }
  return undefined;
}

function keyValue(value: unknown): unknown {
  if (value && typeof value === 'object' && 'id' in (value as object)) return { id: (value as Entity).id };
  return value ?? null;
}

export function mapUniqueViolation(schema: EntitySchema, entity: Entity, error: unknown): KongError | undefined {
  const column = uniqueViolationColumn(error);
  if (!column) return undefined;
  if (schema.primaryKey.includes(column)) return primaryKeyViolation({ [column]: entity[column] });
  if (column === 'cache_key') {
    const fields: Entity = {};
    for (const name of compositeKeyFields(schema) ?? []) fields[name] = keyValue(entity[name]);
    return uniqueViolation(fields);
  }
  const field = column.endsWith('_id') && !(column in entity) ? column.slice(0, -3) : column;
  return uniqueViolation({ [field]: keyValue(entity[field]) });
}

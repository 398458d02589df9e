// Response shape of a stored row: every field present (unset = null), foreign keys as {id}, write-only fields
// and the `url` shorthand never included.
import { EntitySchema } from './types';
import { isPlainObject } from './validate/helpers';

export function toOutput(schema: EntitySchema, row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, def] of schema.fields) {
    if (def.writeOnly) continue;
    const value = row[name];
    if (def.transient && value === undefined) continue;
    if (def.type === 'foreign') out[name] = isPlainObject(value) && value.id != null ? { id: value.id } : null;
    else out[name] = value === undefined ? null : value;
  }
  return out;
}

/** Splits a validated value into the stored row and the transient inputs the DAO consumes (certificates.snis). */
export function splitTransient(schema: EntitySchema, value: Record<string, unknown>) {
  const row: Record<string, unknown> = { ...value };
  const transient: Record<string, unknown> = {};
  for (const [name, def] of schema.fields) {
    if (!def.transient) continue;
    transient[name] = row[name];
    delete row[name];
  }
  return { row, transient };
}

// Addressing an entity by id or endpoint key (kong-admin-api.md §3.3 "Addressing").
import type { EntityManager } from 'typeorm';
import { validateValue, type EntitySchema, type FieldDef } from '@tollgate/schema';
import { invalidPrimaryKey, invalidUnique } from '@tollgate/errors';
import { foreignColumn } from './columns';
import { UUID } from './page-token';
import type { Scope } from './list-options';
import type { DbRow } from './row-mapper';

export interface Locator {
  /** Column -> value to match. */
  readonly where: Readonly<Record<string, unknown>>;
  /** The key as Kong prints it in not-found errors: {id="..."} or {name="..."}. */
  readonly key: Readonly<Record<string, unknown>>;
  readonly byPrimaryKey: boolean;
}

function fieldDef(schema: EntitySchema, name: string): FieldDef | undefined {
  return schema.fields.find(([field]) => field === name)?.[1];
}

/**
 * An endpoint-key value from a URL, checked and normalised by its field's own rules (a target gets its default
 * port). An invalid value is Kong's code 10 `invalid unique <field>` with the validator's message.
 */
export function endpointKeyValue(schema: EntitySchema, field: string, raw: string): string {
  const def = fieldDef(schema, field);
  if (!def) return raw;
  const result = validateValue({ ...def, required: false }, raw, { mode: 'insert' });
  if (result.error !== undefined) {
    throw invalidUnique(field, typeof result.error === 'string' ? result.error : JSON.stringify(result.error));
  }
  return typeof result.value === 'string' ? result.value : raw;
}

export function locatorFor(schema: EntitySchema, idOrKey: string, scope?: Scope): Locator {
  const scoped = (where: Record<string, unknown>) =>
    scope ? { ...where, [foreignColumn(scope.field)]: scope.id } : where;
  if (UUID.test(idOrKey)) {
    const id = idOrKey.toLowerCase();
    return { where: scoped({ id }), key: { id }, byPrimaryKey: true };
  }
  const keyField = schema.endpointKey ?? (scope ? schema.scopedEndpointKey : undefined);
  if (keyField) {
    const value = endpointKeyValue(schema, keyField, idOrKey);
    return { where: scoped({ [keyField]: value }), key: { [keyField]: value }, byPrimaryKey: false };
  }
  throw invalidPrimaryKey({ id: 'expected a valid UUID' });
}

export async function findRow(manager: EntityManager, table: string, where: Readonly<Record<string, unknown>>): Promise<DbRow | undefined> {
  const query = manager.createQueryBuilder().select('t.*').from(table, 't');
  Object.entries(where).forEach(([column, value], index) => {
    query.andWhere(`t.${column} = :w${index}`, { [`w${index}`]: value });
  });
  return (await query.limit(1).getRawOne()) ?? undefined;
}

/** Certificates may be addressed by one of their SNI names: the certificate id, or undefined for an unknown name. */
export async function certificateIdBySni(manager: EntityManager, snis: EntitySchema, raw: string): Promise<string | undefined> {
  const name = endpointKeyValue(snis, 'name', raw);
  const sni = await findRow(manager, 'snis', { name });
  return sni ? String(sni.certificate_id) : undefined;
}

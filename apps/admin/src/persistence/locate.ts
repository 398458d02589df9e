// Addressing an entity by id or endpoint key (kong-admin-api.md §3.3 "Addressing").
import type { EntityManager } from 'typeorm';
import type { EntitySchema } from '@tollgate/schema';
import { invalidPrimaryKey, notFound } from '@tollgate/errors';
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

export function locatorFor(schema: EntitySchema, idOrKey: string, scope?: Scope): Locator {
  const scoped = (where: Record<string, unknown>) =>
    scope ? { ...where, [foreignColumn(scope.field)]: scope.id } : where;
  if (UUID.test(idOrKey)) {
    const id = idOrKey.toLowerCase();
    return { where: scoped({ id }), key: { id }, byPrimaryKey: true };
  }
  if (schema.endpointKey) {
    return { where: scoped({ [schema.endpointKey]: idOrKey }), key: { [schema.endpointKey]: idOrKey }, byPrimaryKey: false };
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

/** Certificates may be addressed by one of their SNI names; an unknown name is 404 "SNI not found". */
export async function certificateIdBySni(manager: EntityManager, name: string): Promise<string> {
  const sni = await findRow(manager, 'snis', { name });
  if (!sni) throw notFound('SNI not found');
  return String(sni.certificate_id);
}

// Snapshot -> the text `tollgate config db_export` writes. Deterministic: collections in schema order, rows
// sorted by id, keys in schema field order. Like Kong's db_export, unset (null) fields are left out unless
// `includeNulls` (what Kong's GET /config shows); transient inputs (certificates.snis) are never written, since
// the SNIs are their own collection. Foreign keys are written as the bare id. `_transform: false` keeps stored
// password hashes from being hashed again on import, so export -> import -> export is byte-for-byte stable.
import { ENTITIES } from '@tollgate/schema';
import type { EntitySchema } from '@tollgate/schema';
import { yaml } from './yaml-module';
import type { Row, Snapshot } from './snapshot';
import { foreignFields, isContainment } from './relations';

export interface ExportOptions {
  readonly format: 'yaml' | 'json';
  /** Write children inside their parents (services > routes > plugins, consumers > credentials, ...). */
  readonly nested?: boolean;
  /** Write unset fields as null (Kong's GET /config) instead of leaving them out (Kong's db_export). */
  readonly includeNulls?: boolean;
}

type Obj = Record<string, unknown>;

const byId = (a: Row, b: Row) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

function idOf(value: unknown): string | undefined {
  return typeof value === 'object' && value !== null ? ((value as { id?: unknown }).id as string | undefined) : undefined;
}

function writeRow(schema: EntitySchema, row: Row, opts: ExportOptions, omitField?: string): Obj {
  const out: Obj = {};
  for (const [name, def] of schema.fields) {
    if (def.transient || name === omitField) continue;
    let value = row[name];
    if (def.type === 'foreign') value = idOf(value) ?? null;
    if (value === undefined) value = null;
    if (value === null && !opts.includeNulls) continue;
    out[name] = value;
  }
  return out;
}

/** For nested output: the containment parent of each row, as [parent entity, foreign field]. */
function containmentOf(schema: EntitySchema, row: Row, present: Map<string, Set<string>>): [string, string, string] | undefined {
  for (const [field, def] of foreignFields(schema)) {
    if (!isContainment(field, def)) continue;
    const parentId = idOf(row[field]);
    if (parentId && present.get(def.reference!)?.has(parentId)) return [def.reference!, parentId, field];
  }
  return undefined;
}

function nestedDocument(snapshot: Snapshot, opts: ExportOptions, doc: Obj): void {
  const record = snapshot as unknown as Record<string, readonly Row[] | undefined>;
  const present = new Map<string, Set<string>>();
  for (const name of ENTITIES.keys()) present.set(name, new Set((record[name] ?? []).map((r) => r.id)));
  // children of each parent row, per child collection; ENTITIES lists parents before children
  const written = new Map<string, Obj>(); // `${entity}:${id}` -> written object
  const topLevel = new Map<string, Obj[]>();
  const pending: Array<{ schema: EntitySchema; row: Row; parent?: [string, string, string] }> = [];
  for (const schema of ENTITIES.values()) {
    for (const row of [...(record[schema.name] ?? [])].sort(byId)) {
      pending.push({ schema, row, parent: containmentOf(schema, row, present) });
    }
  }
  for (const { schema, row, parent } of pending) written.set(`${schema.name}:${row.id}`, writeRow(schema, row, opts, parent?.[2]));
  for (const { schema, row, parent } of pending) {
    const out = written.get(`${schema.name}:${row.id}`)!;
    const holder = parent ? written.get(`${parent[0]}:${parent[1]}`) : undefined;
    if (holder) {
      const list = (holder[schema.name] as Obj[] | undefined) ?? [];
      list.push(out);
      holder[schema.name] = list;
    } else {
      topLevel.set(schema.name, [...(topLevel.get(schema.name) ?? []), out]);
    }
  }
  for (const name of ENTITIES.keys()) if (topLevel.get(name)?.length) doc[name] = topLevel.get(name);
}

export function exportDeclarative(snapshot: Snapshot, opts: ExportOptions): string {
  const doc: Obj = { _format_version: '3.0', _transform: false };
  if (opts.nested) nestedDocument(snapshot, opts, doc);
  else {
    const record = snapshot as unknown as Record<string, readonly Row[] | undefined>;
    for (const schema of ENTITIES.values()) {
      const rows = record[schema.name];
      if (rows?.length) doc[schema.name] = [...rows].sort(byId).map((row) => writeRow(schema, row, opts));
    }
  }
  if (opts.format === 'json') return JSON.stringify(doc, null, 2) + '\n';
  return yaml().stringify(doc, { lineWidth: 0, aliasDuplicateObjects: false });
}

// Declarative document -> Snapshot, validated in full first. Three passes, as Kong's loader:
//   1. structure and every entity's schema (all bad entities listed),
//   2. references between entities and duplicate keys/ids inside the file,
//   3. unique fields across the file.
// A pass reports only when the passes before it found nothing, so a message never stems from an earlier error.
import { ENTITIES, compositeKeyFields, compositeKeyOf, validateEntity } from '@tollgate/schema';
import type { EntitySchema, FieldList } from '@tollgate/schema';
import { randomUUID } from 'node:crypto';
import type { Row, Snapshot } from './snapshot';
import { annotationErrors, collectItems, isObj, Item, Obj, StructureError } from './collect';
import { applyDeckMeta, readDeckMeta } from './deck-meta';
import { assignIds } from './identify';
import { DeclarativeErrorBody, LoadError, declarativeError } from './error-tree';
import { FORMAT_VERSIONS, migrateToV3 } from './migrate';
import { foreignFields } from './relations';

export interface FlattenOptions {
  /** Plugin config schemas by plugin name; a plugin missing here is "not enabled". */
  readonly pluginSchemas?: ReadonlyMap<string, FieldList>;
  /** Clock (ms) for timestamps the file leaves out; default Date.now(). */
  readonly now?: number;
  /** Add Kong's `flattened_errors` (POST /config?flatten_errors=1); entity errors then leave `fields`. */
  readonly flattenErrors?: boolean;
  /**
   * Validates one entity; default libs/schema's validateEntity. Callers with rules the schemas cannot express
   * (plugin cross-field checks) pass theirs, so a file is held to exactly what the Admin API enforces.
   */
  readonly validate?: typeof validateEntity;
  /** Receives what the file gets away with but should know about: migrated paths, ignored decK metadata. */
  readonly warnings?: string[];
}

export type FlattenResult =
  | { readonly ok: true; readonly snapshot: Snapshot }
  | { readonly ok: false; readonly error: DeclarativeErrorBody };

// stands in for an unresolved reference during pass 1, so a bad reference is reported once, in pass 2
const UNRESOLVED = '00000000-0000-4000-8000-000000000000';

const uniqueness = (entity: string, key: string, value: unknown) =>
  `uniqueness violation: '${entity}' entity with ${key} set to '${String(value)}' already declared`;

function checkMeta(doc: Obj, errors: LoadError[]): void {
  const version = doc._format_version;
  if (version === undefined || version === null) errors.push({ path: ['_format_version'], message: 'required field missing' });
  else if (typeof version !== 'string') errors.push({ path: ['_format_version'], message: 'expected a string' });
  else if (!(FORMAT_VERSIONS as readonly string[]).includes(version)) {
    errors.push({ path: ['_format_version'], message: `expected one of: ${FORMAT_VERSIONS.join(', ')}` });
  }
  if (doc._transform !== undefined && doc._transform !== null && typeof doc._transform !== 'boolean') {
    errors.push({ path: ['_transform'], message: 'expected a boolean' });
  }
  errors.push(...annotationErrors(doc, []));
}

interface EntityIndex {
  readonly byId: Map<string, Item>;
  readonly byKey: Map<string, Item>;
}

function uniqueEndpointKey(schema: EntitySchema): string | undefined {
  const key = schema.endpointKey;
  return key && schema.fields.find(([name]) => name === key)?.[1].unique ? key : undefined;
}

/** Pass 2 material: the per-entity indexes, with duplicate ids and endpoint keys reported. */
function indexItems(items: readonly Item[], errors: LoadError[]): Map<string, EntityIndex> {
  const indexes = new Map<string, EntityIndex>();
  for (const name of ENTITIES.keys()) indexes.set(name, { byId: new Map(), byKey: new Map() });
  for (const item of items) {
    const index = indexes.get(item.entity)!;
    const keyField = uniqueEndpointKey(item.schema);
    const key = keyField ? item.input[keyField] : undefined;
    let failed = false;
    if (typeof key === 'string' || typeof key === 'number') {
      if (index.byKey.has(String(key))) {
        errors.push({ path: item.path, item, message: uniqueness(item.entity, keyField!, key) });
        failed = true;
      } else index.byKey.set(String(key), item);
    }
    if (!failed && index.byId.has(item.id)) {
      errors.push({ path: item.path, item, message: uniqueness(item.entity, 'primary key', item.id) });
    } else if (!failed) index.byId.set(item.id, item);
  }
  return indexes;
}

/** Rewrites every foreign key to {id}: nested children inherit the parent, top-level ones name it by id or key. */
function resolveReferences(items: readonly Item[], indexes: Map<string, EntityIndex>, errors: LoadError[]): void {
  for (const item of items) {
    for (const [field, def] of foreignFields(item.schema)) {
      if (item.parent && item.parent.field === field) {
        item.input[field] = { id: item.parent.item.id };
        continue;
      }
      const value = item.input[field];
      if (value === undefined || value === null) continue;
      const index = indexes.get(def.reference!);
      if (!index) continue;
      const key = isObj(value) ? value.id : value;
      const found = typeof key === 'string' ? index.byKey.get(key) ?? index.byId.get(key) : undefined;
      if (found) {
        item.input[field] = { id: found.id };
        continue;
      }
      const keyField = uniqueEndpointKey(item.schema);
      const at = keyField && item.input[keyField] != null ? String(item.input[keyField]) : item.id;
      const shown = typeof value === 'string' ? value : JSON.stringify(value);
      errors.push({
        path: [item.entity, at], item, list: true,
        message: `invalid reference '${field}: ${shown}' (no such entry in '${def.reference}')`,
      });
      item.input[field] = { id: UNRESOLVED };
    }
  }
}

function stamp(kind: 'seconds' | 'milliseconds', nowMs: number): number {
  return kind === 'milliseconds' ? Math.round(nowMs) / 1000 : Math.floor(nowMs / 1000);
}

/** Auto fields the file left out: the id decided earlier, timestamps = now, generated strings (credential keys). */
function withAutoValues(item: Item, nowMs: number): Obj {
  const out: Obj = { ...item.input, id: item.id };
  for (const [name, def] of item.schema.fields) {
    if (!def.auto || (out[name] !== undefined && out[name] !== null)) continue;
    if (def.timestamp) out[name] = stamp(def.timestamp, nowMs);
    else if (!def.uuid) out[name] = randomUUID().replace(/-/g, '');
  }
  return out;
}

/** Admin API shape: every field in schema order, unset = null, foreign keys as {id}; transient inputs left out. */
function toRow(schema: EntitySchema, value: Obj): Obj {
  const row: Obj = {};
  for (const [name, def] of schema.fields) {
    if (def.transient) continue;
    const v = value[name];
    if (def.type === 'foreign') row[name] = isObj(v) && typeof v.id === 'string' ? { id: v.id } : null;
    else row[name] = v === undefined ? null : v;
  }
  return row;
}

/** A parent's transient field named after a child collection (certificates.snis) lists the children's keys. */
function fillTransientChildLists(rowsByEntity: Map<string, Obj[]>): void {
  for (const parent of ENTITIES.values()) {
    for (const [fieldName, def] of parent.fields) {
      const child = def.transient ? ENTITIES.get(fieldName) : undefined;
      const parentRows = rowsByEntity.get(parent.name);
      if (!child || !child.endpointKey || !parentRows) continue;
      const fk = foreignFields(child).find(([, d]) => d.reference === parent.name)?.[0];
      if (!fk) continue;
      const names = new Map<string, string[]>();
      for (const row of rowsByEntity.get(child.name) ?? []) {
        const parentId = (row[fk] as { id?: string } | null)?.id;
        if (parentId) names.set(parentId, [...(names.get(parentId) ?? []), String(row[child.endpointKey])]);
      }
      for (const row of parentRows) row[fieldName] = (names.get(row.id as string) ?? []).sort();
    }
  }
}

function uniqueFieldErrors(rowsByEntity: Map<string, Obj[]>, errors: LoadError[]): void {
  for (const [entity, rows] of rowsByEntity) {
    const schema = ENTITIES.get(entity)!;
    for (const [name, def] of schema.fields) {
      if (!def.unique) continue;
      const seen = new Set<string>();
      for (const row of rows) {
        const raw = row[name];
        if (raw === null || raw === undefined) continue;
        const value = isObj(raw) ? String(raw.id) : String(raw);
        if (!seen.has(value)) {
          seen.add(value);
          continue;
        }
        const at = schema.endpointKey && row[schema.endpointKey] != null ? String(row[schema.endpointKey]) : String(row.id);
        errors.push({ path: [entity, at], message: uniqueness(entity, name, value) });
      }
    }
  }
}

/** The database's composite UNIQUE (cache_key): the same plugin twice on one service, a target twice per upstream. */
function compositeKeyErrors(rowsByEntity: Map<string, Obj[]>, errors: LoadError[]): void {
  for (const [entity, rows] of rowsByEntity) {
    const schema = ENTITIES.get(entity)!;
    const fields = compositeKeyFields(schema);
    if (!fields) continue;
    const seen = new Set<string>();
    for (const row of rows) {
      const key = compositeKeyOf(schema, row)!;
      if (!seen.has(key)) {
        seen.add(key);
        continue;
      }
      const value = fields.map((name) => {
        const v = row[name];
        return isObj(v) ? String(v.id) : v === null || v === undefined ? 'null' : String(v);
      });
      const at = schema.endpointKey && row[schema.endpointKey] != null ? String(row[schema.endpointKey]) : String(row.id);
      errors.push({ path: [entity, at], message: uniqueness(entity, `(${fields.join(', ')})`, `(${value.join(', ')})`) });
    }
  }
}

export function flattenDeclarative(doc: unknown, opts: FlattenOptions = {}): FlattenResult {
  const fail = (errors: LoadError[]): FlattenResult => ({ ok: false, error: declarativeError(errors, !!opts.flattenErrors) });
  if (!isObj(doc)) return fail([{ path: ['error'], message: 'failed parsing declarative configuration: expected an object' }]);

  const pass1: LoadError[] = [];
  checkMeta(doc, pass1);
  const warnings = opts.warnings ?? [];
  const source = typeof doc._format_version === 'string' && doc._format_version !== '3.0' ? migrateToV3(doc, warnings) : doc;
  const metaErrors: StructureError[] = [];
  const meta = readDeckMeta(source, metaErrors, warnings);
  pass1.push(...metaErrors);
  const { items, errors: structure } = collectItems(source);
  pass1.push(...structure);
  applyDeckMeta(items, meta);
  assignIds(items);
  const pass2: LoadError[] = [];
  const indexes = indexItems(items, pass2);
  resolveReferences(items, indexes, pass2);

  const transform = source._transform !== false;
  const nowMs = opts.now ?? Date.now();
  const rowsByEntity = new Map<string, Obj[]>();
  const validate = opts.validate ?? validateEntity;
  for (const item of items) {
    const result = validate(item.schema, withAutoValues(item, nowMs), {
      mode: 'insert', autoFields: false, transform, pluginSchemas: opts.pluginSchemas, now: nowMs,
    });
    if (!result.ok) {
      pass1.push({ path: item.path, item, tree: result.fields as Obj });
      continue;
    }
    const rows = rowsByEntity.get(item.entity) ?? [];
    rows.push(toRow(item.schema, result.value));
    rowsByEntity.set(item.entity, rows);
  }
  if (pass1.length) return fail(pass1);
  if (pass2.length) return fail(pass2);
  const pass3: LoadError[] = [];
  uniqueFieldErrors(rowsByEntity, pass3);
  compositeKeyErrors(rowsByEntity, pass3);
  if (pass3.length) return fail(pass3);

  fillTransientChildLists(rowsByEntity);
  const snapshot: Record<string, unknown> = { _format_version: '3.0' };
  for (const name of ENTITIES.keys()) {
    const rows = rowsByEntity.get(name);
    if (rows?.length) snapshot[name] = rows as Row[];
  }
  return { ok: true, snapshot: snapshot as unknown as Snapshot };
}

// Vault references (`{vault://env/NAME}`) in the fields Kong marks referenceable are resolved here, on the data
// plane, before compiling: the Admin API stores and returns the reference, only the proxy sees the secret. A
// reference that does not resolve leaves the field empty (Kong: nil) and is logged with the entity it belongs to.
import type { Row, Snapshot, VersionedSnapshot } from '@tollgate/declarative/snapshot';
import { certificates, isReference, resolveReference, type FieldDef, type FieldList, type VaultContext, type VaultRow } from '@tollgate/schema';

export interface ReferenceOptions {
  /** Plugin config fields by plugin name (the registry's schemas). */
  readonly pluginSchemas: ReadonlyMap<string, FieldList>;
  readonly env?: NodeJS.ProcessEnv;
  readonly warn?: (obj: object, msg: string) => void;
}

type Obj = Record<string, unknown>;

/** Rows already resolved against the same vaults list: unchanged rows keep their identity across versions. */
const cache = new WeakMap<Row, { vaults: readonly Row[] | undefined; resolved: Row }>();

export function resolveSnapshotReferences(snapshot: VersionedSnapshot, opts: ReferenceOptions): VersionedSnapshot {
  const cfg = snapshot.config;
  const ctx: VaultContext = {
    vaults: new Map((cfg.vaults ?? []).map((v) => [String(v.prefix), v as unknown as VaultRow])),
    env: opts.env ?? process.env,
  };
  const certs = resolveRows(cfg.certificates, cfg.vaults, (row) => resolveRecord(certificates.fields, row, ctx, failure(opts, 'certificates', row)) as Row);
  const plugins = resolveRows(cfg.plugins, cfg.vaults, (row) => {
    const fields = opts.pluginSchemas.get(String(row.name));
    const config = row.config as Obj | null | undefined;
    if (!fields || !config) return row;
    const resolved = resolveRecord(fields, config, ctx, failure(opts, 'plugins', row));
    return resolved === config ? row : { ...row, config: resolved };
  });
  if (certs === cfg.certificates && plugins === cfg.plugins) return snapshot;
  const config: Snapshot = { ...cfg, certificates: certs, plugins };
  return { ...snapshot, config };
}

function failure(opts: ReferenceOptions, entity: string, row: Row) {
  return (field: string, reference: string, error: string) =>
    opts.warn?.({ entity, id: row.id, field, reference, error }, `could not resolve the vault reference of ${entity}.${field}`);
}

function resolveRows(rows: readonly Row[] | undefined, vaults: readonly Row[] | undefined, resolve: (row: Row) => Row): readonly Row[] | undefined {
  if (!rows) return rows;
  let changed = false;
  const out = rows.map((row) => {
    const hit = cache.get(row);
    const resolved = hit && hit.vaults === vaults ? hit.resolved : resolve(row);
    if (resolved !== row) cache.set(row, { vaults, resolved });
    if (resolved !== row) changed = true;
    return resolved;
  });
  return changed ? out : rows;
}

type OnFailure = (field: string, reference: string, error: string) => void;

/** Returns `record` itself when it holds no reference. */
function resolveRecord(fields: FieldList, record: Obj, ctx: VaultContext, fail: OnFailure, path = ''): Obj {
  let out: Obj | null = null;
  for (const [name, def] of fields) {
    const value = record[name];
    const next = resolveValue(def, value, ctx, fail, `${path}${name}`);
    if (next !== value) (out ??= { ...record })[name] = next;
  }
  return out ?? record;
}

function resolveValue(def: FieldDef, value: unknown, ctx: VaultContext, fail: OnFailure, path: string): unknown {
  if (value === null || value === undefined) return value;
  if (def.type === 'string' && def.referenceable && isReference(value)) {
    const result = resolveReference(value, ctx);
    if (result.ok) return result.value;
    fail(path, value, result.error);
    return null;
  }
  if ((def.type === 'array' || def.type === 'set') && def.elements && Array.isArray(value)) {
    const items = value.map((item, i) => resolveValue(def.elements!, item, ctx, fail, `${path}[${i + 1}]`));
    return items.some((item, i) => item !== value[i]) ? items : value;
  }
  if (def.type === 'map' && def.values && typeof value === 'object') {
    let out: Obj | null = null;
    for (const [k, v] of Object.entries(value as Obj)) {
      const next = resolveValue(def.values, v, ctx, fail, `${path}.${k}`);
      if (next !== v) (out ??= { ...(value as Obj) })[k] = next;
    }
    return out ?? value;
  }
  if (def.type === 'record' && def.fields && typeof value === 'object') return resolveRecord(def.fields, value as Obj, ctx, fail, `${path}.`);
  return value;
}

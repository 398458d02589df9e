// GET /config/releases/{n}/diff: what changed between two configurations, entity by entity, field by field.
// Secrets never leave through a diff: credential secrets and private keys show as "******" (a change of one is
// still visible as a change, not its value).
import { ENTITIES } from '@tollgate/schema';
import type { Row, Snapshot } from '@tollgate/declarative';
import { canonicalJson } from '@tollgate/declarative';

export interface FieldChange {
  readonly from: unknown;
  readonly to: unknown;
}

export interface EntityChange {
  readonly op: 'create' | 'update' | 'delete';
  readonly entity: string;
  readonly id: string;
  readonly name: string | null;
  /** Changed fields (update), or every set field (create: from null; delete: to null). */
  readonly fields: Record<string, FieldChange>;
}

export interface ReleaseDiff {
  readonly from: number;
  readonly to: number;
  readonly changes: EntityChange[];
}

export const REDACTED = '******';

/** Fields holding secrets, per entity (Kong's credential secrets and certificate private keys). */
const SECRET_FIELDS: Readonly<Record<string, readonly string[]>> = {
  keyauth_credentials: ['key'],
  basicauth_credentials: ['password'],
  hmacauth_credentials: ['secret'],
  jwt_secrets: ['secret'],
  oauth2_credentials: ['client_secret'],
  certificates: ['key', 'key_alt'],
};

/** The name a person recognises an entity by: its endpoint key (name, username, key...) when it has one. */
function displayName(entity: string, row: Row): string | null {
  const key = ENTITIES.get(entity)?.endpointKey;
  // a credential's endpoint key can be its secret (key-auth's `key`): never a name then
  const usable = key && !SECRET_FIELDS[entity]?.includes(key) ? key : undefined;
  const value = (usable && row[usable]) ?? row.name ?? row.username;
  return typeof value === 'string' ? value : null;
}

function redact(entity: string, field: string, value: unknown): unknown {
  return value !== null && value !== undefined && SECRET_FIELDS[entity]?.includes(field) ? REDACTED : value;
}

const same = (a: unknown, b: unknown) => canonicalJson(a ?? null) === canonicalJson(b ?? null);
const IGNORED = new Set(['id', 'created_at', 'updated_at']);

function fieldChanges(entity: string, before: Row | undefined, after: Row | undefined): Record<string, FieldChange> {
  const out: Record<string, FieldChange> = {};
  const names = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  for (const field of names) {
    if (IGNORED.has(field)) continue;
    const from = before?.[field] ?? null;
    const to = after?.[field] ?? null;
    if (same(from, to)) continue;
    out[field] = { from: redact(entity, field, from), to: redact(entity, field, to) };
  }
  return out;
}

/** Changes taking `before` to `after`, in schema order (parents first), rows by id. */
export function diffConfigs(before: Snapshot, after: Snapshot): EntityChange[] {
  const a = before as unknown as Record<string, readonly Row[] | undefined>;
  const b = after as unknown as Record<string, readonly Row[] | undefined>;
  const changes: EntityChange[] = [];
  const names = [...ENTITIES.keys(), ...Object.keys(b).filter((n) => Array.isArray(b[n]) && !ENTITIES.has(n))];
  for (const entity of names) {
    const old = new Map((a[entity] ?? []).map((row) => [row.id, row]));
    const next = new Map((b[entity] ?? []).map((row) => [row.id, row]));
    const ids = [...new Set([...old.keys(), ...next.keys()])].sort();
    for (const id of ids) {
      const from = old.get(id);
      const to = next.get(id);
      if (from && to) {
        const fields = fieldChanges(entity, from, to);
        if (Object.keys(fields).length) changes.push({ op: 'update', entity, id, name: displayName(entity, to), fields });
      } else if (to) changes.push({ op: 'create', entity, id, name: displayName(entity, to), fields: fieldChanges(entity, undefined, to) });
      else if (from) changes.push({ op: 'delete', entity, id, name: displayName(entity, from), fields: fieldChanges(entity, from, undefined) });
    }
  }
  return changes;
}

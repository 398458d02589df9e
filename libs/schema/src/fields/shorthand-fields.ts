// Kong's `shorthand_fields` of a record (plugin configs): a flat input key such as `redis_host` that stands for a
// path in the record (`redis.host`). On input it is validated with its own definition and moved to its path (a
// different explicit value at the path is an error, as Kong's deprecation check); on output it is echoed back
// from the path, as Kong does for deprecated shorthands on select.
import type { FieldDef, FieldList } from '../types';

export interface ShorthandField {
  readonly name: string;
  readonly field: FieldDef;
  /** Where the value lives in the record, e.g. ['redis', 'host']; [] accepts the key and drops it. */
  readonly path: readonly string[];
  /** Rewrites the value on its way to the path (session's cookie_samesite 'off' -> 'Lax'). */
  readonly map?: (value: unknown) => unknown;
  /** Kong's deprecated forms with `replaced_with` are echoed on output and must agree with the path; plain
   *  shorthands (echo: false) are input only. Default true. */
  readonly echo?: boolean;
}

const KEY = 'shorthandFields';

/** Attaches shorthand fields to a record's FieldList (kept across copies made by the caller: attach last). */
export function withShorthandFields(fields: FieldList, shorthands: readonly ShorthandField[]): FieldList {
  Object.defineProperty(fields, KEY, { value: shorthands, enumerable: false, configurable: true });
  return fields;
}

export function shorthandFieldsOf(fields: FieldList | undefined): readonly ShorthandField[] {
  return ((fields as unknown as Record<string, unknown> | undefined)?.[KEY] as readonly ShorthandField[] | undefined) ?? [];
}

/** Shorthands that map onto `prefix.*` record fields one to one (`redis_host` -> `redis.host`). */
export function flatShorthands(prefix: string, record: FieldList, names: readonly string[], overrides: Readonly<Record<string, Partial<FieldDef>>> = {}): ShorthandField[] {
  const defs = new Map(record);
  return names.map((name) => {
    const def = defs.get(name);
    if (!def) throw new Error(`shorthand ${prefix}_${name}: no field '${name}' in ${prefix}`);
    const field: FieldDef = { type: def.type, ...overrides[name] };
    return { name: `${prefix}_${name}`, field, path: [prefix, name] };
  });
}

function getPath(value: unknown, path: readonly string[]): unknown {
  let node = value;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    const copy = next !== null && typeof next === 'object' && !Array.isArray(next) ? { ...(next as Record<string, unknown>) } : {};
    node[key] = copy;
    node = copy;
  }
  node[path[path.length - 1]] = value;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Moves shorthand keys of `input` to their paths. `validate` checks a shorthand value against its definition
 * (returns an error message or tree); errors are reported under the shorthand's name.
 */
export function expandShorthandFields(
  fields: FieldList,
  input: Record<string, unknown>,
  validate: (def: FieldDef, value: unknown) => unknown,
  errors: Record<string, unknown>,
): Record<string, unknown> {
  const shorthands = shorthandFieldsOf(fields);
  if (shorthands.length === 0) return input;
  let out: Record<string, unknown> | null = null;
  for (const s of shorthands) {
    if (!Object.prototype.hasOwnProperty.call(input, s.name)) continue;
    out ??= { ...input };
    const raw = out[s.name];
    delete out[s.name];
    if (raw === undefined || raw === null) continue;
    const error = validate(s.field, raw);
    if (error !== undefined) {
      errors[s.name] = error;
      continue;
    }
    if (s.path.length === 0) continue;
    const value = s.map ? s.map(raw) : raw;
    const current = getPath(out, s.path);
    if (s.echo !== false && current !== undefined && current !== null && !same(current, value)) {
      errors[s.name] = `both deprecated and new field are used but their values mismatch: ${s.name} = ${String(raw)} vs ${s.path.join('.')} = ${String(current)}`;
      continue;
    }
    setPath(out, s.path, value);
  }
  return out ?? input;
}

/** The record as Kong selects it: each shorthand echoed from its path (null when unset). */
export function echoShorthandFields(fields: FieldList | undefined, value: Record<string, unknown>): Record<string, unknown> {
  const shorthands = shorthandFieldsOf(fields);
  if (!shorthands.some((s) => s.echo !== false)) return value;
  const out = { ...value };
  for (const s of shorthands) if (s.echo !== false && s.path.length) out[s.name] = getPath(value, s.path) ?? null;
  return out;
}

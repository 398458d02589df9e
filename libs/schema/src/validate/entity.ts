// validateEntity: shorthands -> prepare -> (PATCH merge) -> auto fields -> field validation with defaults ->
// entity checks -> transform. The value returned is complete (every field, unset = null) and ready to store.
import { EntitySchema, FieldErrors, FieldList, ValidateOptions, ValidationResult } from '../types';
import { MSG } from '../fields/messages';
import { isPlainObject, Obj, ValueError } from './helpers';
import { mergeForUpdate } from './merge';
import { withAutoFields } from './auto-fields';
import { applyChecks, validateRecordValue, validateValue } from './value';
import { hasOwn, sameValue, setOwn } from './hostile-input';

function expandShorthands(schema: EntitySchema, input: Obj, opts: ValidateOptions, errors: Record<string, ValueError>): Obj {
  let out: Obj = { ...input };
  for (const shorthand of schema.shorthands ?? []) {
    if (!hasOwn(out, shorthand.name)) continue;
    const raw = out[shorthand.name];
    delete out[shorthand.name];
    if (raw === undefined || raw === null) continue;
    const { error } = validateValue(shorthand.field, raw, opts);
    if (error !== undefined) {
      errors[shorthand.name] = error;
      continue;
    }
    // the expansion wins over explicit fields given alongside it, as in Kong
    out = { ...out, ...shorthand.expand(raw) };
  }
  return out;
}

function immutableErrors(schema: EntitySchema, patch: Obj, previous: Obj, errors: Record<string, ValueError>): void {
  for (const [name, def] of schema.fields) {
    if (def.immutable && hasOwn(patch, name) && !sameValue(patch[name], previous[name])) {
      errors[name] = MSG.IMMUTABLE;
    }
  }
}

export function validateEntity(schema: EntitySchema, input: Record<string, unknown>, opts: ValidateOptions): ValidationResult {
  if (!isPlainObject(input)) return { ok: false, fields: { '@entity': [MSG.expected('a record')] } };
  const errors: Record<string, ValueError> = {};
  let work = expandShorthands(schema, input, opts, errors);
  if (schema.prepare) work = schema.prepare(work, opts.mode);
  const previous = opts.mode === 'update' ? opts.previous ?? {} : undefined;
  if (previous) {
    immutableErrors(schema, work, previous, errors);
    work = mergeForUpdate(schema.fields, previous, work, opts);
  }
  if (opts.autoFields !== false) work = withAutoFields(schema, work, opts.now ?? Date.now(), previous);
  const result = validateRecordValue(schema.fields, work, opts);
  const value = result.value as Obj;
  // own copies: an error keyed `__proto__` must stay an error, not become the prototype
  if (isPlainObject(result.error)) for (const key of Object.keys(result.error)) setOwn(errors, key, result.error[key]);
  const fieldErrors = { ...errors };
  if (schema.entityChecks) applyChecks(schema.entityChecks, value, fieldErrors);
  if (Object.keys(fieldErrors).length > 0) return { ok: false, fields: fieldErrors as FieldErrors };
  const stored = schema.transform && opts.transform !== false ? schema.transform(value, opts.previous) : value;
  return { ok: true, value: stored };
}

/** Validates a plugin config (or any record) with the same language; absent fields get defaults. */
export function validateConfigRecord(fields: FieldList, input: unknown, opts: Partial<ValidateOptions> = {}): ValidationResult {
  const options: ValidateOptions = { mode: 'insert', ...opts };
  const result = validateValue({ type: 'record', fields }, input === undefined ? {} : input, options);
  if (result.error === undefined) return { ok: true, value: result.value as Obj };
  const fieldsTree = typeof result.error === 'string' ? { '@entity': [result.error] } : result.error;
  return { ok: false, fields: fieldsTree as FieldErrors };
}

// PATCH semantics: given keys replace stored ones, except records which merge key by key (plugin `config`,
// upstream `healthchecks`); arrays, sets and maps are replaced wholesale; an explicit null clears.
import { FieldList, ValidateOptions } from '../types';
import { deepCopy, isPlainObject, Obj } from './helpers';

export function mergeRecord(fields: FieldList | undefined, previous: Obj, patch: Obj, entity: Obj, opts: ValidateOptions): Obj {
  const out: Obj = deepCopy(previous);
  const defs = new Map(fields ?? []);
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    const def = defs.get(key);
    const before = previous[key];
    if (def?.type === 'record' && isPlainObject(value) && isPlainObject(before)) {
      const subFields = def.resolveFields ? def.resolveFields(entity, opts) : def.fields;
      out[key] = mergeRecord(subFields, before, value, entity, opts);
    } else {
      out[key] = deepCopy(value);
    }
  }
  return out;
}

/** Merges a PATCH body onto the stored entity. Fields of dynamic records are resolved on the merged entity. */
export function mergeForUpdate(fields: FieldList, previous: Obj, patch: Obj, opts: ValidateOptions): Obj {
  const shallow = { ...previous, ...patch };
  return mergeRecord(fields, previous, patch, shallow, opts);
}

// PATCH semantics: given keys replace stored ones, except records which merge key by key (plugin `config`,
// upstream `healthchecks`); arrays, sets and maps are replaced wholesale; an explicit null clears.
import { FieldList, ValidateOptions } from '../types';
import { deepCopy, isPlainObject, Obj } from './helpers';
import { getOwn, setOwn } from './hostile-input';
import { expandShorthandFields, shorthandFieldsOf } from '../fields/shorthand-fields';

export function mergeRecord(fields: FieldList | undefined, previous: Obj, patch: Obj, entity: Obj, opts: ValidateOptions): Obj {
  const out: Obj = deepCopy(previous);
  // shorthands echoed in the stored shape are not inputs; the patch's own move to their paths before merging
  // (an invalid shorthand value stays as given: the validation after the merge reports it)
  for (const s of shorthandFieldsOf(fields)) delete out[s.name];
  if (fields) patch = expandShorthandFields(fields, patch, () => undefined, {});
  const defs = new Map(fields ?? []);
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    const def = defs.get(key);
    const before = getOwn(previous, key);
    if (def?.type === 'record' && isPlainObject(value) && isPlainObject(before)) {
      const subFields = def.resolveFields ? def.resolveFields(entity, opts) : def.fields;
      setOwn(out, key, mergeRecord(subFields, before, value, entity, opts));
    } else {
      // keys are client-chosen (`__proto__` must stay a key, reported as unknown); copied iteratively
      setOwn(out, key, deepCopy(value));
    }
  }
  return out;
}

/** Merges a PATCH body onto the stored entity. Fields of dynamic records are resolved on the merged entity. */
export function mergeForUpdate(fields: FieldList, previous: Obj, patch: Obj, opts: ValidateOptions): Obj {
  const shallow = { ...previous, ...patch }; // spread defines own properties, `__proto__` included
  return mergeRecord(fields, previous, patch, shallow, opts);
}

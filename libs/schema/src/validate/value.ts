// Validates one value against its FieldDef, recursively. JSON is never coerced; sets drop duplicates keeping order;
// absent record fields get their defaults; unknown record keys are errors.
import { EntityCheck, FieldDef, FieldList, ValidateOptions } from '../types';
import { MSG } from '../fields/messages';
import { isUuid } from '../fields/strings';
import { defaultFor, isPlainObject, Obj, setKey, ValueError } from './helpers';
import { getOwn, MAX_VALUE_DEPTH, nestsDeeperThan, setOwn } from './hostile-input';
import { runValidators } from './scalar-checks';
import { expandShorthandFields } from '../fields/shorthand-fields';
import { randomKey } from './auto-fields';
import { isReference } from '../vault/reference';

const ENTITY_KEY = '@entity';

export interface ValueResult {
  readonly value: unknown;
  readonly error?: ValueError;
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string', integer: 'an integer', number: 'a number', boolean: 'a boolean',
  array: 'an array', set: 'a set', map: 'a map', record: 'a record', foreign: 'a record',
};

function typeMatches(def: FieldDef, value: unknown): boolean {
  switch (def.type) {
    case 'string': return typeof value === 'string';
    case 'integer': return typeof value === 'number' && Number.isInteger(value);
    case 'number': return typeof value === 'number' && Number.isFinite(value);
    case 'boolean': return typeof value === 'boolean';
    case 'array': case 'set': return Array.isArray(value);
    case 'map': case 'record': case 'foreign': return isPlainObject(value);
    default: return true;
  }
}

/** A value the schema does not describe all the way down is stored as given: hold it to the depth bound. */
function isUntyped(def: FieldDef): boolean {
  switch (def.type) {
    case 'array': case 'set': return !def.elements;
    case 'map': return !def.values;
    case 'json': return true;
    default: return false;
  }
}

export function validateValue(def: FieldDef, input: unknown, opts: ValidateOptions): ValueResult {
  const value = input === undefined ? defaultFor(def) : input;
  if (value === null) return def.required ? { value, error: MSG.REQUIRED } : { value };
  if (!typeMatches(def, value)) return { value, error: MSG.expected(TYPE_NAMES[def.type] ?? def.type) };
  if (isUntyped(def) && nestsDeeperThan(value, MAX_VALUE_DEPTH)) return { value, error: MSG.tooDeep(MAX_VALUE_DEPTH) };
  switch (def.type) {
    case 'array': case 'set': return validateList(def, value as unknown[], opts);
    case 'map': return validateMap(def, value as Obj, opts);
    case 'record': {
      const result = validateRecordValue(def.fields ?? [], value as Obj, opts, def.entity_checks);
      // Kong runs a record's custom_validator once its fields are valid (typedefs.pem)
      const error = result.error === undefined ? def.custom?.(result.value) : undefined;
      return error ? { value: result.value, error } : result;
    }
    case 'foreign': return validateForeign(value as Obj);
    default: {
      // Kong: a reference in a referenceable field is valid as it stands; its secret is checked where it is used
      if (def.referenceable && isReference(value)) return { value };
      const error = runValidators(def, value);
      return error ? { value, error } : { value: def.normalize && !error ? def.normalize(value) : value };
    }
  }
}

function validateList(def: FieldDef, input: unknown[], opts: ValidateOptions): ValueResult {
  let list = input;
  if (def.type === 'set') {
    const seen = new Set<string>();
    list = input.filter((item) => {
      const key = setKey(item);
      if (key === undefined) return true;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  }
  const errors: (ValueError | null)[] = [];
  const out = list.map((item, index) => {
    if (!def.elements) return item;
    // an element may not be null: Kong reports the element type instead
    const result = item === null || item === undefined
      ? { value: item, error: MSG.expected(TYPE_NAMES[def.elements.type] ?? def.elements.type) }
      : validateValue(def.elements, item, opts);
    if (result.error !== undefined) errors[index] = result.error;
    return result.value;
  });
  if (errors.length > 0) return { value: out, error: Array.from(errors, (e) => e ?? null) };
  const error = runValidators(def, out);
  return error ? { value: out, error } : { value: out };
}

function validateMap(def: FieldDef, input: Obj, opts: ValidateOptions): ValueResult {
  const out: Obj = {};
  const errors: Record<string, ValueError> = {};
  for (const [key, item] of Object.entries(input)) {
    const keyError = def.keys ? validateValue(def.keys, key, opts).error : undefined;
    // map keys are client-chosen (`__proto__` is a valid header name): always own properties
    if (keyError !== undefined) {
      setOwn(errors, key, keyError);
      continue;
    }
    const result = def.values ? validateValue(def.values, item, opts) : { value: item };
    if (result.error !== undefined) setOwn(errors, key, result.error);
    setOwn(out, key, result.value);
  }
  if (Object.keys(errors).length > 0) return { value: out, error: errors };
  const error = def.custom?.(out);
  return error ? { value: out, error } : { value: out };
}

function validateForeign(input: Obj): ValueResult {
  if (input.id === undefined || input.id === null) return { value: input, error: { id: MSG.MISSING_PK } };
  if (!isUuid(input.id)) return { value: input, error: { id: MSG.UUID } };
  return { value: { id: input.id } };
}

/** Validates an object against a FieldList; collects field errors, then runs the record's own checks. */
export function validateRecordValue(
  fields: FieldList,
  input: Obj,
  opts: ValidateOptions,
  checks?: readonly EntityCheck[],
): ValueResult {
  const known = new Set(fields.map(([name]) => name));
  const errors: Record<string, ValueError> = {};
  input = expandShorthandFields(fields, input, (def, raw) => validateValue(def, raw, opts).error, errors);
  for (const key of Object.keys(input)) if (!known.has(key) && input[key] !== undefined) unknownField(errors, key);
  const out: Obj = {};
  for (const [name, def] of fields) {
    const fieldDef = def.resolveFields ? resolved(def, input, opts) : def;
    if (!fieldDef) {
      out[name] = getOwn(input, name) ?? null;
      const issue = def.unresolved?.(input);
      if (issue && errors[issue.field] === undefined) errors[issue.field] = issue.message;
      continue;
    }
    let given = getOwn(input, name);
    // an auto string inside a record (oauth2's config.provision_key) is generated like an entity's auto key
    if (given == null && fieldDef.auto && fieldDef.type === 'string' && !fieldDef.uuid && opts.autoFields !== false) given = randomKey();
    const result = validateValue(fieldDef, given, opts);
    out[name] = result.value;
    if (result.error !== undefined) errors[name] = result.error;
  }
  if (checks) applyChecks(checks, out, errors);
  return Object.keys(errors).length > 0 ? { value: out, error: errors } : { value: out };
}

/** Reports an unknown body key. Keys are client-chosen: `__proto__` becomes an own error key, and a key named
 *  `@entity` joins the entity-level list (Kong's `@entity` is always a list of messages), so it reads
 *  `{"@entity": ["unknown field"]}`. */
function unknownField(errors: Record<string, ValueError>, key: string): void {
  if (key === ENTITY_KEY) addEntityMessage(errors, MSG.UNKNOWN_FIELD);
  else setOwn(errors, key, MSG.UNKNOWN_FIELD);
}

function addEntityMessage(errors: Record<string, ValueError>, message: string): void {
  const existing = getOwn(errors, ENTITY_KEY);
  const list: ValueError[] = Array.isArray(existing) ? (existing as ValueError[]) : [];
  if (!list.includes(message)) list.push(message);
  errors[ENTITY_KEY] = list;
}

function resolved(def: FieldDef, entity: Obj, opts: ValidateOptions): FieldDef | undefined {
  const fields = def.resolveFields!(entity, opts);
  return fields ? { ...def, fields } : undefined;
}

/** Runs entity checks: field-targeted messages go to that field, the rest to `@entity`. */
export function applyChecks(checks: readonly EntityCheck[], entity: Obj, errors: Record<string, ValueError>): void {
  const hadErrors = Object.keys(errors).length > 0;
  const failedFields = new Set(Object.keys(errors));
  for (const check of checks) {
    if (check.fields ? check.fields.some((f) => failedFields.has(f)) : hadErrors) continue;
    // Kong: a check over a field holding a vault reference waits for the secret (it is not known here)
    if (check.fields?.some((f) => isReference(entity[f]))) continue;
    for (const { field, message } of check.check(entity)) {
      if (field) {
        if (errors[field] === undefined) errors[field] = message;
      } else {
        addEntityMessage(errors, message);
      }
    }
  }
}

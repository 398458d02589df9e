import { FieldDef } from '../types';
import { deepCopy, MAX_VALUE_DEPTH, nestsDeeperThan } from './hostile-input';

export { deepCopy };

export type Obj = Record<string, unknown>;
/** An error for one value: a message, a nested tree (records, maps, foreign), or a per-element array. */
export type ValueError = string | { [key: string]: ValueError | ValueError[] } | (ValueError | null)[];

export const isPlainObject = (value: unknown): value is Obj =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Value used for an absent field: the declared default, a record of nested defaults, or null. */
export function defaultFor(def: FieldDef): unknown {
  if (def.default !== undefined) return deepCopy(def.default);
  if (def.type === 'record' && !def.nullable && def.fields) {
    const out: Obj = {};
    for (const [name, sub] of def.fields) out[name] = defaultFor(sub);
    return out;
  }
  return null;
}

/** Structural key used to drop duplicates from sets. undefined for an element nested beyond MAX_VALUE_DEPTH:
 *  it is kept as distinct (it fails validation anyway) because walking it recursively would overflow. */
export function setKey(value: unknown): string | undefined {
  if (nestsDeeperThan(value, MAX_VALUE_DEPTH)) return undefined;
  return structuralKey(value);
}

function structuralKey(value: unknown): string {
  if (isPlainObject(value)) {
    return '{' + Object.keys(value).sort().map((k) => JSON.stringify(k) + ':' + structuralKey(value[k])).join(',') + '}';
  }
  if (Array.isArray(value)) return '[' + value.map(structuralKey).join(',') + ']';
  return JSON.stringify(value) ?? 'undefined';
}

/** Kong counts an empty array/map/string as "not set" in at-least-one-of checks. */
export function isEmptyValue(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'string') return value.length === 0;
  if (isPlainObject(value)) return Object.keys(value).length === 0;
  return false;
}

// Kong's per-field validators, applied in Kong's order after the type check; the first failure wins.
import { FieldDef } from '../types';
import { MSG } from '../fields/messages';
import { isUuid } from '../fields/strings';

function lengthOf(value: unknown): number | undefined {
  if (typeof value === 'string') return [...value].length;
  if (Array.isArray(value)) return value.length;
  return undefined;
}

export function runValidators(def: FieldDef, value: unknown): string | undefined {
  if (typeof value === 'number') {
    if (def.between && (value < def.between[0] || value > def.between[1])) return MSG.between(def.between[0], def.between[1]);
    if (def.gt !== undefined && !(value > def.gt)) return MSG.gt(def.gt);
  }
  const length = lengthOf(value);
  if (length !== undefined) {
    if (def.len_eq !== undefined && length !== def.len_eq) return MSG.lenEq(def.len_eq);
    // Kong: a string field without len_min still refuses ""
    const min = def.len_min ?? (typeof value === 'string' ? 1 : undefined);
    if (min !== undefined && length < min) return MSG.lenMin(min);
    if (def.len_max !== undefined && length > def.len_max) return MSG.lenMax(def.len_max);
  }
  if (typeof value === 'string') {
    if (def.uuid && !isUuid(value)) return MSG.UUID;
    if (def.match && !def.match.test(value)) return def.matchMessage ?? MSG.invalidValue(value);
    if (def.starts_with !== undefined && !value.startsWith(def.starts_with)) return MSG.startsWith(def.starts_with);
  }
  if (def.one_of && !def.one_of.includes(value as string | number)) return MSG.oneOf(def.one_of);
  if (def.not_one_of && def.not_one_of.includes(value as string | number)) return MSG.notOneOf(def.not_one_of);
  if (def.mutually_exclusive_subsets && Array.isArray(value)) {
    const hit = def.mutually_exclusive_subsets.filter((subset) => subset.some((item) => value.includes(item)));
    if (hit.length > 1) return MSG.mutuallyExclusive(hit);
  }
  return def.custom?.(value);
}

// "name:value" lists of the request/response transformers, split once at compile time.

import { checkColonPair } from '@tollgate/schema/fields/strings';

export type Pair = readonly [string, string];

export function pairs(list: unknown): Pair[] {
  return ((list as string[] | null) ?? []).map((entry) => {
    const colon = entry.indexOf(':');
    return colon === -1 ? [entry, ''] : [entry.slice(0, colon), entry.slice(colon + 1)];
  });
}

export function names(list: unknown): string[] {
  return [...((list as string[] | null) ?? [])];
}

/** Kong's colon-separated list check: `invalid value: <entry>` for entries without `name:value`. */
export function colonPair(value: unknown): string | undefined {
  return typeof value === 'string' ? checkColonPair(value) : undefined;
}

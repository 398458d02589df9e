// The traditional_compatible priority of one HTTP matcher (§1.5). Kong packs these fields into a 64-bit
// number (match_weight | plain-hosts bit | header count | regex bit | regex_priority | prefix length); we keep
// them as a tuple and compare field by field, which orders identically for every value Kong's layout can hold.
// One deliberate difference: a negative regex_priority sorts below 0 (Kong's unsigned packing is ill-defined there).

import type { RouteRow } from '@tollgate/declarative/snapshot';

export interface HttpPriority {
  readonly matchWeight: number;
  readonly plainHostsOnly: number;
  readonly headerCount: number;
  readonly regexPath: number;
  readonly regexPriority: number;
  readonly prefixLength: number;
}

const MAX_HEADER_COUNT = 255;
const PREFIX_LENGTH_MASK = 0x7ffff;

function present(field: readonly unknown[] | null | undefined): boolean {
  return field !== null && field !== undefined && field.length > 0;
}

/** `paths` is the group this matcher covers: all regexes, or prefixes of one length, or null. */
export function httpPriority(route: RouteRow, paths: readonly string[] | null): HttpPriority {
  const headerNames = route.headers === null || route.headers === undefined ? 0 : Object.keys(route.headers).length;
  let matchWeight = 0;
  if (present(route.sources)) matchWeight++;
  if (present(route.destinations)) matchWeight++;
  if (present(route.methods)) matchWeight++;
  if (present(route.hosts)) matchWeight++;
  if (headerNames > 0) matchWeight++;
  if (present(route.snis)) matchWeight++;
  if (present(paths)) matchWeight++;
  // Kong tests `type(hosts) == "table"`: an empty list counts as plain-hosts-only, null does not.
  const plainHostsOnly = Array.isArray(route.hosts) && route.hosts.every((h) => !h.includes('*')) ? 1 : 0;
  const regexPath = paths !== null && paths.length > 0 && paths[0].startsWith('~') ? 1 : 0;
  const prefixLength = paths !== null && paths.length > 0 && regexPath === 0 ? Buffer.byteLength(paths[0]) & PREFIX_LENGTH_MASK : 0;
  return {
    matchWeight,
    plainHostsOnly,
    headerCount: Math.min(headerNames, MAX_HEADER_COUNT),
    regexPath,
    regexPriority: regexPath === 1 ? route.regex_priority ?? 0 : 0,
    prefixLength,
  };
}

/** Negative when `a` must be tried before `b`: higher priority first, then the larger id (atc-router's BTreeMap order). */
export function comparePriority(a: HttpPriority, aId: string, b: HttpPriority, bId: string): number {
  return (
    b.matchWeight - a.matchWeight ||
    b.plainHostsOnly - a.plainHostsOnly ||
    b.headerCount - a.headerCount ||
    b.regexPath - a.regexPath ||
    b.regexPriority - a.regexPriority ||
    b.prefixLength - a.prefixLength ||
    (aId > bId ? -1 : aId < bId ? 1 : 0)
  );
}

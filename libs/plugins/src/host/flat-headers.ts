// Adapters for gateways that keep headers as flat [name, value, name, value, ...] lists (apps/proxy builds
// upstream and downstream headers that way). They allocate only when a plugin actually changed something.
import type { PluginRun } from '../pipeline/plugin-run';
import { runHeaderFilter } from '../pipeline/run-phases';

/**
 * Applies the plugins' request header changes to an upstream header list, in place: every occurrence of a changed
 * name is dropped, then the new values are appended in the order the names were first changed. The list's own
 * entries keep their order ahead of the plugins' ones, and `run.request.upstreamFieldsAt` says where the plugins'
 * ones start (the host tests only those as field syntax): 0 when they set Host, which the host writes into the
 * list's first pair.
 */
export function applyRequestHeaderChanges(run: PluginRun, list: string[]): string[] {
  const changes = run.request.headerChanges;
  if (changes === null) {
    run.request.upstreamFieldsAt = list.length;
    return list;
  }
  // Host is the list's first pair, rewritten on every try by the host (a plugin's Host reaches it there)
  const hostKept = list[0] === 'Host';
  // one pass drops every field whose name changed; only names as long as a changed one are lower-cased
  let lengths = 0;
  let hostSet = false;
  for (const name of changes.keys()) {
    lengths |= lengthBit(name);
    if (name === 'host') hostSet = true;
  }
  for (let i = list.length - 2; i >= 0; i -= 2) {
    const name = list[i];
    if ((lengths & lengthBit(name)) === 0) continue;
    const lower = name.toLowerCase();
    if (lower.length === name.length && changes.has(lower) && !(hostKept && lower === 'host')) list.splice(i, 2);
  }
  // a Host the plugins set reaches the first pair: from there on, the list holds their values
  run.request.upstreamFieldsAt = hostKept && hostSet ? 0 : list.length;
  // forEach, not for..of: no [key, value] array per change
  changes.forEach(hostKept ? appendExceptHost : appendToList, list);
  return list;
}

/** A bit per name length (mod 32): a name whose bit is not in a set's mask is none of the set's names. */
const lengthBit = (name: string) => 1 << (name.length & 31);

function appendToList(this: string[], value: string | string[] | null, name: string): void {
  if (value === null) return;
  if (typeof value === 'string') this.push(name, value);
  else for (const v of value) this.push(name, v);
}

function appendExceptHost(this: string[], value: string | string[] | null, name: string): void {
  if (name !== 'host') appendToList.call(this, value, name);
}

/** true when header_filter has work: a plugin with header_filter, or headers queued during access. */
export function needsHeaderFilter(run: PluginRun): boolean {
  if (run.response.queued !== null) return true;
  if (run.firstChain.hasHeaderFilter === false && run.chain.hasHeaderFilter === false) return false;
  let found = false;
  run.forEachEntry((e) => {
    if (e.handler.header_filter) found = true;
  });
  return found;
}

/**
 * Runs header_filter over a downstream header list; returns the (possibly new) list. The same list back has its own
 * entries untouched, in place, and the plugins' fields (if any) appended after them.
 */
export function runHeaderFilterOnList(run: PluginRun, status: number, list: string[]): string[] {
  if (!needsHeaderFilter(run)) {
    run.response.status = status;
    return list;
  }
  if (!run.hasLaterPhases && appendQueued(run, list)) {
    run.response.status = status;
    return list;
  }
  const record: Record<string, string | string[] | number | undefined> = {};
  const names = new Map<string, string>(); // lower -> original spelling, to keep the upstream's casing
  for (let i = 0; i < list.length; i += 2) {
    const lower = list[i].toLowerCase();
    if (!names.has(lower)) names.set(lower, list[i]);
    const existing = record[lower];
    if (existing === undefined) record[lower] = list[i + 1];
    else record[lower] = Array.isArray(existing) ? [...existing, list[i + 1]] : [String(existing), list[i + 1]];
  }
  runHeaderFilter(run, status, record);
  const out: string[] = [];
  for (const key of Object.keys(record)) {
    const value = record[key];
    if (value === undefined) continue;
    const name = names.get(key) ?? key;
    if (Array.isArray(value)) for (const v of value) out.push(name, v);
    else out.push(name, String(value));
  }
  return out;
}

/**
 * The common case of access-phase headers only (rate-limiting's X-RateLimit-*): when no later phase reads the
 * response headers and every queued header is new to the list, appending them in order gives the same headers
 * as the record round trip, without building it. Returns false (list untouched) when that does not hold.
 */
function appendQueued(run: PluginRun, list: string[]): boolean {
  const queued = run.response.queued!; // name, value, append triples
  let lengths = 0;
  for (let q = 0; q < queued.length; q += 3) {
    const key = queued[q] as string;
    if (queued[q + 1] === null) return false;
    for (let p = 0; p < q; p += 3) if (queued[p] === key) return false;
    lengths |= lengthBit(key);
  }
  // one pass over the list: only names as long as a queued one are lower-cased and compared
  for (let i = 0; i < list.length; i += 2) {
    const name = list[i];
    if ((lengths & lengthBit(name)) === 0) continue;
    const lower = name.toLowerCase();
    if (lower.length !== name.length) continue;
    for (let q = 0; q < queued.length; q += 3) if (queued[q] === lower) return false;
  }
  for (let q = 0; q < queued.length; q += 3) {
    const key = queued[q] as string;
    const value = queued[q + 1];
    if (typeof value === 'string') list.push(key, value);
    else for (const v of value as string[]) list.push(key, v);
  }
  run.response.queued = null;
  return true;
}

// Adapters for gateways that keep headers as flat [name, value, name, value, ...] lists (apps/proxy builds
// upstream and downstream headers that way). They allocate only when a plugin actually changed something.
import type { PluginRun } from '../pipeline/plugin-run';
import { runHeaderFilter } from '../pipeline/run-phases';

/** Applies the plugins' request header changes to an upstream header list, in place. */
export function applyRequestHeaderChanges(run: PluginRun, list: string[]): string[] {
  const changes = run.request.headerChanges;
  if (changes === null) return list;
  for (const [name, value] of changes) {
    // drop every existing occurrence, then append the new value(s)
    for (let i = list.length - 2; i >= 0; i -= 2) {
      if (list[i].length === name.length && list[i].toLowerCase() === name) list.splice(i, 2);
    }
    if (value === null) continue;
    if (typeof value === 'string') list.push(name, value);
    else for (const v of value) list.push(name, v);
  }
  return list;
}

/** true when header_filter has work: a plugin with header_filter, or headers queued during access. */
export function needsHeaderFilter(run: PluginRun): boolean {
  if (run.response.queued !== null) return true;
  let found = false;
  run.forEachEntry((e) => {
    if (e.handler.header_filter) found = true;
  });
  return found;
}

/** Runs header_filter over a downstream header list; returns the (possibly new) list. */
export function runHeaderFilterOnList(run: PluginRun, status: number, list: string[]): string[] {
  if (!needsHeaderFilter(run)) {
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

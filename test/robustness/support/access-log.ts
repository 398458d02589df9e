// Reads a node's proxy access log (JSON lines, flushed every ACCESS_LOG_FLUSH_MS) for assertions.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface AccessEntry {
  readonly request: { readonly method: string; readonly uri: string };
  readonly response: { readonly status: number };
}

export function accessEntries(prefix: string): AccessEntry[] {
  const file = join(prefix, 'logs', 'access.log');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as AccessEntry);
}

/** Lines whose request uri is `path` or lies under it (`path/...`, `path?...`). */
export function entriesFor(prefix: string, path: string): AccessEntry[] {
  return accessEntries(prefix).filter((e) => e.request.uri === path || e.request.uri.startsWith(`${path}/`) || e.request.uri.startsWith(`${path}?`));
}

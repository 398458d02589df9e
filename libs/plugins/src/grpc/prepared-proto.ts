// The `proto` setting of grpc-web and grpc-gateway, read once per configuration. A file that cannot be read or
// parsed does not drop the plugin (requests would then reach the upstream untranscoded): each request it would
// serve fails with Kong's 500, the reason in the error log, as Kong's Lua error at request time.
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { PluginLogger } from '../types';
import { loadProtoFile, type ProtoFile } from './proto-file';

/**
 * Parsed files by absolute path, kept while the file's size and mtime stay the same: a reconfiguration that
 * leaves the file alone does not parse it again (imports are not watched; Kong never re-reads any of them).
 */
const parsed = new Map<string, { readonly stamp: string; readonly file: ProtoFile }>();

function loadCached(name: string): ProtoFile {
  const path = resolve(name);
  const st = statSync(path);
  const stamp = `${st.size}:${st.mtimeMs}`;
  const hit = parsed.get(path);
  if (hit !== undefined && hit.stamp === stamp) return hit.file;
  const file = loadProtoFile(path);
  parsed.set(path, { stamp, file });
  return file;
}

export type PreparedProto = { readonly file: ProtoFile; readonly error: null } | { readonly file: null; readonly error: string | null };

export function prepareProto(name: unknown, log: PluginLogger, plugin: string): PreparedProto {
  if (typeof name !== 'string' || name === '') return { file: null, error: null };
  try {
    return { file: loadCached(name), error: null };
  } catch (err) {
    const error = `${plugin}: cannot load proto file '${name}': ${(err as Error).message}`;
    log.error(error);
    return { file: null, error };
  }
}

/** Throws the load error (the request fails with Kong's 500); returns the file, or null when none is configured. */
export function protoOrThrow(p: PreparedProto): ProtoFile | null {
  if (p.error !== null) throw new Error(p.error);
  return p.file;
}

/** cjson's encoding of a decoded message: as JSON.stringify, with '/' escaped as lua-cjson does. */
export function cjsonEncode(value: unknown): string {
  return JSON.stringify(value).replace(/\//g, '\\/');
}

/** Lua's %q of a plain string (what Kong's error messages quote paths and methods with). */
export function luaQuote(s: string): string {
  return `"${s.replace(/[\\"]/g, (c) => `\\${c}`).replace(/\n/g, '\\\n').replace(/\r/g, '\\r').replace(/\0/g, '\\0')}"`;
}

// The data plane's disk cache: gzip'd JSON {hash, version, config}. Written atomically (temp file in the same
// directory, fsync, rename, fsync the directory) so a crash leaves the old file or the new one, never half of
// one. Reading verifies the hash: a corrupt, truncated or tampered file is refused, never half-applied.
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Snapshot, VersionedSnapshot } from './snapshot';
import { hashSnapshot } from './canonical-json';

export type CacheReadResult =
  | { readonly ok: true; readonly snapshot: VersionedSnapshot }
  | { readonly ok: false; readonly reason: string; readonly missing?: boolean };

export async function writeCacheFile(path: string, versioned: VersionedSnapshot): Promise<void> {
  const payload = gzipSync(Buffer.from(JSON.stringify({ hash: versioned.hash, version: versioned.version, config: versioned.config })));
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await fs.open(temp, 'wx', 0o600);
  try {
    await handle.writeFile(payload);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await fs.rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  try {
    await fs.rename(temp, path);
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw error;
  }
  await syncDirectory(dir);
}

async function syncDirectory(dir: string): Promise<void> {
  // makes the rename itself durable; not every platform lets a directory be opened, so best effort
  try {
    const handle = await fs.open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    /* ignore */
  }
}

function isSnapshot(value: unknown): value is Snapshot {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const record = value as Record<string, unknown>;
  if (record._format_version !== '3.0') return false;
  return Object.keys(record).every((key) => key === '_format_version' || Array.isArray(record[key]));
}

export async function readCacheFile(path: string): Promise<CacheReadResult> {
  let raw: Buffer;
  try {
    raw = await fs.readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? { ok: false, reason: 'no cache file', missing: true } : { ok: false, reason: `cannot read cache file: ${code}` };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(gunzipSync(raw).toString('utf8'));
  } catch (error) {
    return { ok: false, reason: `corrupt cache file: ${(error as Error).message}` };
  }
  const record = parsed as Record<string, unknown> | null;
  if (!record || typeof record.hash !== 'string' || typeof record.version !== 'number' || !isSnapshot(record.config)) {
    return { ok: false, reason: 'corrupt cache file: unexpected content' };
  }
  const actual = hashSnapshot(record.config);
  if (actual !== record.hash) {
    return { ok: false, reason: `corrupt cache file: hash mismatch (recorded ${record.hash}, content ${actual})` };
  }
  return { ok: true, snapshot: { hash: record.hash, version: record.version, config: record.config } };
}

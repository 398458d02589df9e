// The data plane's disk cache: gzip'd JSON {hash, version, config}. Written atomically (temp file in the same
// directory, fsync, rename, fsync the directory) so a crash leaves the old file or the new one, never half of
// one. Reading verifies the hash: a corrupt, truncated or tampered file is refused, never half-applied.
// Writing runs beside a data plane that is serving and applying new versions, so it never holds the event loop
// for long: the text is built and fed to gzip in small chunks, and compression (fastest level: the file is read
// once, at boot) runs on the libuv thread pool. Rows are serialised again on every write rather than kept as JSON
// per row: that text would stay in the supervisor for good (7 MiB at 10,000 routes, bench/memory) to save a few
// tens of milliseconds on a write that happens at most once a second.
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { constants as zlibConstants, createGzip, gunzipSync } from 'node:zlib';
import type { Snapshot, VersionedSnapshot } from './snapshot';
import { hashSnapshot, legacyHashSnapshot } from './canonical-json';

export type CacheReadResult =
  | { readonly ok: true; readonly snapshot: VersionedSnapshot }
  | { readonly ok: false; readonly reason: string; readonly missing?: boolean };

const jsonOf = (value: unknown): string => JSON.stringify(value) ?? 'null';

const CHUNK_CHARS = 64 * 1024;

/**
 * The text of JSON.stringify({hash, version, config}), in chunks of about CHUNK_CHARS characters. Top-level values
 * that are not arrays (`_format_version`) are written as JSON.stringify writes them; undefined ones are left out.
 */
export function* cacheFileChunks(versioned: VersionedSnapshot): Generator<string> {
  const release = typeof versioned.release === 'number' ? `"release":${versioned.release},` : '';
  let chunk = `{"hash":${JSON.stringify(versioned.hash)},"version":${JSON.stringify(versioned.version)},${release}"config":{`;
  let first = true;
  const config = versioned.config as unknown as Record<string, unknown>;
  for (const key of Object.keys(config)) {
    const value = config[key];
    if (value === undefined || typeof value === 'function' || typeof value === 'symbol') continue;
    chunk += (first ? '' : ',') + JSON.stringify(key) + ':';
    first = false;
    if (!Array.isArray(value)) {
      chunk += JSON.stringify(value);
      continue;
    }
    chunk += '[';
    for (let i = 0; i < value.length; i++) {
      chunk += (i === 0 ? '' : ',') + jsonOf(value[i]);
      if (chunk.length >= CHUNK_CHARS) {
        yield chunk;
        chunk = '';
      }
    }
    chunk += ']';
  }
  yield chunk + '}}';
}

/** gzip of the cache file's text; the event loop only builds one chunk at a time. */
function compress(versioned: VersionedSnapshot): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const gzip = createGzip({ level: zlibConstants.Z_BEST_SPEED });
    const out: Buffer[] = [];
    gzip.on('data', (b: Buffer) => out.push(b));
    gzip.once('error', reject);
    gzip.once('end', () => resolve(Buffer.concat(out)));
    const chunks = cacheFileChunks(versioned);
    const pump = (): void => {
      try {
        for (;;) {
          const next = chunks.next();
          if (next.done) return void gzip.end();
          if (!gzip.write(next.value)) return void gzip.once('drain', pump);
        }
      } catch (error) {
        gzip.destroy(error as Error);
      }
    };
    pump();
  });
}

export async function writeCacheFile(path: string, versioned: VersionedSnapshot): Promise<void> {
  const payload = await compress(versioned);
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
  // a cache an earlier release wrote carries the hash of that time: intact, it is served under today's hash
  if (actual !== record.hash && legacyHashSnapshot(record.config) !== record.hash) {
    return { ok: false, reason: `corrupt cache file: hash mismatch (recorded ${record.hash}, content ${actual})` };
  }
  const release = typeof record.release === 'number' ? { release: record.release } : {};
  return { ok: true, snapshot: { hash: actual, version: record.version, config: record.config, ...release } };
}

import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { cacheFileChunks, readCacheFile, writeCacheFile } from './cache-file';
import { hashSnapshot } from './canonical-json';
import type { Snapshot, VersionedSnapshot } from './snapshot';

const route = (i: number) => ({ id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, name: `r${i}`, paths: [`/r${i}`], headers: null, tags: ['a', 'é"\\'] });
const manyRoutes = Array.from({ length: 2000 }, (_, i) => route(i));

const configs: Array<[string, Snapshot]> = [
  ['empty', { _format_version: '3.0' }],
  ['empty collection', { _format_version: '3.0', routes: [] } as unknown as Snapshot],
  ['undefined collection left out', { _format_version: '3.0', services: undefined, routes: [route(1)] } as unknown as Snapshot],
  ['several collections', { _format_version: '3.0', services: [{ id: 's', name: null, extra: undefined }], routes: [route(1), route(2)] } as unknown as Snapshot],
  ['larger than one chunk', { _format_version: '3.0', routes: manyRoutes } as unknown as Snapshot],
];

describe('disk cache file', () => {
  it.each(configs)('%s: the chunks spell JSON.stringify exactly', (_name, config) => {
    const versioned = { hash: 'h', version: 3, config };
    expect([...cacheFileChunks(versioned)].join('')).toBe(JSON.stringify(versioned));
  });

  it('is written as gzip JSON and read back with its hash verified', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-cache-'));
    const config = { _format_version: '3.0', routes: manyRoutes } as unknown as Snapshot;
    const versioned: VersionedSnapshot = { hash: hashSnapshot(config), version: 7, config };
    const path = join(dir, 'config.json.gz');
    await writeCacheFile(path, versioned);
    expect(gunzipSync(readFileSync(path)).toString()).toBe(JSON.stringify(versioned));
    expect(await readCacheFile(path)).toEqual({ ok: true, snapshot: versioned });
  });
});

import { brotliDecompressSync } from 'node:zlib';
import { hashSnapshot, type Row, type Snapshot, type SnapshotDelta, type VersionedSnapshot } from '@tollgate/declarative';
import { PayloadCache } from './payload-cache';

const version = (n: number, routes: Row[]): VersionedSnapshot => {
  const config = { _format_version: '3.0', routes } as unknown as Snapshot;
  return { hash: hashSnapshot(config), version: n, config };
};
const decode = (body: Buffer) => JSON.parse(brotliDecompressSync(body).toString('utf8'));

describe('PayloadCache', () => {
  const a = { id: 'a', name: 'a' };
  const b = { id: 'b', name: 'b' };
  const v1 = version(1, [a, b]);
  const v2 = version(2, [a, { id: 'b', name: 'b2' }]);
  // names `a` too, which a diff would leave out: tells the built delta apart from a computed one
  const built: SnapshotDelta = { upserts: { routes: [{ ...a }, { id: 'b', name: 'b2' }] }, deletes: {} };

  it.each([
    ['the delta the version was built with, for the version it was built from', v1.hash, ['a', 'b']],
    ['a diff, when the origin names another base', 'f'.repeat(64), ['b']],
  ])('sends %s', async (_, originBase, upserted) => {
    const cache = new PayloadCache();
    cache.advance(v1);
    cache.advance(v2, { base_hash: originBase, delta: built });
    const payload = await cache.payloadFor(v1.hash, 'br');
    expect(payload.type).toBe('delta');
    const body = decode(payload.body);
    expect(body).toMatchObject({ type: 'delta', hash: v2.hash, version: 2, base_hash: v1.hash });
    expect(body.delta.upserts.routes.map((r: Row) => r.id)).toEqual(upserted);
  });

  it('sends the full snapshot to a data plane whose version it does not know, and shares one encoding', async () => {
    const cache = new PayloadCache();
    cache.advance(v1);
    cache.advance(v2, { base_hash: v1.hash, delta: built });
    const [x, y] = [cache.payloadFor('e'.repeat(64), 'br'), cache.payloadFor('e'.repeat(64), 'br')];
    expect(x).toBe(y);
    expect(decode((await x).body)).toEqual({ type: 'full', hash: v2.hash, version: 2, config: v2.config });
  });
});

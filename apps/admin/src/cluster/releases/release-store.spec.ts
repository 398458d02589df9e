// ReleaseStore on a real SQLite database: numbering, de-duplication by hash, delta chains rebuilt to their
// recorded hash, pruning to the history while keeping the full base the oldest listed release needs and an open
// rollout's baseline; on PostgreSQL, two control planes appending at once agree on the numbering.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { hashSnapshot, type Snapshot } from '@tollgate/declarative';
import { applyMigrations, loadDefaultSchemaSource, openDataSource } from '../../persistence';
import { WriteLock } from '../../persistence/write-lock';
import { ROLLOUTS_TABLE } from '../../persistence/migrations/0002-config-releases';
import { RolloutPins } from '../rollouts/rollout-pins';
import { RolloutStore } from '../rollouts/rollout-store';
import { ReleaseStore } from './release-store';

const SVC = (n: number) => ({ id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`, name: `s${n}`, host: 'h', port: 80, protocol: 'http' });
const configWith = (count: number): Snapshot => ({ _format_version: '3.0', services: Array.from({ length: count }, (_, i) => SVC(i + 1)) }) as unknown as Snapshot;

describe('ReleaseStore', () => {
  let dir: string;
  let ds: DataSource;
  const lock = new WriteLock();
  const store = (history: number) => new ReleaseStore({ dataSource: ds, transact: (work) => lock.run(() => ds.transaction(work)) }, history);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tollgate-releases-'));
    ds = await openDataSource({ database: 'sqlite', sqlite_file: join(dir, 't.db') } as never, loadDefaultSchemaSource());
    await applyMigrations(ds, 'up');
  });
  afterAll(async () => {
    await ds.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('numbers releases, skips a hash equal to the latest unless forced, and summarises against the parent', async () => {
    const s = store(100);
    const one = configWith(1);
    const two = configWith(2);
    const r1 = await s.append({ hash: hashSnapshot(one), config: one, source: { type: 'startup' } });
    expect(r1).toMatchObject({ number: 1, parent: null, summary: { services: { created: 1, updated: 0, deleted: 0 } } });
    expect(await s.append({ hash: hashSnapshot(one), config: one, source: { type: 'cli' } })).toBeNull();
    const r2 = await s.append({ hash: hashSnapshot(two), config: two, source: { type: 'cli' }, base: { number: 1, hash: r1!.hash, config: one } });
    expect(r2).toMatchObject({ number: 2, parent: 1, summary: { services: { created: 1, updated: 0, deleted: 0 } } });
    const r3 = await s.append({ hash: hashSnapshot(two), config: two, source: { type: 'admin', rollback_of: 2 }, force: true });
    expect(r3).toMatchObject({ number: 3, parent: 2, summary: {} });
    expect(await s.configOf(2)).toEqual(two);
  });

  it('writes a full configuration once the deltas since the last one add up to its size, not per release', async () => {
    const s = store(100);
    const fullNumbers = async (after: number): Promise<number[]> =>
      (await ds.createQueryBuilder().select('r.number', 'n').from('config_releases', 'r').where('r.config IS NOT NULL AND r.number > :after', { after }).orderBy('r.number').getRawMany())
        .map((r: { n: string | number }) => Number(r.n));
    const start = (await s.latest())!.number;
    // 40 services; each release changes one back and the next one: a delta of two rows, so 20 add up to the size
    const configAt = (step: number): Snapshot => {
      const config = configWith(40) as unknown as { services: Array<Record<string, unknown>> };
      config.services[step % 40] = { ...config.services[step % 40], port: 1000 + step };
      return config as unknown as Snapshot;
    };
    const hashes = new Map<number, string>();
    let base: { number: number; hash: string; config: Snapshot } | undefined;
    for (let step = 0; step <= 60; step++) {
      const config = configAt(step);
      const r = (await s.append({ hash: hashSnapshot(config), config, source: { type: 'cli' }, base }))!;
      hashes.set(r.number, r.hash);
      base = { number: r.number, hash: r.hash, config };
    }
    // the first (this store wrote no base yet) is full; then one every 20 releases, not every one
    expect(await fullNumbers(start)).toEqual([start + 1, start + 21, start + 41, start + 61]);
    for (const [n, hash] of hashes) expect(hashSnapshot((await s.configOf(n))!)).toBe(hash);
  });

  it('rebuilds delta chains across full bases and prunes to the history, keeping what the oldest listed needs', async () => {
    const s = store(5);
    let previous = (await s.latest())!;
    let base = { number: previous.number, hash: previous.hash, config: (await s.configOf(previous.number))! };
    // one row more each time: fulls at doubling sizes, deltas between them
    for (let count = 3; count <= 40; count++) {
      const config = configWith(count);
      const r = await s.append({ hash: hashSnapshot(config), config, source: { type: 'cli' }, base });
      base = { number: r!.number, hash: r!.hash, config };
    }
    const { releases } = await s.list(100, 0);
    expect(releases.map((r) => r.number)).toEqual([5, 4, 3, 2, 1].map((k) => base.number - 5 + k));
    for (const r of releases) expect(hashSnapshot((await s.configOf(r.number))!)).toBe(r.hash);
    expect(await s.get(base.number - 5)).toBeNull();
    expect(await s.numbersByHash32([base.hash.slice(0, 32)])).toEqual(new Map([[base.hash.slice(0, 32), base.number]]));
  });

  it('keeps an open rollout\'s baseline past the history, so a restarted control plane still pins data planes at it', async () => {
    const s = store(3);
    const rollouts = new RolloutStore({ dataSource: ds, transact: (work) => lock.run(() => ds.transaction(work)) });
    const baseline = (await s.latest())!;
    const baselineConfig = (await s.configOf(baseline.number))!;
    const { rollout } = await rollouts.insert({ stages: [{ labels: { tier: 'canary' }, hold_seconds: null }, { labels: {}, hold_seconds: null }], max_error_rate: null }, baseline.number);
    let base = { number: baseline.number, hash: baseline.hash, config: baselineConfig };
    for (let count = 100; count < 125; count++) {
      const config = configWith(count);
      const r = (await s.append({ hash: hashSnapshot(config), config, source: { type: 'cli' }, base }))!;
      base = { number: r.number, hash: r.hash, config };
    }
    // the history lists three; the baseline, 25 releases back, is still served
    expect((await s.list(100, 0)).releases.map((r) => r.number)).toEqual([base.number, base.number - 1, base.number - 2]);
    expect(await s.get(baseline.number)).toMatchObject({ number: baseline.number, hash: baseline.hash });
    // what a control plane that never cached the baseline (a restart) serves a data plane the rollout has not reached
    const pin = await new RolloutPins(rollouts, s).pinFor({ tier: 'stable' });
    expect(pin).toMatchObject({ number: baseline.number, snapshot: { hash: baseline.hash } });
    expect(pin!.snapshot.config).toEqual(baselineConfig);
    expect(await new RolloutPins(rollouts, s).pinFor({ tier: 'canary' })).toBeNull();
    // once the rollout ends, the next pruning lets the baseline go
    expect((await rollouts.promote(rollout.id, 0)).ok).toBe(true);
    expect((await rollouts.promote(rollout.id, 1)).rollout).toMatchObject({ state: 'completed' });
    for (let count = 125; count < 135; count++) {
      const config = configWith(count);
      const r = (await s.append({ hash: hashSnapshot(config), config, source: { type: 'cli' }, base }))!;
      base = { number: r.number, hash: r.hash, config };
    }
    expect(await s.get(baseline.number)).toBeNull();
    const stored: { n: string | number } | undefined = await ds.createQueryBuilder().select('MIN(r.number)', 'n').from('config_releases', 'r').getRawOne();
    expect(Number(stored?.n)).toBeGreaterThan(baseline.number);
    await ds.createQueryBuilder().delete().from(ROLLOUTS_TABLE).execute();
  });
});

describe('ReleaseStore on PostgreSQL', () => {
  it('two control planes appending at once agree on the numbering, each building on what the other wrote', async () => {
    const schema = `releases_${randomBytes(4).toString('hex')}`;
    const pg = { database: 'postgres', pg_host: '127.0.0.1', pg_port: 5432, pg_user: process.env.TOLLGATE_TEST_PG_USER ?? 'postgres', pg_database: 'test', pg_schema: schema } as never;
    const a = await openDataSource(pg, loadDefaultSchemaSource());
    const b = await openDataSource(pg, loadDefaultSchemaSource());
    // as releases.module wires PostgreSQL: own transactions, single statements outside one
    const storeOn = (ds: DataSource) => new ReleaseStore({ dataSource: ds, transact: (work) => ds.transaction(work), statements: (work) => work(ds.manager) }, 5);
    try {
      await applyMigrations(a, 'up');
      const writers = [storeOn(a), storeOn(b)].map((s, w) => ({ s, w, base: undefined as { number: number; hash: string; config: Snapshot } | undefined }));
      const written: Array<{ number: number; parent: number | null; hash: string }> = [];
      for (let round = 0; round < 15; round++) {
        await Promise.all(writers.map(async (writer) => {
          // each writer's own rows (ids apart from the other's), on top of what it last wrote
          const config = configWith(round + 1) as unknown as { services: Array<Record<string, unknown>> };
          config.services = config.services.map((svc) => ({ ...svc, name: `w${writer.w}-r${round}-${String(svc.name)}` }));
          const snapshot = config as unknown as Snapshot;
          const r = (await writer.s.append({ hash: hashSnapshot(snapshot), config: snapshot, source: { type: 'cli' }, base: writer.base }))!;
          written.push(r);
          writer.base = { number: r.number, hash: r.hash, config: snapshot };
        }));
      }
      const numbers = written.map((r) => r.number).sort((x, y) => x - y);
      expect(numbers).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
      for (const r of written) expect(r.parent).toBe(r.number === 1 ? null : r.number - 1);
      const reader = storeOn(b);
      for (const r of written.filter((w) => w.number > 30 - 5)) expect(hashSnapshot((await reader.configOf(r.number))!)).toBe(r.hash);
      // pruned to the history (and the full base its oldest listed release needs)
      const oldest: { n: string | number } | undefined = await a.createQueryBuilder().select('MIN(r.number)', 'n').from('config_releases', 'r').getRawOne();
      expect(Number(oldest?.n)).toBeGreaterThan(1);
      expect(Number(oldest?.n)).toBeLessThanOrEqual(30 - 5 + 1);
    } finally {
      await a.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
      await a.destroy();
      await b.destroy();
    }
  });
});

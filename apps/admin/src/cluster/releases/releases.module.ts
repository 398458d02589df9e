// Config releases: the recorder that turns snapshot versions into numbered releases, and their Admin API.
// The handlers that write hand the Dao the client's identity (`dao.as(adminIdentityOf(req))`); the Dao's change
// events carry it to the recorder, which attributes each release to the writes it holds.
import { Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { Settings } from '@tollgate/config';
import { ADMIN_SETTINGS, SNAPSHOTS } from '../../bootstrap/tokens';
import { Dao } from '../../persistence';
import type { SnapshotService } from '../snapshot.service';
import { ReleaseRecorder } from './release-recorder';
import { ReleaseStore, type ReleaseDb } from './release-store';
import { ReleasesController } from './releases.controller';
import { ReleasesService } from './releases.service';
import { RELEASE_RECORDER, RELEASE_STORE } from './tokens';

/**
 * Internal, for bench/admin only: `1` starts the control plane without recording releases, so the benchmark can
 * measure what release writes cost against the same build. Not a supported setting: the releases API, rollbacks
 * and rollouts need the history, which is why `config_release_history` has no "off".
 */
export const BENCH_NO_RELEASES_ENV = 'BENCH_ADMIN_NO_RELEASES';
const benchWithoutReleases = () => process.env[BENCH_NO_RELEASES_ENV] === '1';

/**
 * Where release writes run. SQLite has one connection, so they queue with every other write (the Dao's lock).
 * PostgreSQL gives each transaction or statement its own pooled connection and a release touches only
 * config_releases (its number is guarded by the primary key and a retry), so it does not wait for, nor hold up,
 * the Admin API's writes, and a release appended after the one this control plane wrote is one statement.
 */
function releaseDb(dao: Dao, settings: Settings): ReleaseDb {
  if (settings.database !== 'postgres') return dao;
  return { dataSource: dao.dataSource, transact: (work) => dao.dataSource.transaction(work), statements: (work) => work(dao.dataSource.manager) };
}

@Module({
  controllers: [ReleasesController],
  providers: [
    ReleasesService,
    { provide: RELEASE_STORE, inject: [Dao, ADMIN_SETTINGS], useFactory: (dao: Dao, s: Settings) => new ReleaseStore(releaseDb(dao, s), s.config_release_history) },
    {
      provide: RELEASE_RECORDER,
      inject: [RELEASE_STORE, SNAPSHOTS, Dao, ADMIN_SETTINGS],
      useFactory: async (store: ReleaseStore, snapshots: SnapshotService, dao: Dao, settings: Settings) => {
        const dbless = settings.database === 'off';
        const recorder = new ReleaseRecorder(store, snapshots, dao, { error: (obj, msg) => new Logger('releases').error(`${msg}: ${String((obj as { err?: unknown }).err)}`) }, dbless ? { deferMs: 0, unattributed: { type: 'declarative' } } : {});
        // bench/admin's baseline: the same build without release writes (an internal switch, not a setting)
        if (!benchWithoutReleases()) await recorder.start();
        return recorder;
      },
    },
  ],
  exports: [RELEASE_STORE, RELEASE_RECORDER, ReleasesService],
})
export class ReleasesModule implements OnApplicationShutdown {
  constructor(@Inject(RELEASE_RECORDER) private readonly recorder: ReleaseRecorder) {}

  onApplicationShutdown(): void {
    this.recorder.close();
  }
}

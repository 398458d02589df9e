// `tollgate migrations up|list|reset` through runMigrations, on both databases.
import { runMigrations } from '../../../apps/admin/src/persistence';
import { schemaSource } from './schema-source';
import { testDatabase, type DatabaseKind } from './harness';

describe.each<DatabaseKind>(['sqlite', 'postgres'])('migrations on %s', (kind) => {
  it('list shows pending, up applies, reset reverts', async () => {
    const db = testDatabase(kind);
    try {
      const names = ['CoreEntities1764130000000', 'ConfigReleases1765000000000', 'VaultsKeys1765000000001', 'AuthPluginEntities1765200000000', 'AcmeStorage1765300000000', 'OneOpenRollout1765400000000'];
      const all = (executed: boolean) => names.map((name) => ({ name, executed }));
      expect(await runMigrations(db.settings, 'list', schemaSource)).toEqual(all(false));
      expect(await runMigrations(db.settings, 'up', schemaSource)).toEqual(all(true));
      expect(await runMigrations(db.settings, 'up', schemaSource)).toEqual(all(true));
      expect(await runMigrations(db.settings, 'reset', schemaSource)).toEqual(all(false));
      expect(await runMigrations(db.settings, 'up', schemaSource)).toEqual(all(true));
    } finally {
      await db.cleanup();
    }
  });
});

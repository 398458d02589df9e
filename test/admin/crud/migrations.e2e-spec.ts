// `tollgate migrations up|list|reset` through runMigrations, on both databases.
import { runMigrations } from '../../../apps/admin/src/persistence';
import { schemaSource } from './schema-source';
import { testDatabase, type DatabaseKind } from './harness';

describe.each<DatabaseKind>(['sqlite', 'postgres'])('migrations on %s', (kind) => {
  it('list shows pending, up applies, reset reverts', async () => {
    const db = testDatabase(kind);
    try {
      const name = 'CoreEntities1764130000000';
      expect(await runMigrations(db.settings, 'list', schemaSource)).toEqual([{ name, executed: false }]);
      expect(await runMigrations(db.settings, 'up', schemaSource)).toEqual([{ name, executed: true }]);
      expect(await runMigrations(db.settings, 'up', schemaSource)).toEqual([{ name, executed: true }]);
      expect(await runMigrations(db.settings, 'reset', schemaSource)).toEqual([{ name, executed: false }]);
      expect(await runMigrations(db.settings, 'up', schemaSource)).toEqual([{ name, executed: true }]);
    } finally {
      await db.cleanup();
    }
  });
});

// Shared setup for the CRUD suites: the real schemas from libs/schema, an app with the persistence and entity
// modules on a fresh database (a temp SQLite file, or a private PostgreSQL schema), torn down after.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Test } from '@nestjs/testing';
import type { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { configureAdminHttp } from '../../../apps/admin/src/common';
import { EntitiesModule } from '../../../apps/admin/src/entities';
import { Dao, PersistenceModule, type PersistenceSettings } from '../../../apps/admin/src/persistence';
import { schemaSource } from './schema-source';

export { schemaSource };

export type DatabaseKind = 'sqlite' | 'postgres';

const PG = { pg_host: '127.0.0.1', pg_port: 5432, pg_database: 'test', pg_password: null, pg_timeout: 5000, pg_ssl: false, pg_ssl_verify: false, pg_pool_size: null };

export function pgUser(): string {
  return process.env.TOLLGATE_TEST_PG_USER ?? 'postgres';
}

export interface TestDatabase {
  readonly settings: PersistenceSettings;
  cleanup(): Promise<void>;
}

export function testDatabase(kind: DatabaseKind): TestDatabase {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-crud-'));
    return {
      settings: { ...PG, database: 'sqlite', sqlite_file: join(dir, 'tollgate.db'), pg_user: pgUser(), pg_schema: null },
      cleanup: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const schema = `crud_${process.pid}_${randomBytes(4).toString('hex')}`;
  return {
    settings: { ...PG, database: 'postgres', sqlite_file: '', pg_user: pgUser(), pg_schema: schema },
    cleanup: async () => {
      const ds = new DataSource({ type: 'postgres', host: PG.pg_host, port: PG.pg_port, username: pgUser(), database: PG.pg_database });
      await ds.initialize();
      await ds.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await ds.destroy();
    },
  };
}

export interface AdminTestApp {
  readonly app: INestApplication;
  readonly dao: Dao;
  readonly http: ReturnType<INestApplication['getHttpServer']>;
  close(): Promise<void>;
}

export async function startAdmin(settings: PersistenceSettings, maxBodySize = 10 * 1024 * 1024): Promise<AdminTestApp> {
  const moduleRef = await Test.createTestingModule({
    imports: [PersistenceModule.forRoot(settings, { schemas: schemaSource }), EntitiesModule.forRoot(schemaSource)],
  }).compile();
  const app = moduleRef.createNestApplication({ bodyParser: false, logger: false });
  configureAdminHttp(app, { admin_max_body_size: maxBodySize }, () => undefined);
  await app.init();
  return { app, dao: app.get(Dao), http: app.getHttpServer(), close: () => app.close() };
}

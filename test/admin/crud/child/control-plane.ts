// A minimal control plane for the durability test: persistence + generic CRUD on a SQLite file, on an ephemeral
// loopback port, which it prints as one JSON line once listening.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Module } from '@nestjs/common';
import { configureAdminHttp } from '../../../../apps/admin/src/common';
import { EntitiesModule } from '../../../../apps/admin/src/entities';
import { PersistenceModule, type PersistenceSettings } from '../../../../apps/admin/src/persistence';
import { schemaSource } from '../schema-source';

async function main(): Promise<void> {
  const settings = { database: 'sqlite', sqlite_file: process.argv[2] } as PersistenceSettings;

  @Module({ imports: [PersistenceModule.forRoot(settings, { schemas: schemaSource }), EntitiesModule.forRoot(schemaSource)] })
  class ChildModule {}

  const app = await NestFactory.create(ChildModule, { bodyParser: false, logger: false });
  configureAdminHttp(app, {});
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  process.stdout.write(`${JSON.stringify({ port: address.port })}\n`);
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});

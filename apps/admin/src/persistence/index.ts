export { Dao, type Entity } from './dao';
export { PersistenceModule, DATA_SOURCE, type PersistenceOptions } from './persistence.module';
export { SCHEMA_SOURCE, loadDefaultSchemaSource, type SchemaSource } from './schema-source';
export { runMigrations, applyMigrations, migrationStatus, type MigrationCommand, type MigrationStatus } from './run-migrations';
export { openDataSource, createDataSource, type PersistenceSettings } from './data-source';
export type { ListOptions, Page, Scope, TagFilter, ChangeEvent, ChangeOp, WriteOrigin } from './list-options';
export { encodePageToken, decodePageToken } from './page-token';
export type { TagRow } from './tags-page';
export { ROUTE_PROTOCOLS_MISMATCH, SERVICE_PROTOCOLS_MISMATCH } from './plugin-protocols';

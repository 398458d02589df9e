export { startDblessControlPlane, type DblessControlPlaneHandle, type DblessControlPlaneOptions } from './start-dbless';
export { DblessModule, type DblessModuleOptions } from './dbless.module';
export { DblessConfig, entityMap, type ConfigInput, type LoadOptions, type LoadOutcome } from './dbless-config';
export { DblessWriteGuard } from './write-guard';
export { storeSnapshot, type StoreMode, type StoreResult } from './snapshot-store';
export { catalogSchemas, type CatalogSchemas } from './plugin-schemas';

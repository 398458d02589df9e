// The plugin config schemas a command-line tool validates declarative files with: the same catalog the Admin API
// builds from `settings.plugins`, so `tollgate config parse` accepts exactly what a running node would.
import type { Settings } from '@tollgate/config';
import { configureLua } from '@tollgate/plugins';
import type { FieldList } from '@tollgate/schema';
import { loadPluginRegistry, pluginCatalogFrom, withPluginConfigChecks } from '../custom/plugin-catalog';
import { loadDefaultSchemaSource, type SchemaSource } from '../persistence';

export interface CatalogSchemas {
  readonly pluginSchemas: ReadonlyMap<string, FieldList>;
  /** The schema source the Admin API's Dao uses (plugin cross-field checks included). */
  readonly source: SchemaSource;
}

export function catalogSchemas(settings: Pick<Settings, 'plugins'> & Partial<Pick<Settings, 'untrusted_lua' | 'untrusted_lua_sandbox_requires'>>): CatalogSchemas {
  configureLua(settings);
  const catalog = pluginCatalogFrom(loadPluginRegistry(settings.plugins));
  return { pluginSchemas: catalog.configSchemas, source: withPluginConfigChecks(loadDefaultSchemaSource(), catalog) };
}

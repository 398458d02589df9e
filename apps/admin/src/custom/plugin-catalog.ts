import * as schemaLib from '@tollgate/schema';
import type { FieldList } from '@tollgate/schema';
import { KONG_COMPATIBLE_VERSION } from './node-identity';

/** A plugin this server can run: what `GET /` lists under `available_on_server` and `/plugins/enabled` names. */
export interface PluginInfo {
  readonly name: string;
  readonly version?: string;
  readonly priority?: number;
  /** Fields of the plugin's `config` record: validation of plugin entities and `/schemas/plugins/{name}`. */
  readonly configFields: FieldList;
}

export interface PluginCatalog {
  readonly plugins: ReadonlyMap<string, Required<PluginInfo>>;
  /** name -> config fields, the `pluginSchemas` option of libs/schema's validator. */
  readonly configSchemas: ReadonlyMap<string, FieldList>;
}

/** The plugin config schemas libs/schema registers (PLUGIN_SCHEMAS) plus those passed in by the caller. */
export function pluginCatalogFrom(extra: readonly PluginInfo[] = []): PluginCatalog {
  const plugins = new Map<string, Required<PluginInfo>>();
  const registered = (schemaLib as { PLUGIN_SCHEMAS?: ReadonlyMap<string, FieldList> }).PLUGIN_SCHEMAS;
  for (const [name, configFields] of registered ?? []) plugins.set(name, { name, version: KONG_COMPATIBLE_VERSION, priority: 0, configFields });
  for (const info of extra) {
    plugins.set(info.name, { version: KONG_COMPATIBLE_VERSION, priority: 0, ...info });
  }
  const configSchemas = new Map([...plugins].map(([name, info]) => [name, info.configFields]));
  return { plugins, configSchemas };
}

import type { FieldList } from '@tollgate/schema';
import { KONG_COMPATIBLE_VERSION } from './node-identity';

/** A plugin this server can run: what `GET /` lists under `available_on_server` and `/plugins/enabled` names. */
export interface PluginInfo {
  readonly name: string;
  readonly version: string;
  readonly priority: number;
  /** Fields of the plugin's `config` record, for `/schemas/plugins/{name}`. */
  readonly configFields?: FieldList;
}

export interface PluginCatalog {
  readonly plugins: ReadonlyMap<string, PluginInfo>;
}

/** Until libs/plugins registers handlers, the catalog is built from the plugin config schemas libs/schema knows. */
export function pluginCatalogFrom(pluginSchemas: ReadonlyMap<string, FieldList> | undefined, extra: readonly PluginInfo[] = []): PluginCatalog {
  const plugins = new Map<string, PluginInfo>();
  for (const [name, configFields] of pluginSchemas ?? []) plugins.set(name, { name, version: KONG_COMPATIBLE_VERSION, priority: 0, configFields });
  for (const info of extra) plugins.set(info.name, info);
  return { plugins };
}

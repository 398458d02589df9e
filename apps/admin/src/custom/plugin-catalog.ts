// The plugins this control plane knows: the libs/plugins registry for `settings.plugins` (bundled, names, folders,
// npm packages), plus any the caller adds (tests). One catalog feeds validation, `/schemas/plugins/{name}`,
// `/plugins/enabled` and `GET /`.
import type { SchemaSource } from '../persistence';
import { loadPlugins, runConfigChecks, type PluginRegistry } from '@tollgate/plugins';
import type { FieldList as SchemaFieldList } from '@tollgate/schema';
import { KONG_COMPATIBLE_VERSION } from '@tollgate/config';

/** A plugin this server can run: what `GET /` lists under `available_on_server` and `/plugins/enabled` names. */
export interface PluginInfo {
  readonly name: string;
  readonly version?: string;
  readonly priority?: number;
  /** Fields of the plugin's `config` record: validation of plugin entities and `/schemas/plugins/{name}`. */
  readonly configFields: SchemaFieldList;
}

export interface PluginCatalog {
  readonly plugins: ReadonlyMap<string, Required<PluginInfo>>;
  /** name -> config fields, the `pluginSchemas` option of libs/schema's validator. */
  readonly configSchemas: ReadonlyMap<string, SchemaFieldList>;
}

export function pluginCatalogFrom(registry: PluginRegistry, extra: readonly PluginInfo[] = []): PluginCatalog {
  const plugins = new Map<string, Required<PluginInfo>>();
  for (const p of registry.plugins.values()) {
    plugins.set(p.name, { name: p.name, version: p.version ?? KONG_COMPATIBLE_VERSION, priority: p.priority, configFields: p.schema });
  }
  for (const info of extra) plugins.set(info.name, { version: KONG_COMPATIBLE_VERSION, priority: 0, ...info });
  const configSchemas = new Map([...plugins].map(([name, info]) => [name, info.configFields]));
  return { plugins, configSchemas };
}

/** Loads `settings.plugins`; a bad entry (unknown name, missing folder) fails the start with its message. */
export function loadPluginRegistry(list: readonly string[]): PluginRegistry {
  return loadPlugins(list);
}

/**
 * Plugin configs have cross-field rules (e.g. rate-limiting needs one of second…year) that a FieldList cannot
 * express; they run after the field-level validation. As Kong's plugin entity checks they report at the plugin's
 * level: `@entity` messages and `config.<path>` fields (the checks' paths already start with `config`).
 * Every validator of plugins uses this source: the Dao, `POST /config` and `tollgate config parse|db_import`.
 */
export function withPluginConfigChecks(source: SchemaSource, catalog: PluginCatalog): SchemaSource {
  return {
    ...source,
    pluginSchemas: catalog.configSchemas,
    validate(schema, input, opts) {
      const result = source.validate(schema, input, opts);
      if (!result.ok || schema.name !== 'plugins') return result;
      const fields = catalog.configSchemas.get(String(result.value.name));
      const config = result.value.config as Record<string, unknown> | null;
      if (!fields || !config) return result;
      const errors = runConfigChecks(fields as never, config);
      return errors ? { ok: false, fields: errors } : result;
    },
  };
}

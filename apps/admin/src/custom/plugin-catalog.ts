// The plugins this control plane knows: the libs/plugins registry for `settings.plugins` (bundled, names, folders,
// npm packages), plus any the caller adds (tests). One catalog feeds validation, `/schemas/plugins/{name}`,
// `/plugins/enabled` and `GET /`.
import type { SchemaSource } from '../persistence';
import { loadPlugins, runConfigChecks, type PluginRegistry } from '@tollgate/plugins';
import { MSG, httpProtocolPlugins, type FieldList as SchemaFieldList } from '@tollgate/schema';
import { KONG_COMPATIBLE_VERSION } from '@tollgate/config';

/** A plugin this server can run: what `GET /` lists under `available_on_server` and `/plugins/enabled` names. */
export interface PluginInfo {
  readonly name: string;
  readonly version?: string;
  readonly priority?: number;
  /** Fields of the plugin's `config` record: validation of plugin entities and `/schemas/plugins/{name}`. */
  readonly configFields: SchemaFieldList;
  /** Default `protocols` of its instances (Kong's per-plugin default; grpc, grpcs, http, https otherwise). */
  readonly protocols?: readonly string[];
  /** Kong's `no_consumer`: a plugin entity of this name may not name a consumer. */
  readonly noConsumer?: boolean;
  /** Kong's no_consumer + no_service + no_route: only a global instance (acme). */
  readonly globalOnly?: boolean;
  /** Kong's typedefs.protocols_http: instances may name only grpc, grpcs, http, https. */
  readonly protocolsHttp?: boolean;
}

const HTTP_PROTOCOLS: readonly string[] = ['grpc', 'grpcs', 'http', 'https'];

export interface PluginCatalog {
  readonly plugins: ReadonlyMap<string, Required<PluginInfo>>;
  /** name -> config fields, the `pluginSchemas` option of libs/schema's validator. */
  readonly configSchemas: ReadonlyMap<string, SchemaFieldList>;
}

export function pluginCatalogFrom(registry: PluginRegistry, extra: readonly PluginInfo[] = []): PluginCatalog {
  const plugins = new Map<string, Required<PluginInfo>>();
  for (const p of registry.plugins.values()) {
    plugins.set(p.name, {
      name: p.name, version: p.version ?? KONG_COMPATIBLE_VERSION, priority: p.priority, configFields: p.schema, noConsumer: p.noConsumer,
      globalOnly: p.globalOnly === true,
      protocolsHttp: p.protocolsHttp === true,
      protocols: p.protocols ?? HTTP_PROTOCOLS,
    });
  }
  for (const info of extra) plugins.set(info.name, { version: KONG_COMPATIBLE_VERSION, priority: 0, noConsumer: false, globalOnly: false, protocolsHttp: false, protocols: HTTP_PROTOCOLS, ...info });
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
      // a plugin's own `protocols` default (ip-restriction's includes tcp and tls), applied when the field is absent
      const protocols = schema.name === 'plugins' && opts.mode !== 'update' && input.protocols === undefined
        ? catalog.plugins.get(String(input.name))?.protocols : undefined;
      // a protocols_http plugin (key-auth, cors, ...) validates against its narrower `protocols` elements, as Kong's subschema
      const named = catalog.plugins.get(String(input.name ?? opts.previous?.name));
      const against = schema.name === 'plugins' && named?.protocolsHttp ? httpProtocolPlugins : schema;
      const result = source.validate(against, protocols && protocols !== HTTP_PROTOCOLS ? { ...input, protocols: [...protocols] } : input, opts);
      if (!result.ok || schema.name !== 'plugins') return result;
      // Kong's eq = null on the plugin's `consumer` field: a field error, reported like any schema violation
      const info = catalog.plugins.get(String(result.value.name));
      if (info?.globalOnly) {
        const scoped = (['consumer', 'route', 'service'] as const).filter((f) => result.value[f] != null);
        if (scoped.length > 0) return { ok: false, fields: Object.fromEntries(scoped.map((f) => [f, MSG.MUST_BE_NULL])) };
      }
      if (result.value.consumer != null && info?.noConsumer) {
        return { ok: false, fields: { consumer: MSG.MUST_BE_NULL } };
      }
      const fields = catalog.configSchemas.get(String(result.value.name));
      const config = result.value.config as Record<string, unknown> | null;
      if (!fields || !config) return result;
      const errors = runConfigChecks(fields as never, config);
      return errors ? { ok: false, fields: errors } : result;
    },
  };
}

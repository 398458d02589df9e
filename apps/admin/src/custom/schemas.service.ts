import { Inject, Injectable } from '@nestjs/common';
import { configChecksJson } from '@tollgate/plugins';
import { noEntityNamed, noPluginNamed, schemaViolation } from '@tollgate/errors';
import { ENTITIES, toKongPluginSubschemaJson, toKongSchemaJson, type EntitySchema } from '@tollgate/schema';
import { PLUGIN_CATALOG } from '../bootstrap/tokens';
import { loadDefaultSchemaSource, type SchemaSource } from '../persistence/schema-source';
import { withPluginConfigChecks, type PluginCatalog } from './plugin-catalog';

export const VALIDATION_SUCCESSFUL = { message: 'schema validation successful' } as const;

/** `/schemas/...`: entity and plugin schemas in Kong's JSON form, and validation without storing. */
@Injectable()
export class SchemasService {
  /** The validation every stored plugin goes through, plugin-level checks (Kong's entity_checks) included. */
  private readonly source: SchemaSource;

  constructor(@Inject(PLUGIN_CATALOG) private readonly catalog: PluginCatalog) {
    this.source = withPluginConfigChecks(loadDefaultSchemaSource(), catalog);
  }

  entitySchema(name: string): unknown {
    return toKongSchemaJson(this.entity(name));
  }

  pluginSchema(name: string): unknown {
    const plugin = this.catalog.plugins.get(name);
    if (!plugin) throw noPluginNamed(name);
    const fields = plugin.configFields ?? [];
    return toKongPluginSubschemaJson(fields, plugin.protocols, {
      noConsumer: plugin.noConsumer, globalOnly: plugin.globalOnly, protocolsHttp: plugin.protocolsHttp,
      entityChecks: configChecksJson(fields), configEntityChecks: configChecksJson(fields, 'config'),
    });
  }

  validateEntity(name: string, body: unknown): typeof VALIDATION_SUCCESSFUL {
    return this.validate(this.entity(name), body);
  }

  validatePlugin(body: unknown): typeof VALIDATION_SUCCESSFUL {
    return this.validate(this.entity('plugins'), body);
  }

  private validate(schema: EntitySchema, body: unknown): typeof VALIDATION_SUCCESSFUL {
    const input = body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
    const result = this.source.validate(schema, input, { mode: 'insert', pluginSchemas: this.catalog.configSchemas });
    if (!result.ok) throw schemaViolation(result.fields);
    return VALIDATION_SUCCESSFUL;
  }

  private entity(name: string): EntitySchema {
    const schema = name === 'tags' ? undefined : ENTITIES.get(name);
    if (!schema) throw noEntityNamed(name);
    return schema;
  }
}

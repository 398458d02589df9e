// Kong's vaults entity (kong/db/schema/entities/vaults.lua): a named configuration of a vault implementation,
// addressed by its prefix in references (`{vault://<prefix>/<resource>}`). `config` is the implementation's own.
import { EntitySchema, FieldList } from '../types';
import * as t from '../fields/typedefs';
import { BUNDLED_VAULTS } from '../vault/resolve';
import { ENV_VAULT_CONFIG } from '../vault/env-vault';

/** Config fields of each vault implementation this build carries (Kong's vault subschemas). */
export const VAULT_CONFIGS: ReadonlyMap<string, FieldList> = new Map([['env', ENV_VAULT_CONFIG]]);

export const vaultNotInstalled = (name: string) => `vault '${name}' is not installed`;

export const vaults: EntitySchema = {
  name: 'vaults',
  adminPath: '/vaults',
  primaryKey: ['id'],
  endpointKey: 'prefix',
  cacheKey: ['prefix'],
  description: 'A vault configuration: where `{vault://<prefix>/...}` references in referenceable fields find their secrets.',
  fields: [
    ['id', t.uuid],
    ['prefix', {
      type: 'string', required: true, unique: true,
      // Lua `^[a-z][a-z%d-]-[a-z%d]+$`: it must be usable as the host of a reference URL
      match: /^[a-z][a-z\d-]*?[a-z\d]+$/, not_one_of: BUNDLED_VAULTS,
      description: 'The unique prefix (or identifier) for this Vault configuration.', example: 'my-env-vault',
    }],
    ['name', { type: 'string', required: true, description: "The name of the Vault that's going to be added.", example: 'env' }],
    ['description', { type: 'string', description: 'The description of the Vault entity.', example: 'Secrets from the environment' }],
    ['config', {
      type: 'record', fields: [],
      description: "The configuration properties for the Vault which can be found on the vaults' documentation page.",
      example: { prefix: 'SECRETS_' },
      resolveFields: (entity) => (typeof entity.name === 'string' ? VAULT_CONFIGS.get(entity.name) : undefined),
      unresolved: (entity) => (typeof entity.name === 'string' ? { field: 'name', message: vaultNotInstalled(entity.name) } : undefined),
    }],
    ['created_at', t.autoTimestampS],
    ['updated_at', t.autoUpdatedS],
    ['tags', t.tags],
  ],
};

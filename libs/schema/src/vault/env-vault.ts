// Kong's `env` vault (kong/vaults/env): the secret is an environment variable named after the resource, upper-cased
// with `-` as `_`, after the vault's `prefix`; version 2 reads `<NAME>_PREVIOUS`.
import type { FieldList } from '../types';

export const ENV_VAULT_CONFIG: FieldList = [
  ['prefix', {
    type: 'string', match: /^[A-Za-z_-][A-Za-z0-9_-]*$/,
    description: 'The prefix for the environment variable that the value will be stored in.', example: 'SECRETS_',
  }],
];

export function envVaultGet(config: Readonly<Record<string, unknown>>, resource: string, version: number | undefined, env: NodeJS.ProcessEnv): string | undefined {
  const prefix = typeof config.prefix === 'string' ? config.prefix : '';
  let name = `${prefix}${resource}`.replaceAll('-', '_').toUpperCase();
  if (version === 2) name += '_PREVIOUS';
  return env[name];
}

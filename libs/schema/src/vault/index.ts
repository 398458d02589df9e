export { isReference, parseReference, type VaultReference } from './reference';
export { ENV_VAULT_CONFIG, envVaultGet } from './env-vault';
export { BUNDLED_VAULTS, resolveReference, type Resolved, type VaultContext, type VaultRow } from './resolve';

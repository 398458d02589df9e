// Turns a reference into its secret: a bundled vault by name, or a vaults entity by prefix (its `name` is the
// vault, its `config` the settings), with the reference's query overriding the config.
import { envVaultGet } from './env-vault';
import { parseReference } from './reference';

/** Vault implementations this build carries (Kong: BUNDLED_VAULTS). A vaults entity may not take these prefixes. */
export const BUNDLED_VAULTS: readonly string[] = ['env'];

export interface VaultRow {
  readonly prefix: string;
  readonly name: string;
  readonly config?: Readonly<Record<string, unknown>> | null;
}

export interface VaultContext {
  /** vaults entities by prefix */
  readonly vaults: ReadonlyMap<string, VaultRow>;
  readonly env: NodeJS.ProcessEnv;
}

export type Resolved = { readonly ok: true; readonly value: string } | { readonly ok: false; readonly error: string };

export function resolveReference(reference: string, ctx: VaultContext): Resolved {
  const parsed = parseReference(reference);
  if ('error' in parsed) return { ok: false, error: parsed.error };
  let name = parsed.name;
  let config: Record<string, unknown> = {};
  if (!BUNDLED_VAULTS.includes(name)) {
    const vault = ctx.vaults.get(name);
    if (!vault) return { ok: false, error: `could not find vault (${name})` };
    name = vault.name;
    config = { ...(vault.config ?? {}) };
  }
  if (name !== 'env') return { ok: false, error: `could not find vault (${name})` };
  Object.assign(config, parsed.config);
  const secret = envVaultGet(config, parsed.resource, parsed.version, ctx.env);
  if (secret === undefined) return { ok: false, error: `could not get value from external vault (no value found (${parsed.resource}))` };
  if (parsed.key === undefined) return { ok: true, value: secret };
  return memberOf(secret, parsed.key);
}

/** Kong reads only flat JSON objects and only string members. */
function memberOf(json: string, key: string): Resolved {
  let decoded: unknown;
  try {
    decoded = JSON.parse(json);
  } catch (err) {
    return { ok: false, error: `unable to json decode value (${json}): ${(err as Error).message}` };
  }
  if (decoded === null || typeof decoded !== 'object' || Array.isArray(decoded)) return { ok: false, error: `unable to json decode value (${json})` };
  const value = (decoded as Record<string, unknown>)[key];
  if (value === undefined) return { ok: false, error: `subfield ${key} not found in JSON secret` };
  if (typeof value !== 'string') return { ok: false, error: `unexpected ${luaType(value)} value in JSON secret for subfield ${key}` };
  return { ok: true, value };
}

function luaType(value: unknown): string {
  if (value === null) return 'userdata';
  if (typeof value === 'object') return 'table';
  return typeof value;
}

// Kong's secret references, `{vault://<vault>/<resource>[/<key>][?<config>][#<version>]}` (kong/pdk/vault.lua):
// the grammar, shared by the schema validator, the data plane and the tollgate.conf loader.

export interface VaultReference {
  /** A bundled vault (`env`) or the prefix of a vaults entity. */
  readonly name: string;
  readonly resource: string;
  /** With a key, the secret is a JSON object and the value is its (string) member. */
  readonly key?: string;
  /** Query arguments: override the vault's config for this reference. */
  readonly config?: Readonly<Record<string, string>>;
  readonly version?: number;
}

export function isReference(value: unknown): value is `{vault://${string}}` {
  return typeof value === 'string' && value.startsWith('{vault://') && value.endsWith('}');
}

/** The parsed reference, or Kong's message for what is wrong with it. */
export function parseReference(reference: string): VaultReference | { readonly error: string } {
  if (!isReference(reference)) return { error: `not a reference [${reference}]` };
  const inner = reference.slice(1, -1);
  const m = /^vault:\/\/([^/?#]*)([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/.exec(inner);
  if (!m) return { error: `reference is not url [${reference}]` };
  const [, name, path, query, fragment] = m;
  if (!name) return { error: `reference url is missing host [${reference}]` };
  if (!path) return { error: `reference url is missing path [${reference}]` };
  if (path === '/') return { error: `reference url has empty path [${reference}]` };
  let version: number | undefined;
  if (fragment !== undefined) {
    if (!/^\d+$/.test(fragment)) return { error: `reference url has invalid version [${reference}]` };
    version = Number(fragment);
  }
  const isDirectory = path.endsWith('/');
  const parts = path.split('/').filter((p) => p !== '');
  if (parts.length === 0) return { error: `reference url has invalid path [${reference}]` };
  let resource: string;
  let key: string | undefined;
  if (parts.length === 1) resource = decode(parts[0]);
  else if (isDirectory) resource = decode(parts.join('/'));
  else {
    resource = decode(parts.slice(0, -1).join('/'));
    key = decode(parts[parts.length - 1]);
  }
  let config: Record<string, string> | undefined;
  if (query) config = Object.fromEntries(new URLSearchParams(query));
  return { name, resource, ...(key !== undefined ? { key } : {}), ...(config ? { config } : {}), ...(version !== undefined ? { version } : {}) };
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

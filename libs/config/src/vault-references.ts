// kong.conf values may be vault references (`pg_password = {vault://env/pg-secret}`): they are dereferenced once,
// when the configuration loads, before the value is typed and checked. Array values are references item by item.
// Only the bundled `env` vault exists before the database is open.
import { isReference, resolveReference } from '@tollgate/schema/vault';

const NO_VAULT_ENTITIES = new Map();

export type Dereferenced = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly message: string };

export function dereferenceConfValue(key: string, text: string, isArray: boolean, env: NodeJS.ProcessEnv): Dereferenced {
  const ctx = { vaults: NO_VAULT_ENTITIES, env };
  if (isReference(text)) {
    const result = resolveReference(text, ctx);
    return result.ok ? { ok: true, text: result.value } : { ok: false, message: `failed to dereference '${text}': ${result.error} for config option '${key}'` };
  }
  if (!isArray || !text.includes('{vault://')) return { ok: true, text };
  const items = text.split(',').map((item) => item.trim());
  for (let i = 0; i < items.length; i++) {
    if (!isReference(items[i])) continue;
    const result = resolveReference(items[i], ctx);
    if (!result.ok) return { ok: false, message: `failed to dereference '${items[i]}': ${result.error} for config option '${key}[${i + 1}]'` };
    items[i] = result.value;
  }
  return { ok: true, text: items.join(', ') };
}

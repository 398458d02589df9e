// Kong's declarative loader names entities that come without an id with a name-based (SHA-1) UUID, so
// loading the same file twice yields the same ids. Namespace per entity: uuidV5(entityName, DECLARATIVE_NS).
import { createHash } from 'node:crypto';

export const DECLARATIVE_NAMESPACE = 'fd02801f-0957-4a15-a55a-c8d9606f30b5';

export function uuidV5(name: string, namespace: string): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const hash = createHash('sha1').update(ns).update(name, 'utf8').digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const namespaces = new Map<string, string>();

/** The id Kong gives an entity of `entityName` whose identifying key is `key`. */
export function declarativeId(entityName: string, key: string): string {
  let namespace = namespaces.get(entityName);
  if (!namespace) {
    namespace = uuidV5(entityName, DECLARATIVE_NAMESPACE);
    namespaces.set(entityName, namespace);
  }
  return uuidV5(key, namespace);
}

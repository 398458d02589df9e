// Ids for entities declared without one. Kong's rule: the cache key when the schema has one, else the endpoint
// key (scoped by the parent when it is unique only per parent), else random. Where Kong falls back to a random
// id we derive one from the entity's content instead, so the same file always yields the same ids.
import type { Item } from './collect';
import { canonicalJson } from './canonical-json';
import { declarativeId } from './uuid-v5';

const WORKSPACE = '*';

function cacheKeyName(item: Item): string | undefined {
  const { schema, input, parent } = item;
  const parts = [item.entity, WORKSPACE];
  for (const name of schema.cacheKey ?? []) {
    const def = schema.fields.find(([field]) => field === name)?.[1];
    if (!def || def.auto) return undefined; // the value would only exist after generation
    const value = input[name];
    if (typeof value === 'string') parts.push(value);
    else if (value === undefined) {
      if (parent && parent.field === name) parts.push(parent.item.id);
      else if (def.required) return undefined;
      else parts.push('');
    }
    // other types (an explicit {id}) are left out, as Kong does
  }
  return parts.join(':');
}

function endpointKeyName(item: Item): string | undefined {
  const { schema, input, parent } = item;
  const keyField = schema.endpointKey;
  if (!keyField || input[keyField] === undefined || input[keyField] === null) return undefined;
  let key = String(input[keyField]);
  const def = schema.fields.find(([field]) => field === keyField)?.[1];
  if (def?.unique) return key;
  for (const [name, field] of schema.fields) {
    if (field.type !== 'foreign' || field.on_delete !== 'cascade') continue;
    if (parent) key += ':' + parent.item.id;
    else {
      const value = input[name];
      key += ':' + (typeof value === 'object' && value !== null ? String((value as { id?: unknown }).id) : String(value));
    }
  }
  return key + ':' + WORKSPACE;
}

/** Assigns `item.id` to every item, parents first. `seen` disambiguates entities with identical content. */
export function assignIds(items: readonly Item[]): void {
  const seen = new Map<string, number>();
  for (const item of items) {
    const given = item.input.id;
    if (given !== undefined && given !== null) {
      item.id = String(given);
      continue;
    }
    const name = item.schema.cacheKey ? cacheKeyName(item) : endpointKeyName(item);
    if (name !== undefined) {
      item.id = declarativeId(item.entity, name);
      continue;
    }
    const content = `#content:${item.parent?.item.id ?? ''}:${canonicalJson(item.input)}`;
    const count = seen.get(content) ?? 0;
    seen.set(content, count + 1);
    item.id = declarativeId(item.entity, count ? `${content}#${count}` : content);
  }
}

// Kong's code-14 body: `fields` mirrors the input (arrays by index, padded with null), the message embeds
// it Lua-pretty-printed, and `flattened_errors` (POST /config?flatten_errors=1) lists one item per bad entity.
import { luaPretty } from '@tollgate/errors';
import { isUuid } from '@tollgate/schema';
import type { ErrorPath, Item, Obj } from './collect';
import { isObj } from './collect';
import { singular } from './relations';

export type ErrorNode = string | null | ErrorNode[] | { [key: string]: ErrorNode };

export interface DeclarativeErrorBody {
  readonly code: 14;
  readonly name: 'invalid declarative configuration';
  readonly message: string;
  readonly fields: Obj;
  readonly flattened_errors?: FlattenedError[];
}

export interface FlattenedError {
  readonly entity_type: string;
  readonly entity_name?: string;
  readonly entity_id?: string;
  readonly entity_tags?: string[];
  readonly entity: Obj;
  readonly errors: Array<{ type: 'entity'; message: string } | { type: 'field'; field: string; message: string }>;
}

/** One error found while loading: at a document path, either a field tree or one entity-level message. */
export interface LoadError {
  readonly path: ErrorPath;
  readonly item?: Item;
  readonly tree?: Obj;
  readonly message?: string;
  /** Kong lists reference errors as an array of messages. */
  readonly list?: boolean;
}

function container(key: string | number): ErrorNode {
  return typeof key === 'number' ? [] : {};
}

/** Puts `value` at `path`, creating arrays for numeric keys; a second message on an entity joins '@entity'. */
function place(root: Obj, path: ErrorPath, error: LoadError): void {
  let node: ErrorNode = root as ErrorNode;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i];
    const parent = node as Record<string | number, ErrorNode>;
    if (Array.isArray(parent) && typeof key === 'number') while (parent.length < key) parent.push(null);
    let next = parent[key];
    if (next === undefined || next === null || typeof next === 'string') {
      next = container(path[i + 1]);
      parent[key] = next;
    } else if (Array.isArray(next) && typeof path[i + 1] === 'string') {
      // a by-key error under a by-index list: switch to an object keyed by position
      next = Object.fromEntries(next.map((v, index) => [String(index), v]).filter(([, v]) => v !== null));
      parent[key] = next;
    }
    node = next;
  }
  const last = path[path.length - 1];
  const target = node as Record<string | number, ErrorNode>;
  if (Array.isArray(target) && typeof last === 'number') while (target.length < last) target.push(null);
  const existing = target[last];
  const value: ErrorNode = error.tree
    ? (structuredClone(error.tree) as ErrorNode)
    : error.list ? [error.message as string] : (error.message as string);
  if (existing === undefined || existing === null) {
    target[last] = value;
    return;
  }
  if (isObj(existing)) {
    const tree = existing as Record<string, ErrorNode>;
    if (error.tree) Object.assign(tree, error.tree);
    else tree['@entity'] = [...((tree['@entity'] as string[] | undefined) ?? []), error.message as string];
  } else if (Array.isArray(existing) && !error.tree) {
    existing.push(error.message as string);
  }
}

export function buildFields(errors: readonly LoadError[]): Obj {
  const root: Obj = {};
  for (const error of errors) place(root, error.path, error);
  return root;
}

/** Lua-style pretty print where arrays with holes keep their (1-based) positions, as Penlight prints them. */
function pretty(value: unknown): string {
  if (Array.isArray(value)) {
    if (!value.some((v) => v === null)) return '{' + value.map(pretty).join(',') + '}';
    const parts: string[] = [];
    value.forEach((v, i) => {
      if (v !== null) parts.push(`[${i + 1}]=${pretty(v)}`);
    });
    return '{' + parts.join(',') + '}';
  }
  if (isObj(value)) {
    const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
    const parts = Object.keys(value).sort().map((k) => (IDENT.test(k) ? k : `[${JSON.stringify(k)}]`) + '=' + pretty(value[k]));
    return '{' + parts.join(',') + '}';
  }
  return luaPretty(value);
}

export function declarativeMessage(fields: Obj): string {
  return `declarative config is invalid: ${pretty(fields)}`;
}

function flattenTree(tree: unknown, prefix: string, out: FlattenedError['errors']): void {
  if (typeof tree === 'string') {
    out.push(prefix ? { type: 'field', field: prefix, message: tree } : { type: 'entity', message: tree });
    return;
  }
  if (Array.isArray(tree)) {
    tree.forEach((v, i) => v !== null && flattenTree(v, prefix ? `${prefix}.${i + 1}` : String(i + 1), out));
    return;
  }
  if (!isObj(tree)) return;
  for (const key of Object.keys(tree).sort()) {
    if (key === '@entity' && !prefix) {
      for (const message of tree[key] as string[]) out.push({ type: 'entity', message });
    } else {
      flattenTree(tree[key], prefix ? `${prefix}.${key}` : key, out);
    }
  }
}

function describe(item: Item, errors: FlattenedError['errors']): FlattenedError {
  const { input } = item;
  const tags = input.tags;
  return {
    entity_type: singular(item.entity),
    ...(typeof input.name === 'string' && input.name !== '' ? { entity_name: input.name } : {}),
    ...(isUuid(item.id) ? { entity_id: item.id } : {}),
    ...(Array.isArray(tags) && tags.every((t) => typeof t === 'string') ? { entity_tags: tags as string[] } : {}),
    entity: { ...input, id: item.id },
    errors,
  };
}

export function flattenedErrors(errors: readonly LoadError[]): FlattenedError[] {
  const byItem = new Map<Item, FlattenedError['errors']>();
  for (const error of errors) {
    if (!error.item) continue;
    const list = byItem.get(error.item) ?? [];
    if (error.tree) flattenTree(error.tree, '', list);
    else if (error.message !== undefined) list.push({ type: 'entity', message: error.message });
    byItem.set(error.item, list);
  }
  return [...byItem].map(([item, list]) => describe(item, list));
}

export function declarativeError(errors: readonly LoadError[], flatten: boolean): DeclarativeErrorBody {
  const fields = buildFields(errors);
  const message = declarativeMessage(fields);
  if (!flatten) return { code: 14, name: 'invalid declarative configuration', message, fields };
  return {
    code: 14,
    name: 'invalid declarative configuration',
    message,
    fields: buildFields(errors.filter((e) => !e.item)),
    flattened_errors: flattenedErrors(errors),
  };
}

// decK's file metadata, applied the way `deck gateway sync` applies it before talking to Kong:
//   _info.select_tags  -> added to the tags of every entity in the file,
//   _info.defaults     -> field values for services, routes, upstreams and targets that leave them out,
//   _info.default_lookup_tags, _workspace, _konnect -> accepted; they select where decK reads and writes
//   (lookups in the gateway, Enterprise workspaces, Konnect control planes), which has no meaning for a
//   single Tollgate database, so they are ignored with a warning instead of failing the file.
import type { ErrorPath, Item, Obj, StructureError } from './collect';
import { isObj } from './collect';

const DEFAULTS_FOR: Readonly<Record<string, string>> = { service: 'services', route: 'routes', upstream: 'upstreams', target: 'targets' };
const URL_PARTS = new Set(['protocol', 'host', 'port', 'path']);
const NONE = new Set<string>();
const INFO_KEYS = new Set(['select_tags', 'defaults', 'default_lookup_tags']);

export interface DeckMeta {
  readonly selectTags: readonly string[];
  /** entity name (`services`) -> default field values */
  readonly defaults: ReadonlyMap<string, Obj>;
}

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((e) => typeof e === 'string');
}

/** Reads the metadata keys of a document; problems go to `errors`, ignored keys to `warnings`. */
export function readDeckMeta(doc: Obj, errors: StructureError[], warnings: string[]): DeckMeta {
  const selectTags: string[] = [];
  const defaults = new Map<string, Obj>();
  const info = doc._info;
  if (info !== undefined && info !== null) {
    if (!isObj(info)) errors.push({ path: ['_info'], message: 'expected a record' });
    else {
      for (const key of Object.keys(info)) {
        if (!INFO_KEYS.has(key)) errors.push({ path: ['_info', key], message: 'unknown field' });
      }
      if (info.select_tags !== undefined && info.select_tags !== null) {
        if (isStringArray(info.select_tags)) selectTags.push(...info.select_tags);
        else errors.push({ path: ['_info', 'select_tags'], message: 'expected an array of strings' });
      }
      readDefaults(info.defaults, defaults, errors);
      if (info.default_lookup_tags !== undefined && info.default_lookup_tags !== null) {
        warnings.push("_info.default_lookup_tags ignored: every entity a file references must be declared in it");
      }
    }
  }
  if (doc._workspace !== undefined && doc._workspace !== null) {
    if (typeof doc._workspace !== 'string') errors.push({ path: ['_workspace'], message: 'expected a string' });
    else warnings.push(`_workspace '${doc._workspace}' ignored: Tollgate has one workspace, the entities are imported into it`);
  }
  if (doc._konnect !== undefined && doc._konnect !== null) {
    if (!isObj(doc._konnect)) errors.push({ path: ['_konnect'], message: 'expected a record' });
    else warnings.push('_konnect ignored: it names a Konnect control plane, not this gateway');
  }
  return { selectTags, defaults };
}

function readDefaults(value: unknown, out: Map<string, Obj>, errors: StructureError[]): void {
  if (value === undefined || value === null) return;
  const path: ErrorPath = ['_info', 'defaults'];
  if (!isObj(value)) {
    errors.push({ path, message: 'expected a record' });
    return;
  }
  for (const [key, fields] of Object.entries(value)) {
    const entity = DEFAULTS_FOR[key];
    if (!entity) errors.push({ path: [...path, key], message: 'unknown field' });
    else if (fields === null) continue;
    else if (!isObj(fields)) errors.push({ path: [...path, key], message: 'expected a record' });
    else out.set(entity, fields);
  }
}

/** Fills defaults into the fields an entity leaves out, then adds the select tags (once each, file order kept). */
export function applyDeckMeta(items: readonly Item[], meta: DeckMeta): void {
  for (const item of items) {
    const defaults = meta.defaults.get(item.entity);
    if (defaults) {
      // as decK: a service's `url` already decides protocol, host, port and path
      const fromUrl = item.entity === 'services' && typeof item.input.url === 'string' ? URL_PARTS : NONE;
      for (const [name, value] of Object.entries(defaults)) {
        if (item.input[name] === undefined && name !== 'id' && !fromUrl.has(name)) item.input[name] = structuredClone(value);
      }
    }
    if (meta.selectTags.length && item.schema.fields.some(([name]) => name === 'tags')) {
      const tags = Array.isArray(item.input.tags) ? [...(item.input.tags as unknown[])] : [];
      for (const tag of meta.selectTags) if (!tags.includes(tag)) tags.push(tag);
      item.input.tags = tags;
    }
  }
}

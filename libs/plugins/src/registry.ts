// Which plugins this node runs: `plugins = bundled` (default) or a list of names, `bundled`, plugin folders and
// npm packages. Loaded once at start; the priority order (ranks) is fixed here, never per request.
import { isAbsolute, join, resolve } from 'node:path';
import type { FieldList } from '@tollgate/schema';
import { BUNDLED_PLUGINS } from './bundled';
import type { PluginConfigFields, PluginHandler, PluginModule } from './types';

export interface LoadedPlugin {
  readonly name: string;
  readonly version: string;
  readonly priority: number;
  /** 0 = runs first (highest priority; ties by name). */
  readonly rank: number;
  readonly handler: PluginHandler;
  readonly schema: PluginConfigFields;
  /** 'bundled', or the folder / package it was loaded from. */
  readonly source: string;
  /** See PluginModule.noConsumer. */
  readonly noConsumer: boolean;
  /** See PluginModule.globalOnly. */
  readonly globalOnly?: boolean;
  /** Default `protocols` of the plugin's instances, when not Kong's http ones. */
  readonly protocols?: readonly string[];
  /** See PluginModule.protocolsHttp. */
  readonly protocolsHttp?: boolean;
}

export interface PluginRegistry {
  /** In priority order. */
  readonly plugins: ReadonlyMap<string, LoadedPlugin>;
  /** name -> config fields: the `pluginSchemas` option of libs/schema's validator. */
  readonly schemas: ReadonlyMap<string, FieldList>;
  /** Names in priority order (`GET /plugins/enabled`, `GET /` available_on_server). */
  readonly names: readonly string[];
}

export class PluginLoadError extends Error {}

/** Loads a plugin folder or package: `schema` + `handler` exports (or `<dir>/schema` and `<dir>/handler`). */
export function loadPluginModule(spec: string, baseDir = process.cwd()): PluginModule {
  const isPath = isAbsolute(spec) || spec.startsWith('./') || spec.startsWith('../');
  const target = isPath ? resolve(baseDir, spec) : spec;
  const pick = (mod: Record<string, unknown>, key: string) => (mod[key] ?? (mod.default as Record<string, unknown> | undefined)?.[key] ?? mod.default) as unknown;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const entry = tryRequire(target) as Record<string, unknown> | undefined;
    if (entry && (entry.handler || (entry.default as Record<string, unknown> | undefined)?.handler)) {
      return {
        schema: pick(entry, 'schema') as PluginConfigFields, handler: pick(entry, 'handler') as PluginHandler,
        noConsumer: pick(entry, 'noConsumer') === true, globalOnly: pick(entry, 'globalOnly') === true, protocolsHttp: pick(entry, 'protocolsHttp') === true,
        ...protocolsOf(entry),
      };
    }
    const base = isPath ? target : dirnameOfPackage(target);
    const schemaMod = require(join(base, 'schema')) as Record<string, unknown>;
    const handlerMod = require(join(base, 'handler')) as Record<string, unknown>;
    return {
      schema: pick(schemaMod, 'schema') as PluginConfigFields, handler: pick(handlerMod, 'handler') as PluginHandler,
      noConsumer: pick(schemaMod, 'noConsumer') === true, globalOnly: pick(schemaMod, 'globalOnly') === true,
      protocolsHttp: pick(schemaMod, 'protocolsHttp') === true, ...protocolsOf(schemaMod),
    };
  } catch (err) {
    throw new PluginLoadError(`could not load plugin '${spec}': ${(err as Error).message}`);
  }
}

/** A plugin's schema module may export `protocols`, its instances' default (Kong's schema.lua `protocols` field). */
function protocolsOf(mod: Record<string, unknown>): { protocols?: readonly string[] } {
  const protocols = mod.protocols ?? (mod.default as Record<string, unknown> | undefined)?.protocols;
  return Array.isArray(protocols) ? { protocols: protocols as string[] } : {};
}

function tryRequire(target: string): unknown {
  try {
    return require(target);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') return undefined;
    throw err;
  }
}

function dirnameOfPackage(name: string): string {
  return join(require.resolve(`${name}/package.json`), '..');
}

function checkModule(mod: PluginModule, spec: string): void {
  const h = mod.handler;
  if (!h || typeof h.name !== 'string' || typeof h.priority !== 'number') {
    throw new PluginLoadError(`could not load plugin '${spec}': handler must export name, priority and version`);
  }
  if (!Array.isArray(mod.schema)) throw new PluginLoadError(`could not load plugin '${spec}': schema must export a field list`);
}

export interface LoadPluginsOptions {
  /** Relative folder paths resolve from here (default: the working directory). */
  readonly baseDir?: string;
  /** Plugin modules given in code (embedding, tests), added after the list. */
  readonly modules?: readonly PluginModule[];
}

/** Resolves the `plugins` setting. Unknown bundled names and unloadable folders throw PluginLoadError. */
export function loadPlugins(list: readonly string[] = ['bundled'], options: LoadPluginsOptions = {}): PluginRegistry {
  const baseDir = options.baseDir;
  const found = new Map<string, Omit<LoadedPlugin, 'rank'>>();
  const add = (mod: PluginModule, source: string) => {
    checkModule(mod, source);
    const h = mod.handler;
    found.set(h.name, {
      name: h.name, version: h.version ?? '0.1.0', priority: h.priority, handler: h, schema: mod.schema, source, noConsumer: mod.noConsumer === true,
      globalOnly: mod.globalOnly === true,
      protocolsHttp: mod.protocolsHttp === true,
      ...(mod.protocols ? { protocols: mod.protocols } : {}),
    });
  };
  for (const raw of list) {
    const spec = raw.trim();
    if (spec === '' || spec === 'off') continue;
    if (spec === 'bundled') {
      for (const mod of BUNDLED_PLUGINS.values()) add(mod, 'bundled');
      continue;
    }
    const bundled = BUNDLED_PLUGINS.get(spec);
    if (bundled) add(bundled, 'bundled');
    else add(loadPluginModule(spec, baseDir), spec);
  }
  for (const mod of options.modules ?? []) add(mod, 'code');
  const ordered = [...found.values()].sort((a, b) => b.priority - a.priority || a.name.localeCompare(b.name));
  const plugins = new Map<string, LoadedPlugin>(ordered.map((p, rank) => [p.name, Object.freeze({ ...p, rank })]));
  return Object.freeze({
    plugins,
    schemas: new Map<string, FieldList>(ordered.map((p) => [p.name, p.schema])),
    names: Object.freeze(ordered.map((p) => p.name)),
  });
}

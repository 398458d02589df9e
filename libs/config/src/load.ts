// tollgate.conf + TOLLGATE_* (and Kong's KONG_*) env + CLI overrides -> one frozen Settings, or one ConfigError listing every problem.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError } from './config-error';
import type { ConfigProblem, ValueSource } from './config-error';
import { parseConfText } from './conf-text';
import { crossCheck } from './cross-checks';
import type { Draft } from './cross-checks';
import { KEYS, KEYS_BY_NAME } from './keys';
import { KONG_KEYS, kongKeyVerdict } from './kong-keys';
import { checkListenerSupport } from './listen-support';
import { closest } from './suggest';
import { typedValue } from './typed-value';
import type { Role, Settings } from './types';
import { dereferenceConfValue } from './vault-references';

export interface LoadOptions {
  /** Configuration file; relative to cwd. When absent: ./tollgate.conf, then /etc/tollgate/tollgate.conf, else defaults only. */
  readonly file?: string;
  /** Same as overrides.prefix (the CLI's -p). */
  readonly prefix?: string;
  /** Defaults to process.env. */
  readonly env?: NodeJS.ProcessEnv;
  /** Highest precedence (CLI arguments), kong.conf key names. */
  readonly overrides?: Readonly<Record<string, string>>;
  /** Defaults to process.cwd(). */
  readonly cwd?: string;
}

export const ENV_PREFIX = 'TOLLGATE_';
/** Kong's prefix: `KONG_<KEY>` is read as an alias of `TOLLGATE_<KEY>`, which wins when both are set. */
export const KONG_ENV_PREFIX = 'KONG_';
export const DEFAULT_CONF_PATHS: readonly string[] = ['tollgate.conf', '/etc/tollgate/tollgate.conf'];

interface RawValue {
  readonly text: string;
  readonly source: ValueSource;
  readonly line?: number;
  readonly file?: string;
  /** The environment variable it came from, when source = 'env'. */
  readonly variable?: string;
  /** The Kong key it was written as, when that key is mapped onto this one (nginx_worker_processes). */
  readonly alias?: string;
}

/** A value as one layer (file, environment, command line) gives it, before its key is looked up. */
interface LayerValue extends Omit<RawValue, 'alias'> {
  readonly key: string;
}

/** A Kong key accepted without effect (one start-up warning lists them). */
export interface IgnoredKey {
  readonly key: string;
  readonly reason: string;
  /** `tollgate.conf:12`, `env KONG_MEM_CACHE_SIZE`, `command line` */
  readonly where: string;
}

/** What start-up reports beside the settings: where environment values came from and what was ignored. */
export interface LoadReport {
  readonly settings: Settings;
  readonly ignored: readonly IgnoredKey[];
  /** Kong key names that were read as a Tollgate key. */
  readonly aliased: readonly { readonly from: string; readonly to: string; readonly where: string }[];
  /** Each key set from the environment: the variable used, and the KONG_ one it won over, if any. */
  readonly environment: readonly { readonly key: string; readonly variable: string; readonly over?: string }[];
  /**
   * KONG_* variables that name no Kong or Tollgate key (Kubernetes service links such as KONG_PORT,
   * KONG_SERVICE_HOST): Kong ignores them, so do we, and says so. Near misses of a key are errors instead.
   */
  readonly unrelatedEnv: readonly string[];
}

/** Explicit file (must exist), or the first default location that exists, or none. */
export function findConfFile(file: string | undefined, cwd: string): string | undefined {
  if (file !== undefined) {
    const path = resolve(cwd, file);
    if (!existsSync(path)) throw new ConfigError([{ key: '', value: '', message: `configuration file '${path}' not found` }]);
    return path;
  }
  return DEFAULT_CONF_PATHS.map((candidate) => resolve(cwd, candidate)).find((path) => existsSync(path));
}

const knownNames = (): Iterable<string> => [...KEYS_BY_NAME.keys(), ...Object.keys(KONG_KEYS)];

function unknownKey(key: string): string {
  const guess = closest(key, knownNames());
  return `unknown key '${key}'${guess ? ` (did you mean '${guess}'?)` : ''}`;
}

function unknownEnv(name: string, prefix: string): string {
  const guess = closest(name.slice(prefix.length).toLowerCase(), knownNames());
  return `unknown environment variable${guess ? ` (did you mean ${prefix}${guess.toUpperCase()}?)` : ''}`;
}

const TRADITIONAL_FLAVOR = "routes are matched by traditional_compatible's rules (Kong 3.x's default); Tollgate has no traditional router (PCRE regexes, Kong 2.x priorities)";

function whereOf(value: LayerValue): string {
  if (value.source === 'file') return `${value.file}:${value.line}`;
  if (value.source === 'env') return `env ${value.variable}`;
  return 'command line';
}

class RawCollector {
  readonly raw = new Map<string, RawValue>();
  readonly ignored: IgnoredKey[] = [];
  readonly aliased: { from: string; to: string; where: string }[] = [];
  readonly envUsed = new Map<string, { key: string; variable: string; over?: string }>();

  constructor(private readonly problems: ConfigProblem[]) {
    for (const def of KEYS) this.raw.set(def.name, { text: def.default ?? '', source: 'default' });
  }

  /** One layer; within it a Kong alias goes first, so the Tollgate key wins when both are written. */
  apply(layer: readonly LayerValue[], unknown: (value: LayerValue) => ConfigProblem | null): void {
    const isAlias = (value: LayerValue) => {
      const def = KEYS_BY_NAME.get(value.key);
      return def ? def.name !== value.key : kongKeyVerdict(value.key)?.kind === 'alias';
    };
    for (const value of [...layer.filter(isAlias), ...layer.filter((value) => !isAlias(value))]) {
      const def = KEYS_BY_NAME.get(value.key);
      if (def && def.name === value.key) {
        this.set(def.name, value);
        continue;
      }
      if (def) {
        // an alias in the key table (nginx_http_send_timeout) sets the key it names, as a Kong-table alias does
        this.aliased.push({ from: value.key, to: def.name, where: whereOf(value) });
        this.set(def.name, { ...value, alias: value.key });
        continue;
      }
      const verdict = kongKeyVerdict(value.key);
      if (verdict?.kind === 'ignored') {
        this.ignored.push({ key: value.key, reason: verdict.reason, where: whereOf(value) });
      } else if (verdict?.kind === 'alias') {
        const converted = verdict.convert && value.text !== '' ? verdict.convert(value.text) : value.text;
        if (converted instanceof Error) {
          this.problems.push({ key: value.key, value: value.text, line: value.line, source: value.source, file: value.file,
            variable: value.variable, message: `${value.key}: ${converted.message}` });
          continue;
        }
        this.aliased.push({ from: value.key, to: verdict.mapsTo, where: whereOf(value) });
        this.set(verdict.mapsTo, { ...value, text: converted, alias: value.key });
      } else {
        const problem = unknown(value);
        if (problem) this.problems.push(problem);
      }
    }
  }

  private set(key: string, value: LayerValue & { alias?: string }): void {
    const { key: _written, ...rest } = value;
    this.raw.set(key, rest);
    if (value.source !== 'env') return;
    const previous = this.envUsed.get(key);
    this.envUsed.set(key, { key, variable: value.variable!, over: previous?.variable });
  }
}

function envLayer(env: NodeJS.ProcessEnv, prefix: string): LayerValue[] {
  return Object.keys(env)
    .filter((name) => name.startsWith(prefix) && name.length > prefix.length)
    .sort()
    .map((name) => ({ key: name.slice(prefix.length).toLowerCase(), text: (env[name] ?? '').trim(), source: 'env' as const, variable: name }));
}

function collectRaw(opts: LoadOptions, cwd: string, problems: ConfigProblem[]): RawCollector & { unrelatedEnv: string[] } {
  const collector = Object.assign(new RawCollector(problems), { unrelatedEnv: [] as string[] });

  const file = findConfFile(opts.file, cwd);
  if (file) {
    const parsed = parseConfText(readFileSync(file, 'utf8'), file);
    problems.push(...parsed.problems);
    collector.apply(
      parsed.entries.map(({ key, value, line }) => ({ key, text: value, line, file, source: 'file' as const })),
      (v) => ({ key: v.key, value: v.text, line: v.line, source: 'file', file, message: unknownKey(v.key) }),
    );
  }

  // KONG_ first: the TOLLGATE_ variable of the same key, applied after it, wins.
  const env = opts.env ?? process.env;
  collector.apply(envLayer(env, KONG_ENV_PREFIX), (v) => {
    const message = unknownEnv(v.variable!, KONG_ENV_PREFIX);
    if (message.includes('did you mean')) return { key: v.key, value: v.text, source: 'env', variable: v.variable, message };
    collector.unrelatedEnv.push(v.variable!);
    return null;
  });
  collector.apply(envLayer(env, ENV_PREFIX), (v) =>
    ({ key: v.key, value: v.text, source: 'env', variable: v.variable, message: unknownEnv(v.variable!, ENV_PREFIX) }));

  const overrides = { ...opts.overrides, ...(opts.prefix !== undefined && { prefix: opts.prefix }) };
  collector.apply(
    Object.entries(overrides).map(([key, value]) => ({ key, text: value.trim(), source: 'cli' as const })),
    (v) => ({ key: v.key, value: v.text, source: 'cli', message: unknownKey(v.key) }),
  );
  return collector;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const member of Object.values(value)) deepFreeze(member);
  }
  return value;
}

export function loadSettings(opts: LoadOptions = {}): Settings {
  return loadSettingsReport(opts).settings;
}

export function loadSettingsReport(opts: LoadOptions = {}): LoadReport {
  const cwd = resolve(opts.cwd ?? process.cwd());
  const problems: ConfigProblem[] = [];
  const collected = collectRaw(opts, cwd, problems);
  const raw = collected.raw;
  const problemAt = (key: string, message: string): ConfigProblem => {
    const where = raw.get(key);
    return { key, value: where?.text ?? '', line: where?.line, source: where?.source, file: where?.file, variable: where?.variable, alias: where?.alias, message };
  };

  // prefix first: the other paths are resolved against it; role next: a few defaults depend on it.
  const prefixText = raw.get('prefix')!.text || KEYS_BY_NAME.get('prefix')!.default!;
  const bases = { cwd, prefix: resolve(cwd, prefixText) };
  const role = raw.get('role')!.text as Role;
  const draft: Record<string, unknown> = {};
  const sources: Record<string, ValueSource> = {};
  const env = opts.env ?? process.env;
  for (const def of KEYS) {
    const { text: written, source } = raw.get(def.name)!;
    sources[def.name] = source;
    const roleDefault = source === 'default' ? def.roleDefaults?.[role] : undefined;
    const deref = dereferenceConfValue(def.name, roleDefault ?? written, def.type === 'array', env);
    if (!deref.ok) {
      problems.push(problemAt(def.name, deref.message));
      continue;
    }
    const text = deref.text;
    const result = typedValue(def, text, bases);
    if (!result.ok) {
      problems.push(...result.messages.map((message) => problemAt(def.name, message)));
      continue;
    }
    draft[def.name] = result.typed.value;
    if (def.listenKind) {
      const listeners = result.typed.listeners ?? [];
      draft[`${def.listenKind}_listeners`] = listeners;
      problems.push(...checkListenerSupport(def.name, def.listenKind, listeners).map((message) => problemAt(def.name, message)));
    }
  }

  problems.push(...crossCheck(draft as Partial<Draft>).map(({ key, message }) => problemAt(key, message)));
  if (problems.length) throw new ConfigError(problems);
  const ignored = [...collected.ignored];
  // Kong 2.x files carry router_flavor = traditional: accepted, and said at start that it routes as the 3.x default
  const flavor = raw.get('router_flavor');
  if (draft.router_flavor === 'traditional' && flavor && flavor.source !== 'default') {
    ignored.push({ key: 'router_flavor = traditional', reason: TRADITIONAL_FLAVOR, where: whereOf({ ...flavor, key: 'router_flavor' }) });
  }
  return {
    settings: deepFreeze({ ...draft, sources } as unknown as Settings),
    ignored,
    aliased: collected.aliased,
    environment: [...collected.envUsed.values()],
    unrelatedEnv: collected.unrelatedEnv,
  };
}

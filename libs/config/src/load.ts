// tollgate.conf + TOLLGATE_* env + CLI overrides -> one frozen Settings, or one ConfigError listing every problem.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError } from './config-error';
import type { ConfigProblem, ValueSource } from './config-error';
import { parseConfText } from './conf-text';
import { crossCheck } from './cross-checks';
import type { Draft } from './cross-checks';
import { KEYS, KEYS_BY_NAME } from './keys';
import { checkListenerSupport } from './listen-support';
import { closest } from './suggest';
import { typedValue } from './typed-value';
import type { Settings } from './types';

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
export const DEFAULT_CONF_PATHS: readonly string[] = ['tollgate.conf', '/etc/tollgate/tollgate.conf'];

interface RawValue {
  readonly text: string;
  readonly source: ValueSource;
  readonly line?: number;
  readonly file?: string;
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

function unknownKey(key: string): string {
  const guess = closest(key, KEYS_BY_NAME.keys());
  return `unknown key '${key}'${guess ? ` (did you mean '${guess}'?)` : ''}`;
}

function unknownEnv(name: string): string {
  const guess = closest(name.slice(ENV_PREFIX.length).toLowerCase(), KEYS_BY_NAME.keys());
  return `unknown environment variable${guess ? ` (did you mean ${ENV_PREFIX}${guess.toUpperCase()}?)` : ''}`;
}

function collectRaw(opts: LoadOptions, cwd: string, problems: ConfigProblem[]): Map<string, RawValue> {
  const raw = new Map<string, RawValue>();
  for (const def of KEYS) raw.set(def.name, { text: def.default ?? '', source: 'default' });

  const file = findConfFile(opts.file, cwd);
  if (file) {
    const parsed = parseConfText(readFileSync(file, 'utf8'), file);
    problems.push(...parsed.problems);
    for (const { key, value, line } of parsed.entries) {
      if (KEYS_BY_NAME.has(key)) raw.set(key, { text: value, source: 'file', line, file });
      else problems.push({ key, value, line, source: 'file', file, message: unknownKey(key) });
    }
  }

  const env = opts.env ?? process.env;
  for (const name of Object.keys(env).sort()) {
    if (!name.startsWith(ENV_PREFIX)) continue;
    const key = name.slice(ENV_PREFIX.length).toLowerCase();
    const text = (env[name] ?? '').trim();
    if (KEYS_BY_NAME.has(key)) raw.set(key, { text, source: 'env' });
    else problems.push({ key, value: text, source: 'env', message: unknownEnv(name) });
  }

  const overrides = { ...opts.overrides, ...(opts.prefix !== undefined && { prefix: opts.prefix }) };
  for (const [key, value] of Object.entries(overrides)) {
    if (KEYS_BY_NAME.has(key)) raw.set(key, { text: value.trim(), source: 'cli' });
    else problems.push({ key, value, source: 'cli', message: unknownKey(key) });
  }
  return raw;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const member of Object.values(value)) deepFreeze(member);
  }
  return value;
}

export function loadSettings(opts: LoadOptions = {}): Settings {
  const cwd = resolve(opts.cwd ?? process.cwd());
  const problems: ConfigProblem[] = [];
  const raw = collectRaw(opts, cwd, problems);
  const problemAt = (key: string, message: string): ConfigProblem => {
    const where = raw.get(key);
    return { key, value: where?.text ?? '', line: where?.line, source: where?.source, file: where?.file, message };
  };

  // prefix first: the other paths are resolved against it.
  const prefixText = raw.get('prefix')!.text || KEYS_BY_NAME.get('prefix')!.default!;
  const bases = { cwd, prefix: resolve(cwd, prefixText) };
  const draft: Record<string, unknown> = {};
  const sources: Record<string, ValueSource> = {};
  for (const def of KEYS) {
    const { text, source } = raw.get(def.name)!;
    sources[def.name] = source;
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
  return deepFreeze({ ...draft, sources } as unknown as Settings);
}

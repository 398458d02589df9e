// Turns one key's raw text into its typed value, driven by the key's row in keys.ts.
import { isAbsolute, resolve } from 'node:path';
import type { KeyDef } from './keys';
import { parseListen } from './listen';
import type { ListenEntry } from './types';
import { parseBoolean, parseDurationMs, parseNumber, parseSize, splitList } from './values';
import type { Parsed } from './values';

export interface TypedValue {
  readonly value: unknown;
  /** listen keys only */
  readonly listeners?: readonly ListenEntry[];
}

export type TypedResult = { ok: true; typed: TypedValue } | { ok: false; messages: string[] };

export interface PathBases {
  readonly prefix: string;
  readonly cwd: string;
}

const INLINE_PEM = /^(-----BEGIN|LS0tLS1CRUdJTi)/; // PEM text, or base64 of "-----BEGIN"

function resolvePath(def: KeyDef, value: string, bases: PathBases): string {
  if (!def.resolve || INLINE_PEM.test(value) || isAbsolute(value)) return value;
  return resolve(def.resolve === 'prefix' ? bases.prefix : bases.cwd, value);
}

function fromParsed<T>(key: string, parsed: Parsed<T>): TypedResult {
  return parsed.ok ? { ok: true, typed: { value: parsed.value } } : { ok: false, messages: [`${key}: ${parsed.message}`] };
}

function typed(def: KeyDef, text: string, bases: PathBases): TypedResult {
  const key = def.name;
  switch (def.type) {
    case 'string':
      if (def.offIsNull && text === 'off') return { ok: true, typed: { value: null } };
      return { ok: true, typed: { value: resolvePath(def, text, bases) } };
    case 'number':
      return fromParsed(key, parseNumber(text, def));
    case 'boolean':
      return fromParsed(key, parseBoolean(text));
    case 'size':
      return fromParsed(key, parseSize(text));
    case 'duration':
      return fromParsed(key, parseDurationMs(text));
    case 'enum':
      return def.values!.includes(text)
        ? { ok: true, typed: { value: text } }
        : { ok: false, messages: [`${key} has an invalid value: '${text}' (${def.values!.join(', ')})`] };
    case 'array': {
      const items = splitList(text, def.separator);
      const wrong = def.values ? items.filter((item) => !def.values!.includes(item)) : [];
      if (wrong.length) return { ok: false, messages: wrong.map((item) => `${key} has an invalid value: '${item}' (${def.values!.join(', ')})`) };
      return { ok: true, typed: { value: items.map((item) => resolvePath(def, item, bases)) } };
    }
    case 'listen': {
      const parsed = parseListen(key, text, def.listenKind!);
      if (parsed.problems.length) return { ok: false, messages: parsed.problems };
      return { ok: true, typed: { value: splitList(text), listeners: parsed.listeners } };
    }
  }
}

/**
 * Empty text means "unset": scalars fall back to the default (null when the default is unset),
 * arrays and listeners become empty.
 */
export function typedValue(def: KeyDef, text: string, bases: PathBases): TypedResult {
  let result: TypedResult;
  if (text !== '') result = typed(def, text, bases);
  else if (def.type === 'array' || def.type === 'listen') result = { ok: true, typed: { value: [], listeners: def.type === 'listen' ? [] : undefined } };
  else if (def.default !== null && def.default !== '') return typedValue(def, def.default, bases);
  else result = { ok: true, typed: { value: null } };
  if (!result.ok || !def.refine) return result;
  const refined = def.refine(def.name, result.typed.value);
  return refined.ok ? { ok: true, typed: { ...result.typed, value: refined.value } } : refined;
}

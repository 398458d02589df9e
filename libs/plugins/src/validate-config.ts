// Plugin config validation with Kong's error shape: field errors under `config`, plugin-level entity checks
// (written against `config.*` paths) under `@entity` or at their field path.
import { validateConfigRecord, type FieldErrors, type FieldList, type ValidationResult } from '@tollgate/schema';
import type { PluginConfigFields } from './types';

export interface ConfigIssue {
  /** e.g. 'config.redis.host' or 'config'; absent -> '@entity' */
  readonly path?: string;
  readonly message: string;
}

/**
 * Kong's `is_regex` field validator, with its message ("not a valid regex: <value>"). Patterns run as JavaScript
 * regular expressions (Kong's are PCRE; the common syntax is shared).
 */
export function notARegex(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    new RegExp(value);
    return undefined;
  } catch {
    return `not a valid regex: ${value}`;
  }
}

/** A check over a validated config; runs only when the fields themselves are valid (as Kong's entity checks). */
export type ConfigCheck = (config: Record<string, unknown>) => readonly ConfigIssue[];

export function validatePluginConfig(schemas: ReadonlyMap<string, FieldList>, name: string, input: unknown): ValidationResult {
  const fields = schemas.get(name) as PluginConfigFields | undefined;
  if (!fields) return { ok: false, fields: { name: `plugin '${name}' not enabled; add it to the 'plugins' configuration property` } };
  const result = validateConfigRecord(fields, input);
  if (!result.ok) return { ok: false, fields: { config: result.fields } };
  const errors = runConfigChecks(fields, result.value);
  return errors ? { ok: false, fields: errors } : result;
}

/** Kong-shaped errors of the plugin-level checks, or undefined. */
export function runConfigChecks(fields: PluginConfigFields, config: Record<string, unknown>): FieldErrors | undefined {
  const checks = (fields as unknown as { configChecks?: readonly ConfigCheck[] }).configChecks;
  if (!checks) return undefined;
  const out: Record<string, unknown> = {};
  for (const check of checks) {
    for (const issue of check(config)) {
      if (!issue.path) {
        const list = (out['@entity'] as string[] | undefined) ?? [];
        if (!list.includes(issue.message)) list.push(issue.message);
        out['@entity'] = list;
        continue;
      }
      const parts = issue.path.split('.');
      let node = out;
      for (const p of parts.slice(0, -1)) node = (node[p] ??= {}) as Record<string, unknown>;
      const last = parts[parts.length - 1];
      if (last === '@entity') {
        // a nested record's own entity checks (Kong reports them as a list under the record's `@entity`)
        const list = (node[last] as string[] | undefined) ?? [];
        if (!list.includes(issue.message)) list.push(issue.message);
        node[last] = list;
        continue;
      }
      node[last] ??= issue.message;
    }
  }
  return Object.keys(out).length ? (out as FieldErrors) : undefined;
}

/** Attaches plugin-level checks to a config FieldList (read by validatePluginConfig). */
export function withConfigChecks(fields: FieldList, checks: readonly ConfigCheck[]): PluginConfigFields {
  const out = [...fields];
  Object.defineProperty(out, 'configChecks', { value: checks, enumerable: false });
  return out as unknown as PluginConfigFields;
}

const quoted = (names: readonly string[]) => names.map((n) => `'config.${n}'`).join(', ');
const present = (v: unknown) => v !== null && v !== undefined && !(Array.isArray(v) && v.length === 0);

/** A check that also says what it is in Kong's schema JSON (`entity_checks` of `GET /schemas/plugins/{name}`). */
function described(check: ConfigCheck, kongJson: Record<string, unknown>, scope: 'plugin' | 'config' = 'plugin'): ConfigCheck {
  Object.defineProperty(check, 'kongJson', { value: Object.freeze(kongJson), enumerable: false });
  Object.defineProperty(check, 'kongScope', { value: scope, enumerable: false });
  return check;
}

const configPaths = (names: readonly string[]) => names.map((n) => `config.${n}`);

/** Kong's at_least_one_of over config fields. */
export const atLeastOneOf = (names: readonly string[]): ConfigCheck => described((c) =>
  names.some((n) => present(c[n])) ? [] : [{ message: `at least one of these fields must be non-empty: ${quoted(names)}` }],
{ at_least_one_of: configPaths(names) });

/**
 * Kong's at_least_one_of written in the config record's own entity_checks (opentelemetry): the names are the
 * record's, and the error is the record's (`config.@entity`).
 */
export const configAtLeastOneOf = (names: readonly string[]): ConfigCheck => described((c) =>
  names.some((n) => present(c[n])) ? [] : [{ path: 'config.@entity', message: `at least one of these fields must be non-empty: ${names.map((n) => `'${n}'`).join(', ')}` }],
{ at_least_one_of: [...names] }, 'config');

/** Kong's only_one_of over config fields: exactly one of them set (none fails too, as Kong's validator). */
export const onlyOneOf = (names: readonly string[]): ConfigCheck => described((c) =>
  names.filter((n) => present(c[n])).length !== 1 ? [{ message: `exactly one of these fields must be non-empty: ${quoted(names)}` }] : [],
{ only_one_of: configPaths(names) });

/** Kong's conditional: when `ifField` matches, `thenPath` (a config path) is required. */
export const requiredWhen = (ifField: string, equals: unknown, thenPath: string): ConfigCheck => described((c) => {
  if (c[ifField] !== equals) return [];
  let v: unknown = c;
  for (const p of thenPath.split('.')) v = (v as Record<string, unknown> | null)?.[p];
  return present(v)
    ? []
    : [{ path: `config.${thenPath}`, message: 'required field missing' }, { message: `failed conditional validation given value of field 'config.${ifField}'` }];
}, { conditional: { if_field: `config.${ifField}`, if_match: { eq: equals }, then_field: `config.${thenPath}`, then_match: { required: true } } });

/**
 * Kong's conditional with `if_match = { gt = n }` and `then_match = { contains = value }` (jwt): when `ifField`
 * is above `gt`, the list at `thenField` must contain `wanted`. A null list passes, as in Kong (the field is not
 * required, so its conditional validation accepts null).
 */
export const containsWhenAbove = (ifField: string, gt: number, thenField: string, wanted: string): ConfigCheck => described((c) => {
  const v = c[ifField];
  const list = c[thenField];
  if (typeof v !== 'number' || v <= gt || !Array.isArray(list) || list.includes(wanted)) return [];
  return [{ path: `config.${thenField}`, message: `expected to contain: ${wanted}` }, { message: `failed conditional validation given value of field 'config.${ifField}'` }];
}, { conditional: { if_field: `config.${ifField}`, if_match: { gt }, then_field: `config.${thenField}`, then_match: { contains: wanted } } });

/**
 * The checks of a config FieldList in Kong's JSON form: the plugin-level ones (`entity_checks` of
 * `GET /schemas/plugins/{name}`) or the config record's own; checks written as code (no Kong declarative form)
 * are left out.
 */
export function configChecksJson(fields: FieldList, scope: 'plugin' | 'config' = 'plugin'): Array<Record<string, unknown>> {
  const checks = (fields as unknown as { configChecks?: readonly ConfigCheck[] }).configChecks ?? [];
  return checks.flatMap((c) => {
    const { kongJson, kongScope } = c as unknown as { kongJson?: Record<string, unknown>; kongScope?: string };
    return kongJson && kongScope === scope ? [kongJson] : [];
  });
}

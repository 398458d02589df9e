// Kong's one-line summary of an error tree: entity-level messages first, then `field: msg` sorted,
// nested tables flattened one level (`config.minute: msg`, arrays by 1-based index `protocols.1: msg`).
import { luaPretty } from './lua-pretty';

type Tree = Record<string, unknown>;

function entries(key: string, value: unknown): string[] {
  if (value === null || value === undefined) return [];
  if (typeof value === 'string') return [`${key}: ${value}`];
  if (Array.isArray(value)) {
    const out: string[] = [];
    value.forEach((item, index) => {
      if (item === null || item === undefined) return;
      out.push(`${key}.${index + 1}: ${typeof item === 'string' ? item : luaPretty(item)}`);
    });
    return out;
  }
  if (typeof value === 'object') {
    return Object.keys(value as Tree).flatMap((sub) => {
      const inner = (value as Tree)[sub];
      if (inner === null || inner === undefined) return [];
      return [`${key}.${sub}: ${typeof inner === 'string' ? inner : luaPretty(inner)}`];
    });
  }
  return [`${key}: ${String(value)}`];
}

/** The list of violations in Kong's order. */
export function flattenViolations(fields: Tree): string[] {
  const entityLevel = fields['@entity'];
  const head = Array.isArray(entityLevel) ? entityLevel.filter((m): m is string => typeof m === 'string') : [];
  const rest = Object.keys(fields)
    .filter((key) => key !== '@entity')
    .flatMap((key) => entries(key, fields[key]))
    .sort();
  return [...head, ...rest];
}

/** `schema violation (a)` for one violation, `N schema violations (a; b)` for several. */
export function summarise(fields: Tree, one: string, many: string): string {
  const all = flattenViolations(fields);
  if (all.length === 1) return `${one} (${all[0]})`;
  return `${all.length} ${many} (${all.join('; ')})`;
}

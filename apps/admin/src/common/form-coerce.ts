// Form values arrive as strings; Kong coerces them with the entity schema (forms only, JSON is never coerced):
// "" -> null, numbers via tonumber, "true"/"false", a single value for an array field becomes a one-item array.
import type { FieldDef, FieldList } from '@tollgate/schema';
import { setOwn } from './own-property';

const NUMERIC = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$|^\s*0[xX][0-9a-fA-F]+\s*$/;

export function coerceFormValue(def: FieldDef | undefined, value: unknown, pluginConfig?: FieldList): unknown {
  if (value === '') return null;
  if (!def) return value;
  switch (def.type) {
    case 'integer':
    case 'number':
      return typeof value === 'string' && NUMERIC.test(value) ? Number(value) : value;
    case 'boolean':
      return value === 'true' ? true : value === 'false' ? false : value;
    case 'array':
    case 'set': {
      // An index map that form decoding could not turn into a list (e.g. `paths[99999999]=`) is not a sequence:
      // hand it to the validator as is, which answers "expected an array".
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value;
      const list = Array.isArray(value) ? value : [value];
      return list.map((item) => coerceFormValue(def.elements, item));
    }
    case 'map':
      if (!value || typeof value !== 'object' || Array.isArray(value)) return value;
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, coerceFormValue(def.values, v)])); // defines own keys
    case 'record': {
      const fields = pluginConfig ?? def.fields;
      return fields ? coerceFormRecord(fields, value) : value;
    }
    default:
      return value;
  }
}

export function coerceFormRecord(fields: FieldList, value: unknown, pluginConfigs?: ReadonlyMap<string, FieldList>, pluginName?: string): unknown {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(value)) {
    const def = fields.find(([name]) => name === key)?.[1];
    const config = key === 'config' && pluginName ? pluginConfigs?.get(pluginName) : undefined;
    setOwn(out, key, coerceFormValue(def, raw, config));
  }
  return out;
}

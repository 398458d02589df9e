// id, created_at/updated_at and auto-generated strings (credential keys), filled the way Kong's DAO does:
// insert/upsert: created_at = now unless given; update: created_at kept; updated_at always now.
import { randomUUID } from 'node:crypto';
import { EntitySchema } from '../types';
import { Obj } from './helpers';

function stamp(kind: 'seconds' | 'milliseconds' | undefined, nowMs: number): number {
  return kind === 'milliseconds' ? Math.round(nowMs) / 1000 : Math.floor(nowMs / 1000);
}

/** Random credential material: Kong's random string is a UUID without dashes. */
export const randomKey = () => randomUUID().replace(/-/g, '');

export function withAutoFields(schema: EntitySchema, value: Obj, nowMs: number = Date.now(), previous?: Obj): Obj {
  const out: Obj = { ...value };
  for (const [name, def] of schema.fields) {
    if (!def.auto) continue;
    if (def.timestamp) {
      if (name === 'updated_at') out[name] = stamp(def.timestamp, nowMs);
      else if (out[name] == null) out[name] = (previous?.[name] as number | undefined) ?? stamp(def.timestamp, nowMs);
    } else if (out[name] == null) {
      out[name] = def.uuid ? randomUUID() : randomKey();
    }
  }
  return out;
}

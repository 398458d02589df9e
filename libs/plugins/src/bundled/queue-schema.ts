// Kong's shared `queue` record of log plugins (kong/tools/queue_schema.lua).
import type { FieldDef } from '@tollgate/schema';

/**
 * Kong's `typedefs.queue { default = {...} }`: the plugin's own defaults apply when the whole `queue` record is
 * left out (opentelemetry: max_batch_size 200); a `queue` given in part takes the field defaults for the rest.
 */
export function queueRecordWith(defaults: Readonly<Record<string, unknown>>): FieldDef {
  const whole: Record<string, unknown> = {};
  for (const [name, def] of queueRecord.fields!) whole[name] = def.default ?? null;
  return { ...queueRecord, default: { ...whole, ...defaults } };
}

export const queueRecord: FieldDef = {
  type: 'record',
  required: true,
  fields: [
    ['max_batch_size', { type: 'integer', default: 1, between: [1, 1000000] }],
    ['max_coalescing_delay', { type: 'number', default: 1, between: [0, 3600] }],
    ['max_entries', { type: 'integer', default: 10000, between: [1, 1000000] }],
    ['max_bytes', { type: 'integer' }],
    ['max_retry_time', { type: 'number', default: 60 }],
    ['initial_retry_delay', { type: 'number', default: 0.01, between: [0.001, 1000000] }],
    ['max_retry_delay', { type: 'number', default: 60, between: [0.001, 1000000] }],
    ['concurrency_limit', { type: 'integer', default: 1, one_of: [-1, 1] }],
  ],
};

import type { FieldList } from '@tollgate/schema';

export const schema: FieldList = [
  ['per_consumer', { type: 'boolean', default: false }],
  ['status_code_metrics', { type: 'boolean', default: false }],
  ['ai_metrics', { type: 'boolean', default: false }],
  ['latency_metrics', { type: 'boolean', default: false }],
  ['bandwidth_metrics', { type: 'boolean', default: false }],
  ['upstream_health_metrics', { type: 'boolean', default: false }],
  ['wasm_metrics', { type: 'boolean', default: false }],
];

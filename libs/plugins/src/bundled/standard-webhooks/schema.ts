// standard-webhooks (Kong 3.8+, kong/plugins/standard-webhooks/schema.lua).
import type { FieldList } from '@tollgate/schema';

export const noConsumer = true;

export const schema: FieldList = [
  ['secret_v1', { type: 'string', required: true, referenceable: true, description: 'Webhook secret' }],
  ['tolerance_second', {
    type: 'integer', required: true, gt: -1, default: 300,
    description: "Tolerance of the webhook timestamp in seconds. If the webhook timestamp is older than this number of seconds, it will be rejected with a '400' response.",
  }],
];

// datadog (Kong's kong/plugins/datadog/schema.lua): DogStatsD metrics with tags.
import { typedefs, type FieldList } from '@tollgate/schema';
import { queueRecord } from '../queue-schema';
import { sampleRateRequired } from '../statsd/schema';

const STAT_NAMES = ['kong_latency', 'latency', 'request_count', 'request_size', 'response_size', 'upstream_latency'];
const STAT_TYPES = ['counter', 'gauge', 'histogram', 'meter', 'set', 'timer', 'distribution'];
const CONSUMER_IDENTIFIERS = ['consumer_id', 'custom_id', 'username'];

const metric = (name: string, statType: string) => ({
  name, stat_type: statType, ...(statType === 'counter' ? { sample_rate: 1 } : {}), tags: ['app:kong'], consumer_identifier: 'custom_id',
});

/** Kong's DEFAULT_METRICS, in its order. */
const DEFAULT_METRICS = [
  metric('request_count', 'counter'),
  metric('latency', 'timer'),
  metric('request_size', 'timer'),
  metric('response_size', 'timer'),
  metric('upstream_latency', 'timer'),
  metric('kong_latency', 'timer'),
];

export const schema: FieldList = [
  ['host', { ...typedefs.host, referenceable: true, default: 'localhost' }],
  ['port', { ...typedefs.port, default: 8125 }],
  ['prefix', { type: 'string', default: 'kong', description: "String to be attached as a prefix to a metric's name." }],
  ['service_name_tag', { type: 'string', default: 'name', description: 'String to be attached as the name of the service.' }],
  ['status_tag', { type: 'string', default: 'status', description: 'String to be attached as the tag of the HTTP status.' }],
  ['consumer_tag', { type: 'string', default: 'consumer', description: 'String to be attached as tag of the consumer.' }],
  ['retry_count', { type: 'integer', description: 'Number of times to retry when sending data to the upstream server.' }],
  ['queue_size', { type: 'integer', description: 'Maximum number of log entries to be sent on each message to the upstream server.' }],
  ['flush_timeout', { type: 'number', description: 'Optional time in seconds. If `queue_size` > 1, this is the max idle time before sending a log with less than `queue_size` records.' }],
  ['queue', queueRecord],
  ['metrics', {
    type: 'array', required: true, default: DEFAULT_METRICS, description: 'List of metrics to be logged.',
    elements: {
      type: 'record',
      fields: [
        ['name', { type: 'string', required: true, one_of: STAT_NAMES, description: 'Datadog metric’s name' }],
        ['stat_type', { type: 'string', required: true, one_of: STAT_TYPES, description: 'Determines what sort of event the metric represents' }],
        ['tags', { type: 'array', elements: { type: 'string', match: /^.*[^:]$/ }, description: 'List of tags' }],
        ['sample_rate', { type: 'number', between: [0, 1], description: 'Sampling rate' }],
        ['consumer_identifier', { type: 'string', one_of: CONSUMER_IDENTIFIERS, description: 'Authenticated user detail' }],
      ],
      entity_checks: [sampleRateRequired(['counter', 'gauge'])],
    },
  }],
];

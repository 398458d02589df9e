// statsd (Kong's kong/plugins/statsd/schema.lua): metrics to send, per-metric identifiers, UDP or TCP, tag styles.
import { conditional, requiredValue, typedefs, type EntityCheck, type FieldDef, type FieldList } from '@tollgate/schema';
import { queueRecord } from '../queue-schema';

export const METRIC_NAMES = [
  'kong_latency', 'latency', 'request_count', 'request_per_user', 'request_size', 'response_size', 'status_count',
  'status_count_per_user', 'unique_users', 'upstream_latency', 'status_count_per_workspace',
  'status_count_per_user_per_route', 'shdict_usage',
];
const STAT_TYPES = ['counter', 'gauge', 'histogram', 'meter', 'set', 'timer'];
const CONSUMER_IDENTIFIERS = ['consumer_id', 'custom_id', 'username'];
const SERVICE_IDENTIFIERS = ['service_id', 'service_name', 'service_host', 'service_name_or_host'];
const WORKSPACE_IDENTIFIERS = ['workspace_id', 'workspace_name'];

const metric = (name: string, statType: string, sampled: boolean) => ({
  name, stat_type: statType, ...(sampled ? { sample_rate: 1 } : {}),
});

/** Kong's DEFAULT_METRICS, in its order. */
const DEFAULT_METRICS = [
  metric('request_count', 'counter', true),
  metric('latency', 'timer', false),
  metric('request_size', 'counter', true),
  metric('status_count', 'counter', true),
  metric('response_size', 'counter', true),
  metric('unique_users', 'set', false),
  metric('request_per_user', 'counter', true),
  metric('upstream_latency', 'timer', false),
  metric('kong_latency', 'timer', false),
  metric('status_count_per_user', 'counter', true),
  metric('status_count_per_workspace', 'counter', true),
  metric('status_count_per_user_per_route', 'counter', true),
  metric('shdict_usage', 'gauge', true),
];

/** Counters and gauges need a sample_rate (Kong's conditional entity check on each metric). */
export const sampleRateRequired = (types: readonly string[]): EntityCheck => conditional({
  ifField: 'stat_type', when: (v) => types.includes(v as string), thenField: 'sample_rate', then: requiredValue,
  kongJson: { conditional: { if_field: 'stat_type', if_match: { one_of: types }, then_field: 'sample_rate', then_match: { required: true } } },
});

const metricRecord: FieldDef = {
  type: 'record',
  fields: [
    ['name', { type: 'string', required: true, one_of: METRIC_NAMES, description: 'StatsD metric’s name.' }],
    ['stat_type', { type: 'string', required: true, one_of: STAT_TYPES, description: 'Determines what sort of event a metric represents.' }],
    ['sample_rate', { type: 'number', gt: 0, description: 'Sampling rate' }],
    ['consumer_identifier', { type: 'string', one_of: CONSUMER_IDENTIFIERS, description: 'Authenticated user detail.' }],
    ['service_identifier', { type: 'string', one_of: SERVICE_IDENTIFIERS, description: 'Service detail.' }],
    ['workspace_identifier', { type: 'string', one_of: WORKSPACE_IDENTIFIERS, description: 'Workspace detail.' }],
  ],
  entity_checks: [sampleRateRequired(['counter', 'gauge'])],
};

export const schema: FieldList = [
  ['host', { ...typedefs.host, default: 'localhost', description: 'The IP address or hostname of StatsD server to send data to.' }],
  ['port', { ...typedefs.port, default: 8125, description: 'The port of StatsD server to send data to.' }],
  ['prefix', { type: 'string', default: 'kong', description: "String to prefix to each metric's name." }],
  ['metrics', { type: 'array', default: DEFAULT_METRICS, elements: metricRecord, description: 'List of metrics to be logged.' }],
  ['allow_status_codes', {
    type: 'array', description: 'List of status code ranges that are allowed to be logged in metrics.',
    elements: { type: 'string', match: /^[0-9]+-[0-9]+$/ },
  }],
  // datagrams carry several lines up to this size (0: one line per datagram); 65507 is UDP's payload limit
  ['udp_packet_size', { type: 'number', between: [0, 65507], default: 0 }],
  ['use_tcp', { type: 'boolean', default: false }],
  ['hostname_in_prefix', { type: 'boolean', default: false }],
  ['consumer_identifier_default', { type: 'string', required: true, default: 'custom_id', one_of: CONSUMER_IDENTIFIERS }],
  ['service_identifier_default', { type: 'string', required: true, default: 'service_name_or_host', one_of: SERVICE_IDENTIFIERS }],
  ['workspace_identifier_default', { type: 'string', required: true, default: 'workspace_id', one_of: WORKSPACE_IDENTIFIERS }],
  ['retry_count', { type: 'integer' }],
  ['queue_size', { type: 'integer' }],
  ['flush_timeout', { type: 'number' }],
  ['tag_style', { type: 'string', required: false, one_of: ['dogstatsd', 'influxdb', 'librato', 'signalfx'] }],
  ['queue', queueRecord],
];

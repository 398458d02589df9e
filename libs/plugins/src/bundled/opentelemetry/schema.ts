// Kong 3.10's opentelemetry plugin schema (kong/plugins/opentelemetry/schema.lua).
import { typedefs, withShorthandFields, type FieldList } from '@tollgate/schema';
import { configAtLeastOneOf, withConfigChecks } from '../../validate-config';
import { queueRecordWith } from '../queue-schema';
import { endpointUrl, propagationRecord, timeoutMs } from '../../tracing/schema-fields';

/** Protocols the plugin applies to by default (Kong: typedefs.protocols_http). */
export const protocols = ['grpc', 'grpcs', 'http', 'https'];

const resourceAttributes = (attrs: unknown): string | undefined => {
  if (attrs === null || typeof attrs !== 'object') return undefined;
  for (const v of Object.values(attrs as Record<string, unknown>)) {
    if (!['string', 'number', 'boolean'].includes(typeof v)) return `invalid type of value: ${typeof v}`;
    if (v === '') return 'required field missing';
  }
  return undefined;
};

export const schema: FieldList = withShorthandFields(withConfigChecks([
  ['traces_endpoint', endpointUrl({ referenceable: true, description: 'OTLP/HTTP endpoint spans are sent to.' })],
  ['logs_endpoint', endpointUrl({ referenceable: true, description: 'OTLP/HTTP endpoint log records are sent to.' })],
  ['headers', { type: 'map', keys: typedefs.headerName, values: { type: 'string', referenceable: true }, description: 'Headers added to the export requests (authentication tokens for the APM backend).' }],
  ['resource_attributes', { type: 'map', keys: { type: 'string', required: true }, values: { type: 'string', required: true }, custom: resourceAttributes, description: 'Attributes of the OpenTelemetry resource (service.name defaults to kong).' }],
  ['queue', queueRecordWith({ max_batch_size: 200 })],
  ['batch_span_count', { type: 'integer', description: 'Deprecated: use queue.max_batch_size.' }],
  ['batch_flush_delay', { type: 'integer', description: 'Deprecated: use queue.max_coalescing_delay.' }],
  ['connect_timeout', timeoutMs(1000)],
  ['send_timeout', timeoutMs(5000)],
  ['read_timeout', timeoutMs(5000)],
  ['http_response_header_for_traceid', { type: 'string', description: 'When set, the response carries the trace id in this header.' }],
  ['header_type', { type: 'string', required: false, default: 'preserve', one_of: ['preserve', 'ignore', 'b3', 'b3-single', 'w3c', 'jaeger', 'ot', 'aws', 'gcp', 'datadog', 'instana'], description: 'Deprecated: use propagation.' }],
  ['sampling_rate', { type: 'number', between: [0, 1], required: false, description: 'Probability of sampling a trace; supersedes tracing_sampling_rate.' }],
  ['propagation', propagationRecord('w3c')],
], [configAtLeastOneOf(['traces_endpoint', 'logs_endpoint'])]), [
  { name: 'endpoint', field: endpointUrl({ referenceable: true }), path: ['traces_endpoint'], echo: false },
]);

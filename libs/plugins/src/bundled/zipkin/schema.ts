// Kong 3.10's zipkin plugin schema (kong/plugins/zipkin/schema.lua).
import type { FieldDef, FieldList } from '@tollgate/schema';
import { queueRecord } from '../queue-schema';
import { endpointUrl, propagationRecord, timeoutMs } from '../../tracing/schema-fields';

/** Tags the plugin sets itself: static_tags may not name them. */
const PROTECTED_TAGS = ['error', 'http.method', 'http.path', 'http.status_code', 'kong.balancer.state', 'kong.balancer.try', 'kong.consumer', 'kong.credential', 'kong.node.id', 'kong.route', 'kong.service', 'lc', 'peer.hostname'];

const staticTag: FieldDef = {
  type: 'record',
  fields: [
    ['name', { type: 'string', required: true, not_one_of: PROTECTED_TAGS }],
    ['value', { type: 'string', required: true }],
  ],
} as FieldDef;

const uniqueTags = (tags: unknown): string | undefined => {
  if (!Array.isArray(tags)) return undefined;
  const seen = new Set<string>();
  for (const t of tags as { name?: string }[]) {
    if (t?.name === undefined) continue;
    if (seen.has(t.name)) return `repeated tags are not allowed: ${t.name}`;
    seen.add(t.name);
  }
  return undefined;
};

const FORMATS = ['b3', 'b3-single', 'w3c', 'jaeger', 'ot', 'aws', 'datadog', 'gcp', 'instana'];

export const schema: FieldList = [
  ['local_service_name', { type: 'string', required: true, default: 'kong', description: 'The name of the service as displayed in Zipkin.' }],
  ['http_endpoint', endpointUrl({ description: 'Zipkin v2 spans endpoint (e.g. http://zipkin:9411/api/v2/spans).' })],
  ['sample_ratio', { type: 'number', default: 0.001, between: [0, 1], description: 'How often to sample requests that carry no sampling decision.' }],
  ['default_service_name', { type: 'string', description: "Service name of spans whose service is unnamed (instead of Zipkin's unknown-service-name)." }],
  ['include_credential', { type: 'boolean', required: true, default: true, description: 'Tag the request span with the credential id.' }],
  ['traceid_byte_count', { type: 'integer', required: true, default: 16, one_of: [8, 16], description: 'The length in bytes of each new trace id.' }],
  ['header_type', { type: 'string', required: true, default: 'preserve', one_of: ['preserve', 'ignore', ...FORMATS], description: 'Deprecated: use propagation.' }],
  ['default_header_type', { type: 'string', required: true, default: 'b3', one_of: FORMATS, description: 'Deprecated: use propagation.default_format.' }],
  ['tags_header', { type: 'string', required: true, default: 'Zipkin-Tags', description: 'Request header whose `name=value;...` pairs become tags of the request span.' }],
  ['static_tags', { type: 'array', elements: staticTag, custom: uniqueTags, description: 'Tags added to every request span.' }],
  ['http_span_name', { type: 'string', required: true, default: 'method', one_of: ['method', 'method_path'], description: 'Request span name: the method, or method and path.' }],
  ['connect_timeout', timeoutMs(2000)],
  ['send_timeout', timeoutMs(5000)],
  ['read_timeout', timeoutMs(5000)],
  ['http_response_header_for_traceid', { type: 'string' }],
  ['phase_duration_flavor', { type: 'string', required: true, default: 'annotations', one_of: ['annotations', 'tags'], description: 'Phase durations as annotations or as tags.' }],
  ['queue', queueRecord],
  ['propagation', propagationRecord('b3')],
];

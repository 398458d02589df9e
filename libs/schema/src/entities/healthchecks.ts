// upstreams.healthchecks: the active/passive health checker configuration with Kong's full defaults.
import { FieldDef } from '../types';
import * as t from '../fields/typedefs';

const statuses = (list: number[], description: string): FieldDef => ({
  type: 'array', elements: { type: 'integer', between: [100, 999] }, default: list, description, example: list.slice(0, 2),
});
const interval: FieldDef = { type: 'integer', between: [0, 65535], default: 0, description: 'Seconds between active probes; 0 disables.', example: 5 };
const counter = (description: string): FieldDef => ({ type: 'integer', between: [0, 255], default: 0, description, example: 3 });
const checkType = (description: string): FieldDef => ({ type: 'string', one_of: ['tcp', 'http', 'https', 'grpc', 'grpcs'], default: 'http', description, example: 'http' });

const activeHealthy: FieldDef = {
  type: 'record', description: 'When an unhealthy target is considered healthy again by active probes.', example: { interval: 5, successes: 2 },
  fields: [
    ['interval', interval],
    ['http_statuses', statuses([200, 302], 'Probe statuses counted as successes.')],
    ['successes', counter('Successful probes needed to mark a target healthy; 0 disables.')],
  ],
};

const unhealthyFields = (withInterval: boolean, defaults: number[]): FieldDef['fields'] => [
  ...(withInterval ? [['interval', interval] as const] : []),
  ['http_statuses', statuses(defaults, 'Statuses counted as failures.')],
  ['tcp_failures', counter('TCP failures needed to mark a target unhealthy; 0 disables.')],
  ['timeouts', counter('Timeouts needed to mark a target unhealthy; 0 disables.')],
  ['http_failures', counter('HTTP failures needed to mark a target unhealthy; 0 disables.')],
];

const active: FieldDef = {
  type: 'record', description: 'Active health checks: Tollgate probes targets itself.', example: { type: 'http', http_path: '/health' },
  fields: [
    ['type', checkType('Kind of probe.')],
    ['timeout', { type: 'number', between: [0, 65535], default: 1, description: 'Probe timeout in seconds.', example: 1 }],
    ['concurrency', { type: 'integer', between: [1, 2147483648], default: 10, description: 'Targets probed in parallel.', example: 10 }],
    ['http_path', { ...t.path, default: '/', description: 'Path requested by HTTP probes.', example: '/health' }],
    ['https_sni', { ...t.host, description: 'SNI sent by HTTPS probes.', example: 'orders.internal' }],
    ['https_verify_certificate', { type: 'boolean', default: true, description: 'Verify the target certificate in HTTPS probes.', example: true }],
    ['headers', { type: 'map', keys: t.headerName, values: { type: 'array', elements: { type: 'string' } }, description: 'Extra headers sent by probes.', example: { 'x-probe': ['1'] } }],
    ['healthy', activeHealthy],
    ['unhealthy', { type: 'record', fields: unhealthyFields(true, [429, 404, 500, 501, 502, 503, 504, 505]), description: 'When a target is considered unhealthy by active probes.', example: { interval: 5, http_failures: 3 } }],
  ],
};

const passive: FieldDef = {
  type: 'record', description: 'Passive health checks: proxied traffic is observed.', example: { type: 'http' },
  fields: [
    ['type', checkType('Kind of traffic observed.')],
    ['healthy', {
      type: 'record', description: 'When traffic marks a target healthy again.', example: { successes: 5 },
      fields: [
        ['http_statuses', statuses([200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304, 305, 306, 307, 308], 'Response statuses counted as successes.')],
        ['successes', counter('Successes needed to mark a target healthy; 0 disables.')],
      ],
    }],
    ['unhealthy', { type: 'record', fields: unhealthyFields(false, [429, 500, 503]), description: 'When traffic marks a target unhealthy.', example: { http_failures: 5 } }],
  ],
};

export const healthchecks: FieldDef = {
  type: 'record',
  description: 'Health checker configuration for the targets of this upstream.',
  example: { active: { healthy: { interval: 5, successes: 2 } } },
  fields: [
    ['active', active],
    ['passive', passive],
    ['threshold', { type: 'number', between: [0, 100], default: 0, description: 'Minimum percentage of healthy capacity for the upstream to be considered healthy.', example: 0 }],
  ],
};

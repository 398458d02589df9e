// What each of Kong's statsd metrics sends for one request (kong/plugins/statsd/log.lua): stat names under a
// `service.<name>` scope (or `global.unmatched`), or, with tag_style, plain stat names with service/route/
// workspace/consumer/node/status tags.
import { hostname } from 'node:os';
import type { Row } from '@tollgate/declarative/snapshot';
import type { PluginContext } from '../../types';
import { logLatencies } from '../../log/serializer';
import { STAT_TYPES, statsdLine, tagPairs, type TagStyle } from '../../log/statsd-wire';

/** The part of a request the metrics read, queued until its batch is sent. */
export interface StatsdEntry {
  readonly status: number;
  readonly requestSize: number;
  readonly responseSize: number;
  readonly latencies: { readonly kong: number; readonly proxy: number; readonly request: number };
  readonly service: Readonly<Record<string, unknown>> | null;
  readonly route: Readonly<Record<string, unknown>> | null;
  readonly consumer: Row | null;
}

/** The entry queued for one request (statsd and datadog). */
export function statsdEntry(kong: PluginContext): StatsdEntry {
  return {
    status: kong.response.getStatus(),
    requestSize: kong.timings.requestSize,
    responseSize: kong.timings.responseSize,
    latencies: logLatencies(kong),
    service: kong.service?.row ?? null,
    route: kong.route?.row ?? null,
    consumer: kong.client.consumer,
  };
}

export interface MetricConf {
  readonly name: string;
  readonly stat_type: string;
  readonly sample_rate?: number | null;
  readonly consumer_identifier?: string | null;
  readonly service_identifier?: string | null;
  readonly workspace_identifier?: string | null;
}

export interface StatsdConf {
  readonly prefix: string;
  readonly metrics: readonly MetricConf[];
  readonly tagStyle: TagStyle | null;
  readonly consumerDefault: string;
  readonly serviceDefault: string;
  readonly workspaceDefault: string;
}

/** Kong's node hostname with dots made underscores (a dot would split the metric path). */
export const NODE_HOSTNAME = hostname().replace(/\./g, '_');
// Tollgate has one workspace, `default` (the serializer's `workspace` too)
const WORKSPACE = 'default';

const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

const consumerIds: Record<string, (c: Row | null) => string | null> = {
  consumer_id: (c) => str(c?.id),
  custom_id: (c) => str(c?.custom_id),
  username: (c) => str(c?.username),
};

const serviceIds: Record<string, (s: Readonly<Record<string, unknown>> | null) => string | null> = {
  service_id: (s) => str(s?.id),
  service_name: (s) => str(s?.name),
  service_host: (s) => str(s?.host),
  service_name_or_host: (s) => (s ? str(s.name) ?? str(s.host) : null),
};

/** Name and value of the plain metrics (statsd's and datadog's, Kong's same names); the others are built below. */
export const PLAIN_METRICS: Record<string, [string, (e: StatsdEntry) => number]> = {
  request_size: ['request.size', (e) => e.requestSize],
  response_size: ['response.size', (e) => e.responseSize],
  latency: ['latency', (e) => e.latencies.request],
  upstream_latency: ['upstream_latency', (e) => e.latencies.proxy],
  kong_latency: ['kong_latency', (e) => e.latencies.kong],
  request_count: ['request.count', () => 1],
};

function scopeName(e: StatsdEntry, serviceIdentifier: string): string {
  if (!e.service) return 'global.unmatched';
  const name = serviceIds[serviceIdentifier](e.service);
  return `service.${name === null ? 'unnamed' : name.replace(/\./g, '_')}`;
}

function tagsOf(conf: StatsdConf, e: StatsdEntry, m: MetricConf): string[] | null {
  const service = serviceIds[m.service_identifier ?? conf.serviceDefault](e.service);
  if (service === null) return null; // Kong sends the line untagged when there is no service
  const tags: Array<[string, string | number]> = [['service', service]];
  if (e.route) tags.push(['route', String(e.route.name ?? e.route.id)]);
  tags.push(['workspace', WORKSPACE]);
  const consumer = consumerIds[m.consumer_identifier ?? conf.consumerDefault](e.consumer);
  if (consumer !== null) tags.push(['consumer', consumer]);
  tags.push(['node', NODE_HOSTNAME], ['status', e.status]);
  return tagPairs(tags, conf.tagStyle!);
}

/** The lines one request produces, in the order of `conf.metrics`. */
export function metricLines(conf: StatsdConf, e: StatsdEntry, out: string[]): void {
  const { prefix, tagStyle } = conf;
  for (const m of conf.metrics) {
    const rate = m.sample_rate;
    const consumer = () => consumerIds[m.consumer_identifier ?? conf.consumerDefault](e.consumer);
    const plain = PLAIN_METRICS[m.name];
    if (plain) {
      const value = plain[1](e);
      if (value === -1) continue; // no upstream answered: Kong skips the stat
      if (tagStyle) out.push(statsdLine(prefix, plain[0], value, STAT_TYPES[m.stat_type], rate, tagsOf(conf, e, m), tagStyle));
      else out.push(statsdLine(prefix, `${scopeName(e, m.service_identifier ?? conf.serviceDefault)}.${plain[0]}`, value, STAT_TYPES[m.stat_type], rate));
      continue;
    }
    // the per-user, per-status and set metrics exist only without tags (Kong skips them in tag mode)
    if (tagStyle) continue;
    const scope = scopeName(e, m.service_identifier ?? conf.serviceDefault);
    switch (m.name) {
      case 'status_count':
        out.push(statsdLine(prefix, `${scope}.status.${e.status}`, 1, 'c', rate));
        break;
      case 'unique_users': {
        const id = consumer();
        if (id !== null) out.push(statsdLine(prefix, `${scope}.user.uniques`, id, 's', undefined));
        break;
      }
      case 'request_per_user': {
        const id = consumer();
        if (id !== null) out.push(statsdLine(prefix, `${scope}.user.${id}.request.count`, 1, 'c', rate));
        break;
      }
      case 'status_count_per_user': {
        const id = consumer();
        if (id !== null) out.push(statsdLine(prefix, `${scope}.user.${id}.status.${e.status}`, 1, 'c', rate));
        break;
      }
      case 'status_count_per_workspace':
        out.push(statsdLine(prefix, `${scope}.workspace.${WORKSPACE}.status.${e.status}`, 1, 'c', rate));
        break;
      case 'status_count_per_user_per_route': {
        const id = consumer();
        if (id !== null && e.route) out.push(statsdLine(prefix, `route.${String(e.route.id)}.user.${id}.status.${e.status}`, 1, 'c', rate));
        break;
      }
      // shdict_usage: Kong reports nginx shared dictionaries; Tollgate has none, so there is nothing to send
    }
  }
}

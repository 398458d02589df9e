// datadog: Kong's request metrics as DogStatsD lines (`kong.request.count:1|c|#name:svc,status:200,app:kong`),
// batched through the log queue, one UDP datagram per line. With config.host null, the agent is
// KONG_DATADOG_AGENT_HOST / KONG_DATADOG_AGENT_PORT, as in Kong.
import type { Row } from '@tollgate/declarative/snapshot';
import type { PluginHandler } from '../../types';
import { pluginQueue, queueSettingsOf, type BatchQueue } from '../../log/batch-queue';
import { sendStatsdLines, STAT_TYPES, statsdLine } from '../../log/statsd-wire';
import { KONG_VERSION } from '../common';
import { PLAIN_METRICS, statsdEntry, type StatsdEntry } from '../statsd/metrics';

interface MetricConf { readonly name: string; readonly stat_type: string; readonly tags?: string[] | null; readonly sample_rate?: number | null; readonly consumer_identifier?: string | null }
interface Conf { readonly queue: BatchQueue<StatsdEntry> }

const consumerIds: Record<string, (c: Row) => unknown> = {
  consumer_id: (c) => String(c.id).replace(/-/g, '_'),
  custom_id: (c) => c.custom_id,
  username: (c) => c.username,
};

export const handler: PluginHandler<Conf> = {
  name: 'datadog',
  priority: 10,
  version: KONG_VERSION,
  prepare: (c, env) => {
    const host = (c.host as string | null) ?? process.env.KONG_DATADOG_AGENT_HOST ?? '';
    const port = (c.port as number | null) ?? Number(process.env.KONG_DATADOG_AGENT_PORT ?? 0);
    const target = { plugin: 'datadog', host, port, tcp: false, udpPacketSize: 0 };
    const metrics = c.metrics as MetricConf[];
    const tagNames = {
      service: (c.service_name_tag as string | null) ?? 'name',
      status: (c.status_tag as string | null) ?? 'status',
      consumer: (c.consumer_tag as string | null) ?? 'consumer',
    };
    const prefix = (c.prefix as string | null) ?? 'kong';
    const send = (batch: StatsdEntry[]) => {
      const lines: string[] = [];
      for (const e of batch) {
        const service = e.service ? String(e.service.name ?? e.service.host).replace(/\./g, '_') : '';
        for (const m of metrics) {
          const [stat, value] = PLAIN_METRICS[m.name];
          const pick = m.consumer_identifier ? consumerIds[m.consumer_identifier] : undefined;
          const consumer = pick && e.consumer ? pick(e.consumer) : null;
          const tags = [`${tagNames.service}:${service}`, `${tagNames.status}:${e.status}`];
          if (consumer !== null && consumer !== undefined) tags.push(`${tagNames.consumer}:${String(consumer)}`);
          if (m.tags) tags.push(...m.tags);
          lines.push(statsdLine(prefix, stat, value(e), STAT_TYPES[m.stat_type], m.sample_rate, tags, 'dogstatsd'));
        }
      }
      return sendStatsdLines(target, lines, env.log);
    };
    return { queue: pluginQueue('datadog', env.pluginId, queueSettingsOf('datadog', c, env.log), send, env.log) };
  },
  log(kong, conf) {
    conf.queue.add(statsdEntry(kong));
  },
};

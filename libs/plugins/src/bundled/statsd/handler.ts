// statsd: Kong's request metrics as StatsD lines, batched through the log queue and sent over UDP or TCP.
import type { PluginHandler } from '../../types';
import { pluginQueue, queueSettingsOf, type BatchQueue } from '../../log/batch-queue';
import { sendStatsdLines, type TagStyle } from '../../log/statsd-wire';
import { KONG_VERSION } from '../common';
import { metricLines, NODE_HOSTNAME, statsdEntry, type MetricConf, type StatsdEntry } from './metrics';

interface Conf {
  readonly queue: BatchQueue<StatsdEntry>;
  /** allow_status_codes as [from, to] pairs; null logs every status. */
  readonly allowed: ReadonlyArray<readonly [number, number]> | null;
}

export const handler: PluginHandler<Conf> = {
  name: 'statsd',
  priority: 11,
  version: KONG_VERSION,
  prepare: (c, env) => {
    const tagStyle = (c.tag_style as TagStyle | null) ?? null;
    const prefix = c.hostname_in_prefix === true && !tagStyle ? `${c.prefix as string}.node.${NODE_HOSTNAME}` : (c.prefix as string);
    const conf = {
      prefix,
      metrics: c.metrics as MetricConf[],
      tagStyle,
      consumerDefault: c.consumer_identifier_default as string,
      serviceDefault: c.service_identifier_default as string,
      workspaceDefault: c.workspace_identifier_default as string,
    };
    const target = { plugin: 'statsd', host: c.host as string, port: c.port as number, tcp: c.use_tcp === true, udpPacketSize: c.udp_packet_size as number };
    const send = (batch: StatsdEntry[]) => {
      const lines: string[] = [];
      for (const entry of batch) metricLines(conf, entry, lines);
      return sendStatsdLines(target, lines, env.log);
    };
    return { queue: pluginQueue('statsd', env.pluginId, queueSettingsOf('statsd', c, env.log), send, env.log), allowed: statusRanges(c.allow_status_codes) };
  },
  log(kong, conf) {
    const status = kong.response.getStatus();
    if (conf.allowed && !conf.allowed.some(([from, to]) => status >= from && status <= to)) return;
    conf.queue.add(statsdEntry(kong));
  },
};

/** Kong reads each range's first two three-digit numbers (`200-299`); a range it cannot read matches nothing. */
function statusRanges(value: unknown): Array<[number, number]> | null {
  if (!Array.isArray(value)) return null;
  const out: Array<[number, number]> = [];
  for (const range of value as string[]) {
    const m = /(\d\d\d)-(\d\d\d)/.exec(range);
    if (m) out.push([Number(m[1]), Number(m[2])]);
  }
  return out;
}

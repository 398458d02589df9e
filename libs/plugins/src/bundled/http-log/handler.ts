// http-log: ships each request's log entry to an HTTP endpoint through a batching, retrying queue.
import http from 'node:http';
import https from 'node:https';
import type { PluginHandler, PluginLogger } from '../../types';
import { BatchQueue, type QueueSettings } from '../../log/batch-queue';
import { serializeLog } from '../../log/serializer';
import { KONG_VERSION } from '../common';

interface Conf { readonly queue: BatchQueue<Record<string, unknown>> }

// one queue per plugin entity, kept across reconfigures so no entry is lost on a config swap
const queues = new Map<string, BatchQueue<Record<string, unknown>>>();

export const handler: PluginHandler<Conf> = {
  name: 'http-log',
  priority: 12,
  version: KONG_VERSION,
  prepare: (config, env) => {
    const settings = config.queue as QueueSettings;
    const send = sender(config, env.log);
    let queue = queues.get(env.pluginId);
    if (queue) queue.update(settings, send);
    else queues.set(env.pluginId, (queue = new BatchQueue(settings, send, env.log, `http-log.${env.pluginId}`)));
    return { queue };
  },
  log(kong, conf) {
    conf.queue.add(serializeLog(kong));
  },
};

function sender(config: Record<string, unknown>, log: PluginLogger) {
  const endpoint = new URL(config.http_endpoint as string);
  const client = endpoint.protocol === 'https:' ? https : http;
  const agent = new client.Agent({ keepAlive: true, keepAliveMsecs: config.keepalive as number });
  const headers: Record<string, string> = { 'content-type': config.content_type as string, ...((config.headers as Record<string, string> | null) ?? {}) };
  if (endpoint.username) {
    headers.authorization = 'Basic ' + Buffer.from(`${decodeURIComponent(endpoint.username)}:${decodeURIComponent(endpoint.password)}`).toString('base64');
  }
  const single = (config.queue as QueueSettings).max_batch_size === 1;
  return (batch: Record<string, unknown>[]) =>
    new Promise<void>((resolve, reject) => {
      const body = JSON.stringify(single ? batch[0] : batch);
      const req = client.request(
        endpoint,
        { method: config.method as string, agent, timeout: config.timeout as number, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } },
        (res) => {
          res.resume();
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) resolve();
            else reject(new Error(`request to ${endpoint.host} returned status code ${status}`));
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (err) => {
        log.debug(`[http-log] ${err.message}`);
        reject(err);
      });
      req.end(body);
    });
}

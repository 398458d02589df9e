// http-log: ships each request's log entry to an HTTP endpoint through a batching, retrying queue.
import http from 'node:http';
import https from 'node:https';
import type { PluginHandler, PluginLogger } from '../../types';
import { pluginQueue, queueSettingsOf, type BatchQueue } from '../../log/batch-queue';
import { applyCustomFields, compileCustomFields, type CustomFields } from '../../log/custom-fields';
import { serializeLog } from '../../log/serializer';
import { KONG_VERSION } from '../common';

interface Conf { readonly queue: BatchQueue<Record<string, unknown>>; readonly custom: CustomFields | null }

export const handler: PluginHandler<Conf> = {
  name: 'http-log',
  priority: 12,
  version: KONG_VERSION,
  prepare: (config, env) => {
    const settings = queueSettingsOf('http-log', config, env.log);
    const queue = pluginQueue('http-log', env.pluginId, settings, sender(config, settings.max_batch_size === 1, env.log), env.log);
    return { queue, custom: compileCustomFields(config, env.pluginId) };
  },
  log(kong, conf) {
    applyCustomFields(kong, conf.custom);
    conf.queue.add(serializeLog(kong));
  },
};

function sender(config: Record<string, unknown>, single: boolean, log: PluginLogger) {
  const endpoint = new URL(config.http_endpoint as string);
  const client = endpoint.protocol === 'https:' ? https : http;
  const agent = new client.Agent({ keepAlive: true, keepAliveMsecs: config.keepalive as number });
  const headers: Record<string, string> = { 'content-type': config.content_type as string, ...((config.headers as Record<string, string> | null) ?? {}) };
  if (endpoint.username) {
    headers.authorization = 'Basic ' + Buffer.from(`${decodeURIComponent(endpoint.username)}:${decodeURIComponent(endpoint.password)}`).toString('base64');
  }
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

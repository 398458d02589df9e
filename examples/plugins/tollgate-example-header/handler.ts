// An example custom plugin: stamps a header on the upstream request (access) and, optionally, on the response
// (header_filter); counts requests in its log phase. Only type imports from Tollgate: the folder has no runtime
// dependency on the gateway's code.
import type { PluginContext, PluginHandler } from '@tollgate/plugins';

interface Conf {
  readonly header: string;
  readonly value: string;
  readonly withConsumer: boolean;
  readonly echo: boolean;
}

/** Requests seen by the log phase, per plugin instance id (read by the example's tests). */
export const loggedRequests = new Map<string, number>();

export const handler: PluginHandler<Conf> = {
  name: 'tollgate-example-header',
  // after authentication (key-auth 1250, basic-auth 1100) and rate limiting (910): the consumer is known
  priority: 850,
  version: '1.0.0',

  // compile time: lower-case the header once, never per request
  prepare: (config) => ({
    header: String(config.header_name).toLowerCase(),
    value: String(config.value),
    withConsumer: config.with_consumer === true,
    echo: config.echo_downstream === true,
  }),

  access(kong: PluginContext, conf: Conf) {
    const consumer = kong.client.consumer;
    const value = conf.withConsumer && consumer?.username ? `${conf.value}; consumer=${consumer.username}` : conf.value;
    kong.request.setHeader(conf.header, value);
    kong.ctx['tollgate-example-header'] = value; // shared with this plugin's later phases
  },

  header_filter(kong: PluginContext, conf: Conf) {
    const value = kong.ctx['tollgate-example-header'];
    if (conf.echo && typeof value === 'string') kong.response.setHeader(conf.header, value);
  },

  log(kong: PluginContext) {
    const key = kong.route?.id ?? 'none';
    loggedRequests.set(key, (loggedRequests.get(key) ?? 0) + 1);
    kong.log.debug(`served ${kong.request.method} ${kong.request.rawPath} with status ${kong.response.getStatus()}`);
  },
};

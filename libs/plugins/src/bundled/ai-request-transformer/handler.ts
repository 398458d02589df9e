// ai-request-transformer: the client's body is sent to an LLM with the configured prompt, and the LLM's answer is
// what the upstream receives instead.
import type { PluginHandler } from '../../types';
import { KONG_VERSION } from '../common';
import { bail } from '../../llm/request';
import { introspect, prepareTransformer, type TransformerConf } from '../../llm/introspect';

export const handler: PluginHandler<TransformerConf> = {
  name: 'ai-request-transformer',
  priority: 777,
  version: KONG_VERSION,
  prepare: (c, env) => prepareTransformer(c, env.pluginId),
  async access(kong, conf) {
    const raw = await kong.request.readBody();
    const input = raw.length > conf.maxBody ? '' : raw.toString('utf8');
    const result = await introspect(kong, 'ai-request-transformer', conf, input);
    if ('error' in result) {
      kong.log.info(result.error);
      return bail(kong, 400, result.error);
    }
    kong.request.setBody(result.text);
  },
};

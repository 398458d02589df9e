// ai-prompt-template: a request whose `messages` or `prompt` is `{template://NAME}` is replaced by that template,
// rendered with the request's `properties`; other requests pass only with allow_untemplated_requests.
import type { PluginHandler } from '../../types';
import { KONG_VERSION } from '../common';
import { bail, jsonBody } from '../../llm/request';
import { setSerializeValue } from '../../log/serializer';
import { renderTemplate } from './render';

interface Conf { readonly templates: ReadonlyMap<string, string>; readonly allowUntemplated: boolean; readonly logOriginal: boolean; readonly maxBody: number }

export const handler: PluginHandler<Conf> = {
  name: 'ai-prompt-template',
  priority: 773,
  version: KONG_VERSION,
  prepare: (c) => {
    const templates = new Map<string, string>();
    // Kong takes the first template of a name
    for (const t of c.templates as Array<{ name: string; template: string }>) if (!templates.has(t.name)) templates.set(t.name, t.template);
    return { templates, allowUntemplated: c.allow_untemplated_requests === true, logOriginal: c.log_original_request === true, maxBody: c.max_request_body_size as number };
  },
  async access(kong, conf) {
    if (conf.logOriginal) {
      const raw = await kong.request.readBody();
      if (raw.length <= conf.maxBody) setSerializeValue(kong, 'ai.payload.original_request', raw.toString('utf8'));
    }
    const request = await jsonBody(kong, conf.maxBody);
    if (request === null) return bail(kong, 400, 'this LLM route only supports application/json requests');
    if (request.messages !== undefined && request.prompt !== undefined) return bail(kong, 400, "cannot run 'messages' and 'prompt' templates at the same time");
    const reference = request.messages ?? request.prompt;
    if (reference === undefined || reference === null) return bail(kong, 400, "only 'llm/v1/chat' and 'llm/v1/completions' formats are supported for templating");
    const name = typeof reference === 'string' && reference.startsWith('{template://') && reference.endsWith('}') ? reference.slice(12, -1) : null;
    if (name === null) {
      if (conf.allowUntemplated) return;
      return bail(kong, 400, 'this LLM route only supports templated requests');
    }
    const template = conf.templates.get(name);
    if (template === undefined) return bail(kong, 400, `could not find template name [${name}]`);
    const rendered = renderTemplate(template, request.properties ?? {});
    if ('error' in rendered) return bail(kong, 400, rendered.error);
    // the rendered template is the new body as it stands (Kong's set_raw_body): it must itself be the JSON request
    kong.request.setBody(rendered.text);
  },
};

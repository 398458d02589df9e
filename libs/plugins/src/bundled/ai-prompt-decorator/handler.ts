// ai-prompt-decorator: the configured messages go before and after the client's chat messages.
import type { PluginHandler } from '../../types';
import { KONG_VERSION } from '../common';
import { bail, jsonBody, setJsonBody } from '../../llm/request';

interface Message { readonly role: string; readonly content: string }
interface Conf { readonly prepend: readonly Message[]; readonly append: readonly Message[]; readonly maxBody: number }

export const handler: PluginHandler<Conf> = {
  name: 'ai-prompt-decorator',
  priority: 772,
  version: KONG_VERSION,
  prepare: (c) => {
    const prompts = (c.prompts ?? {}) as { prepend?: Message[] | null; append?: Message[] | null };
    const copy = (list: Message[] | null | undefined) => (list ?? []).map((m) => ({ role: m.role, content: m.content }));
    return { prepend: copy(prompts.prepend), append: copy(prompts.append), maxBody: c.max_request_body_size as number };
  },
  async access(kong, conf) {
    const request = await jsonBody(kong, conf.maxBody);
    if (request === null) return bail(kong, 400, 'this LLM route only supports application/json requests');
    if (!Array.isArray(request.messages) || request.messages.length < 1) return bail(kong, 400, 'this LLM route only supports llm/chat type requests');
    const messages = [...conf.prepend.map((m) => ({ ...m })), ...request.messages, ...conf.append.map((m) => ({ ...m }))];
    setJsonBody(kong, { ...request, messages });
  },
};

// ai-prompt-guard: the user's prompts (the latest only, with allow_all_conversation_history) are matched against
// deny patterns, then allow patterns; a refusal is Kong's deliberately vague 400 "bad request".
import type { PluginHandler } from '../../types';
import { KONG_VERSION } from '../common';
import { bail, jsonBody } from '../../llm/request';

interface Conf { readonly allow: readonly RegExp[]; readonly deny: readonly RegExp[]; readonly latestOnly: boolean; readonly allRoles: boolean; readonly maxBody: number }

const BAD_FORMAT = 'ai-prompt-guard only supports llm/v1/chat or llm/v1/completions prompts';

/** The text the patterns see, or an error (Kong's execute()). */
export function collectPrompts(request: Record<string, unknown>, conf: Pick<Conf, 'latestOnly' | 'allRoles'>): { text: string } | { error: string } {
  const messages = request.messages;
  if (Array.isArray(messages)) {
    const parts: string[] = [];
    for (let i = messages.length - 1; i >= 0; i--) {
      const m = messages[i] as { role?: unknown; content?: unknown } | null;
      if (typeof m?.role !== 'string') return { error: BAD_FORMAT };
      if (m.role !== 'user' && !conf.allRoles) continue;
      if (typeof m.content !== 'string') return { error: BAD_FORMAT };
      parts.push(m.content);
      if (conf.latestOnly) break;
    }
    return { text: conf.latestOnly ? parts.join('') : parts.map((p) => p + ' ').join('') };
  }
  if (typeof request.prompt === 'string') return { text: request.prompt };
  return { error: BAD_FORMAT };
}

export const handler: PluginHandler<Conf> = {
  name: 'ai-prompt-guard',
  priority: 771,
  version: KONG_VERSION,
  prepare: (c) => ({
    allow: ((c.allow_patterns as string[] | null) ?? []).map((p) => new RegExp(p)),
    deny: ((c.deny_patterns as string[] | null) ?? []).map((p) => new RegExp(p)),
    latestOnly: c.allow_all_conversation_history === true,
    allRoles: c.match_all_roles === true,
    maxBody: c.max_request_body_size as number,
  }),
  async access(kong, conf) {
    const request = await jsonBody(kong, conf.maxBody);
    if (request === null) return bail(kong, 400, 'this LLM route only supports application/json requests');
    const collected = collectPrompts(request, conf);
    if ('error' in collected) {
      kong.log.debug(collected.error);
      return bail(kong, 400, 'bad request');
    }
    // don't let users know 'ai-prompt-guard' is in use: every refusal reads the same
    if (conf.deny.some((re) => re.test(collected.text))) return bail(kong, 400, 'bad request');
    if (conf.allow.length > 0 && !conf.allow.some((re) => re.test(collected.text))) return bail(kong, 400, 'bad request');
  },
};

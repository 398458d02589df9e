// bot-detection: refuses requests whose User-Agent is a known bot (rules.ts) or matches `deny`, unless it
// matches `allow`. Requests without a User-Agent pass.
import type { PluginHandler } from '../../types';
import { KONG_VERSION } from '../common';
import { UserAgentVerdicts, Verdict } from './verdicts';

const compile = (list: unknown) => ((list as string[] | null) ?? []).map((p) => new RegExp(p));

export const handler: PluginHandler<UserAgentVerdicts> = {
  name: 'bot-detection',
  priority: 2500,
  version: KONG_VERSION,
  // the regexes and the verdict cache live with the compiled config: a reconfigure starts afresh
  prepare: (c) => new UserAgentVerdicts(compile(c.allow), compile(c.deny)),
  access(kong, verdicts) {
    const userAgent = kong.request.getHeader('user-agent');
    if (userAgent === undefined) return;
    // Node keeps the first of repeated User-Agent headers; Kong refuses the request instead of choosing one
    if (kong.request.headerCount('user-agent') > 1) return kong.response.error(400, 'Only one User-Agent header allowed');
    if (verdicts.verdict(userAgent) >= Verdict.Denied) kong.response.error(403, 'Forbidden');
  },
};

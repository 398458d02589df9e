// ai-request-transformer's config (Kong's kong/plugins/ai-request-transformer/schema.lua).
import { llmChecks, proxyPairsCheck, transformerFields, transformerRouteTypeCheck } from '../../llm/schema';
import { withConfigChecks } from '../../validate-config';

const fields = transformerFields(
  'Use this prompt to tune the LLM system/assistant message for the incoming proxy request (from the client), and what you are expecting in return.',
  "Defines the regular expression that must match to indicate a successful AI transformation at the request phase. The first match will be set as the outgoing body. If the AI service's response doesn't match this pattern, it is marked as a failure.",
  [],
);

export const schema = withConfigChecks(fields, [transformerRouteTypeCheck, proxyPairsCheck, llmChecks('llm', 'config.llm')]);
export const noConsumer = true;

// ai-response-transformer's config (Kong's kong/plugins/ai-response-transformer/schema.lua).
import { llmChecks, proxyPairsCheck, transformerFields, transformerRouteTypeCheck } from '../../llm/schema';
import { withConfigChecks } from '../../validate-config';

const fields = transformerFields(
  'Use this prompt to tune the LLM system/assistant message for the returning proxy response (from the upstream), adn what response format you are expecting.',
  "Defines the regular expression that must match to indicate a successful AI transformation at the response phase. The first match will be set as the returning body. If the AI service's response doesn't match this pattern, a failure is returned to the client.",
  [['parse_llm_response_json_instructions', {
    type: 'boolean', required: true, default: false,
    description: "Set true to read specific response format from the LLM, and accordingly set the status code / body / headers that proxy back to the client. You need to engineer your LLM prompt to return the correct format, see plugin docs 'Overview' page for usage instructions.",
  }]],
);

export const schema = withConfigChecks(fields, [transformerRouteTypeCheck, proxyPairsCheck, llmChecks('llm', 'config.llm')]);

// ai-proxy's config: Kong's llm record (libs/plugins/src/llm/schema.ts) plus the proxy's own fields.
import type { FieldList } from '@tollgate/schema';
import { llmChecks, llmFields } from '../../llm/schema';
import { withConfigChecks, type ConfigCheck } from '../../validate-config';

/** Kong's native llm_format adapters (bedrock, gemini) are not in Tollgate: refused naming the value. */
const openaiFormatOnly: ConfigCheck = (c) =>
  c.llm_format === undefined || c.llm_format === 'openai'
    ? []
    : [{ path: 'config.llm_format', message: `llm_format '${String(c.llm_format)}' is not supported by Tollgate (supported: openai)` }];

const fields: FieldList = [
  ...llmFields,
  ['response_streaming', { type: 'string', default: 'allow', one_of: ['allow', 'deny', 'always'], description: "Whether to 'optionally allow', 'deny', or 'always' (force) the streaming of answers via server sent events." }],
  ['max_request_body_size', { type: 'integer', default: 8 * 1024, gt: 0, description: 'max allowed body size allowed to be introspected' }],
  ['model_name_header', { type: 'boolean', default: true, description: 'Display the model name selected in the X-Kong-LLM-Model response header' }],
  ['llm_format', { type: 'string', default: 'openai', one_of: ['openai', 'bedrock', 'gemini'], description: 'LLM input and output format and schema to use' }],
];

export const schema = withConfigChecks(fields, [llmChecks('', 'config'), openaiFormatOnly]);

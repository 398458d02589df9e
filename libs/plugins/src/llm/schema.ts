// The `llm` config record the AI plugins share (Kong's kong/llm/schemas): ai-proxy's config is this record plus
// its own fields; ai-request-transformer and ai-response-transformer nest it under `config.llm`.
import { typedefs, type FieldDef, type FieldList } from '@tollgate/schema';
import { notARegex, type ConfigCheck, type ConfigIssue } from '../validate-config';
import { PROVIDERS } from './drivers';
import { url } from '../bundled/common';


const KONG_PROVIDERS = ['openai', 'azure', 'anthropic', 'cohere', 'mistral', 'llama2', 'gemini', 'bedrock', 'huggingface'];

const authRecord: FieldDef = {
  type: 'record',
  fields: [
    ['header_name', { type: 'string', referenceable: true, description: 'If AI model requires authentication via Authorization or API key header, specify its name here.' }],
    ['header_value', { type: 'string', referenceable: true, description: "Specify the full auth header value for 'header_name', for example 'Bearer key' or just 'key'." }],
    ['param_name', { type: 'string', referenceable: true, description: 'If AI model requires authentication via query parameter, specify its name here.' }],
    ['param_value', { type: 'string', referenceable: true, description: "Specify the full parameter value for 'param_name'." }],
    ['param_location', { type: 'string', one_of: ['query', 'body'], description: "Specify whether the 'param_name' and 'param_value' options go in a query string, or the POST form/JSON body." }],
    ['gcp_use_service_account', { type: 'boolean', default: false, description: 'Use service account auth for GCP-based providers and models.' }],
    ['gcp_service_account_json', { type: 'string', referenceable: true, description: 'Set this field to the full JSON of the GCP service account to authenticate, if required.' }],
    ['aws_access_key_id', { type: 'string', referenceable: true, description: 'Static IAM access key id for AWS providers (Bedrock).' }],
    ['aws_secret_access_key', { type: 'string', referenceable: true, description: 'Static IAM secret access key for AWS providers (Bedrock).' }],
    ['allow_override', { type: 'boolean', default: false, description: 'If enabled, the authorization header or parameter can be overridden in the request by the value configured in the plugin.' }],
  ],
};

const optionsRecord: FieldDef = {
  type: 'record',
  description: 'Key/value settings for the model',
  fields: [
    ['max_tokens', { type: 'integer', description: 'Defines the max_tokens, if using chat or completion models.' }],
    ['input_cost', { type: 'number', gt: 0, description: 'Defines the cost per 1M tokens in your prompt.' }],
    ['output_cost', { type: 'number', gt: 0, description: 'Defines the cost per 1M tokens in the output of the AI.' }],
    ['temperature', { type: 'number', between: [0, 5], description: 'Defines the matching temperature, if using chat or completion models.' }],
    ['top_p', { type: 'number', between: [0, 1], description: 'Defines the top-p probability mass, if supported.' }],
    ['top_k', { type: 'integer', between: [0, 500], description: 'Defines the top-k most likely tokens, if supported.' }],
    ['anthropic_version', { type: 'string', description: 'Defines the schema/API version, if using Anthropic provider.' }],
    ['azure_instance', { type: 'string', description: 'Instance name for Azure OpenAI hosted models.' }],
    ['azure_api_version', { type: 'string', default: '2023-05-15', description: "'api-version' for Azure OpenAI instances." }],
    ['azure_deployment_id', { type: 'string', description: 'Deployment ID for Azure OpenAI instances.' }],
    ['llama2_format', { type: 'string', one_of: ['raw', 'openai', 'ollama'], description: 'If using llama2 provider, select the upstream message format.' }],
    ['mistral_format', { type: 'string', one_of: ['openai', 'ollama'], description: 'If using mistral provider, select the upstream message format.' }],
    ['upstream_url', { type: 'string', custom: url, description: 'Manually specify or override the full URL to the AI operation endpoints, when calling (self-)hosted models, or for running via a private endpoint.' }],
    ['upstream_path', { type: 'string', description: "Manually specify or override the AI operation path, used when e.g. using the 'preserve' route_type." }],
    ['gemini', { type: 'record', fields: [['api_endpoint', { type: 'string' }], ['project_id', { type: 'string' }], ['location_id', { type: 'string' }]] }],
    ['bedrock', { type: 'record', fields: [['aws_region', { type: 'string' }]] }],
    ['huggingface', { type: 'record', fields: [['use_cache', { type: 'boolean' }], ['wait_for_model', { type: 'boolean' }]] }],
  ],
};

const modelRecord: FieldDef = {
  type: 'record',
  required: true,
  fields: [
    ['provider', { type: 'string', required: true, one_of: KONG_PROVIDERS, description: 'AI provider request format - Kong translates requests to and from the specified backend compatible formats.' }],
    ['name', { type: 'string', description: 'Model name to execute.' }],
    ['options', optionsRecord],
  ],
};

const loggingRecord: FieldDef = {
  type: 'record',
  required: true,
  fields: [
    ['log_statistics', { type: 'boolean', required: true, default: false, description: 'If enabled and supported by the driver, will add model usage and token metrics into the Kong log plugin(s) output.' }],
    ['log_payloads', { type: 'boolean', required: true, default: false, description: 'If enabled, will log the request and response body into the Kong log plugin(s) output.' }],
  ],
};

/** The fields of Kong's llm config record. */
export const llmFields: FieldList = [
  ['route_type', { type: 'string', required: true, one_of: ['llm/v1/chat', 'llm/v1/completions', 'preserve'], description: "The model's operation implementation, for this provider. Set to `preserve` to pass through without transformation." }],
  ['auth', authRecord],
  ['model', modelRecord],
  ['logging', loggingRecord],
];

const get = (root: Record<string, unknown>, path: string): unknown => {
  let v: unknown = root;
  for (const p of path.split('.')) v = (v as Record<string, unknown> | null | undefined)?.[p];
  return v;
};
const set = (v: unknown) => v !== null && v !== undefined;
const quoted = (names: readonly string[]) => names.map((n) => `'${n}'`).join(', ');

/**
 * Kong's entity checks of the llm record, reported under `<at>.@entity` (the record's own checks). `root` picks the
 * record out of the plugin config ('' for ai-proxy, 'llm' for the transformers).
 */
export function llmChecks(root: string, at: string): ConfigCheck {
  return (config) => {
    const llm = (root === '' ? config : config[root]) as Record<string, unknown> | null;
    if (!llm) return [];
    const issues: ConfigIssue[] = [];
    const entity = (message: string) => issues.push({ path: `${at}.@entity`, message });
    const provider = get(llm, 'model.provider') as string;
    if ((provider === 'bedrock' || provider === 'gemini') && get(llm, 'auth.allow_override') === true) {
      entity('bedrock and gemini only support auth.allow_override = false');
    }
    for (const group of [['auth.header_name', 'auth.header_value'], ['auth.param_name', 'auth.param_value', 'auth.param_location']]) {
      const n = group.filter((f) => set(get(llm, f))).length;
      if (n > 0 && n < group.length) entity(`all or none of these fields must be set: ${quoted(group)}`);
    }
    const needs: Array<[string, string, string]> = [
      ['llama2', 'model.options.llama2_format', 'must set %s for llama2 provider'],
      ['mistral', 'model.options.mistral_format', 'must set %s for mistral provider'],
      ['anthropic', 'model.options.anthropic_version', 'must set %s for anthropic provider'],
      ['azure', 'model.options.azure_instance', 'must set %s for azure provider'],
      ['azure', 'model.options.azure_api_version', 'must set %s for azure provider'],
      ['azure', 'model.options.azure_deployment_id', 'must set %s for azure provider'],
      ['llama2', 'model.options.upstream_url', 'must set %s for self-hosted providers/models'],
    ];
    for (const [p, field, message] of needs) if (provider === p && !set(get(llm, field))) entity(message.replace('%s', quoted([field])));
    if (get(llm, 'logging.log_statistics') === true && llm.route_type === 'llm/v1/completions' && provider === 'anthropic') {
      entity(`${provider} does not support statistics when route_type is ${String(llm.route_type)}`);
    }
    // Kong's schema names every provider; Tollgate's drivers translate these (a config for another one would
    // fail every request, so it is refused here, naming the value)
    if (typeof provider === 'string' && !PROVIDERS.has(provider)) {
      issues.push({ path: `${at}.model.provider`, message: `provider '${provider}' is not supported by Tollgate (supported: ${[...PROVIDERS.keys()].join(', ')})` });
    }
    if (llm.route_type === 'preserve') {
      issues.push({ path: `${at}.route_type`, message: "route_type 'preserve' is not supported by Tollgate" });
    }
    return issues;
  };
}

/** Kong's `conditional` check of the transformers: their LLM call is always a chat. */
export const transformerRouteTypeCheck: ConfigCheck = (config) => {
  const routeType = get(config, 'llm.route_type');
  if (routeType === undefined || routeType === 'llm/v1/chat') return [];
  return [
    { path: 'config.llm.route_type', message: "'config.llm.route_type' must be 'llm/v1/chat' for AI transformer plugins" },
    { message: "failed conditional validation given value of field 'config.llm.route_type'" },
  ];
};

/** The fields ai-request-transformer and ai-response-transformer share, around their own (Kong's schema.lua of each). */
export function transformerFields(promptDescription: string, extractDescription: string, own: FieldList): FieldList {
  return [
    ['prompt', { type: 'string', required: true, description: promptDescription }],
    ['transformation_extract_pattern', { type: 'string', description: extractDescription, custom: notARegex }],
    ...own,
    ['http_timeout', { type: 'integer', required: true, default: 60000, description: 'Timeout in milliseconds for the AI upstream service.' }],
    ['https_verify', { type: 'boolean', required: true, default: true, description: 'Verify the TLS certificate of the AI upstream service.' }],
    ['max_request_body_size', { type: 'integer', default: 8 * 1024, gt: 0, description: 'max allowed body size allowed to be introspected' }],
    ['http_proxy_host', typedefs.host],
    ['http_proxy_port', typedefs.port],
    ['https_proxy_host', typedefs.host],
    ['https_proxy_port', typedefs.port],
    ['llm', { type: 'record', required: true, fields: llmFields }],
  ];
}

/** Kong's mutually_required forward-proxy host/port pairs of the transformers. */
export const proxyPairsCheck: ConfigCheck = (c) => {
  const issues: ConfigIssue[] = [];
  for (const [host, port] of [['http_proxy_host', 'http_proxy_port'], ['https_proxy_host', 'https_proxy_port']]) {
    if (set(c[host]) !== set(c[port])) issues.push({ message: `all or none of these fields must be set: 'config.${host}', 'config.${port}'` });
  }
  return issues;
};

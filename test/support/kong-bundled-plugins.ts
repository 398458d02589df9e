// Kong OSS 3.10's bundled plugins (kong/constants.lua, Wasm filters aside) with each handler's PRIORITY: the list
// `plugins = bundled` must load, `GET /` must show and the plugin chain must order by.
export const KONG_BUNDLED_PLUGINS: Readonly<Record<string, number>> = Object.freeze({
  'pre-function': 1000000,
  'correlation-id': 100001,
  zipkin: 100000,
  'bot-detection': 2500,
  cors: 2000,
  session: 1900,
  acme: 1705,
  jwt: 1450,
  oauth2: 1400,
  'key-auth': 1250,
  'ldap-auth': 1200,
  'basic-auth': 1100,
  'hmac-auth': 1030,
  'grpc-gateway': 998,
  'ip-restriction': 990,
  'request-size-limiting': 951,
  acl: 950,
  'rate-limiting': 910,
  'response-ratelimiting': 900,
  'request-transformer': 801,
  'response-transformer': 800,
  redirect: 779,
  'ai-request-transformer': 777,
  'ai-prompt-template': 773,
  'ai-prompt-decorator': 772,
  'ai-prompt-guard': 771,
  'ai-proxy': 770,
  'ai-response-transformer': 768,
  'standard-webhooks': 760,
  'aws-lambda': 750,
  'azure-functions': 749,
  'proxy-cache': 100,
  opentelemetry: 14,
  prometheus: 13,
  'http-log': 12,
  statsd: 11,
  datadog: 10,
  'file-log': 9,
  'udp-log': 8,
  'tcp-log': 7,
  loggly: 6,
  syslog: 4,
  'grpc-web': 3,
  'request-termination': 2,
  'post-function': -1000,
});

/** The names, sorted as Kong sorts `enabled_plugins`. */
export const KONG_BUNDLED_NAMES: readonly string[] = Object.keys(KONG_BUNDLED_PLUGINS).sort();

/** The names in execution order (highest priority first). */
export const KONG_BUNDLED_BY_PRIORITY: readonly string[] = Object.keys(KONG_BUNDLED_PLUGINS)
  .sort((a, b) => KONG_BUNDLED_PLUGINS[b] - KONG_BUNDLED_PLUGINS[a]);

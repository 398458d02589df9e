// The plugins Tollgate ships (`plugins = bundled`), each a folder with schema.ts + handler.ts.
import type { PluginModule } from '../types';
import * as acme from './acme/schema';
import * as acmeHandler from './acme/handler';
import * as acl from './acl/schema';
import * as aiProxy from './ai-proxy/schema';
import * as aiProxyHandler from './ai-proxy/handler';
import * as aiPromptDecorator from './ai-prompt-decorator/schema';
import * as aiPromptDecoratorHandler from './ai-prompt-decorator/handler';
import * as aiPromptGuard from './ai-prompt-guard/schema';
import * as aiPromptGuardHandler from './ai-prompt-guard/handler';
import * as aiPromptTemplate from './ai-prompt-template/schema';
import * as aiPromptTemplateHandler from './ai-prompt-template/handler';
import * as aiRequestTransformer from './ai-request-transformer/schema';
import * as aiRequestTransformerHandler from './ai-request-transformer/handler';
import * as aiResponseTransformer from './ai-response-transformer/schema';
import * as aiResponseTransformerHandler from './ai-response-transformer/handler';
import * as aclHandler from './acl/handler';
import * as basicAuth from './basic-auth/schema';
import * as basicAuthHandler from './basic-auth/handler';
import * as correlationId from './correlation-id/schema';
import * as correlationIdHandler from './correlation-id/handler';
import * as botDetection from './bot-detection/schema';
import * as botDetectionHandler from './bot-detection/handler';
import * as cors from './cors/schema';
import * as corsHandler from './cors/handler';
import * as fileLog from './file-log/schema';
import * as fileLogHandler from './file-log/handler';
import * as httpLog from './http-log/schema';
import * as httpLogHandler from './http-log/handler';
import * as tcpLog from './tcp-log/schema';
import * as tcpLogHandler from './tcp-log/handler';
import * as udpLog from './udp-log/schema';
import * as udpLogHandler from './udp-log/handler';
import * as loggly from './loggly/schema';
import * as logglyHandler from './loggly/handler';
import * as syslog from './syslog/schema';
import * as syslogHandler from './syslog/handler';
import * as ipRestriction from './ip-restriction/schema';
import * as ipRestrictionHandler from './ip-restriction/handler';
import * as grpcGateway from './grpc-gateway/schema';
import * as grpcGatewayHandler from './grpc-gateway/handler';
import * as grpcWeb from './grpc-web/schema';
import * as grpcWebHandler from './grpc-web/handler';
import * as hmacAuth from './hmac-auth/schema';
import * as hmacAuthHandler from './hmac-auth/handler';
import * as oauth2 from './oauth2/schema';
import * as oauth2Handler from './oauth2/handler';
import * as session from './session/schema';
import * as sessionHandler from './session/handler';
import * as ldapAuth from './ldap-auth/schema';
import * as ldapAuthHandler from './ldap-auth/handler';
import * as jwt from './jwt/schema';
import * as jwtHandler from './jwt/handler';
import * as keyAuth from './key-auth/schema';
import * as keyAuthHandler from './key-auth/handler';
import * as prometheus from './prometheus/schema';
import * as prometheusHandler from './prometheus/handler';
import * as rateLimiting from './rate-limiting/schema';
import * as rateLimitingHandler from './rate-limiting/handler';
import * as proxyCache from './proxy-cache/schema';
import * as proxyCacheHandler from './proxy-cache/handler';
import * as redirect from './redirect/schema';
import * as redirectHandler from './redirect/handler';
import * as responseRatelimiting from './response-ratelimiting/schema';
import * as responseRatelimitingHandler from './response-ratelimiting/handler';
import * as requestSizeLimiting from './request-size-limiting/schema';
import * as requestSizeLimitingHandler from './request-size-limiting/handler';
import * as requestTermination from './request-termination/schema';
import * as requestTerminationHandler from './request-termination/handler';
import * as requestTransformer from './request-transformer/schema';
import * as requestTransformerHandler from './request-transformer/handler';
import * as opentelemetry from './opentelemetry/schema';
import * as opentelemetryHandler from './opentelemetry/handler';
import * as zipkin from './zipkin/schema';
import * as zipkinHandler from './zipkin/handler';
import * as preFunction from './pre-function/schema';
import * as preFunctionHandler from './pre-function/handler';
import * as postFunction from './post-function/schema';
import * as postFunctionHandler from './post-function/handler';
import * as responseTransformer from './response-transformer/schema';
import * as responseTransformerHandler from './response-transformer/handler';
import * as statsd from './statsd/schema';
import * as statsdHandler from './statsd/handler';
import * as datadog from './datadog/schema';
import * as datadogHandler from './datadog/handler';
import * as awsLambda from './aws-lambda/schema';
import * as awsLambdaHandler from './aws-lambda/handler';
import * as azureFunctions from './azure-functions/schema';
import * as azureFunctionsHandler from './azure-functions/handler';
import * as standardWebhooks from './standard-webhooks/schema';
import * as standardWebhooksHandler from './standard-webhooks/handler';

/** Kong's typedefs.protocols_http, the AI plugins' protocols. */
const AI_PROTOCOLS = ['grpc', 'grpcs', 'http', 'https'];

const modules: PluginModule[] = [
  { schema: standardWebhooks.schema, handler: standardWebhooksHandler.handler, noConsumer: standardWebhooks.noConsumer },
  { schema: awsLambda.schema, handler: awsLambdaHandler.handler },
  { schema: azureFunctions.schema, handler: azureFunctionsHandler.handler },
  { schema: zipkin.schema, handler: zipkinHandler.handler },
  { schema: acme.schema, handler: acmeHandler.handler, noConsumer: acme.noConsumer, globalOnly: acme.globalOnly },
  { schema: botDetection.schema, handler: botDetectionHandler.handler, noConsumer: botDetection.noConsumer },
  { schema: correlationId.schema, handler: correlationIdHandler.handler },
  { schema: session.schema, handler: sessionHandler.handler, noConsumer: session.noConsumer },
  { schema: cors.schema, handler: corsHandler.handler, noConsumer: cors.noConsumer },
  { schema: jwt.schema, handler: jwtHandler.handler, noConsumer: jwt.noConsumer },
  { schema: keyAuth.schema, handler: keyAuthHandler.handler, noConsumer: keyAuth.noConsumer },
  { schema: basicAuth.schema, handler: basicAuthHandler.handler, noConsumer: basicAuth.noConsumer },
  { schema: hmacAuth.schema, handler: hmacAuthHandler.handler, noConsumer: hmacAuth.noConsumer },
  { schema: ldapAuth.schema, handler: ldapAuthHandler.handler, noConsumer: ldapAuth.noConsumer },
  { schema: oauth2.schema, handler: oauth2Handler.handler, noConsumer: oauth2.noConsumer },
  { schema: ipRestriction.schema, handler: ipRestrictionHandler.handler, protocols: ipRestriction.protocols },
  { schema: requestSizeLimiting.schema, handler: requestSizeLimitingHandler.handler },
  { schema: acl.schema, handler: aclHandler.handler, noConsumer: acl.noConsumer },
  { schema: rateLimiting.schema, handler: rateLimitingHandler.handler },
  { schema: responseRatelimiting.schema, handler: responseRatelimitingHandler.handler },
  { schema: requestTransformer.schema, handler: requestTransformerHandler.handler },
  { schema: responseTransformer.schema, handler: responseTransformerHandler.handler },
  { schema: redirect.schema, handler: redirectHandler.handler },
  { schema: aiRequestTransformer.schema, handler: aiRequestTransformerHandler.handler, noConsumer: aiRequestTransformer.noConsumer, protocols: AI_PROTOCOLS },
  { schema: aiPromptTemplate.schema, handler: aiPromptTemplateHandler.handler, protocols: AI_PROTOCOLS },
  { schema: aiPromptDecorator.schema, handler: aiPromptDecoratorHandler.handler, protocols: AI_PROTOCOLS },
  { schema: aiPromptGuard.schema, handler: aiPromptGuardHandler.handler, protocols: AI_PROTOCOLS },
  { schema: aiProxy.schema, handler: aiProxyHandler.handler, protocols: AI_PROTOCOLS },
  { schema: aiResponseTransformer.schema, handler: aiResponseTransformerHandler.handler, protocols: AI_PROTOCOLS },
  { schema: proxyCache.schema, handler: proxyCacheHandler.handler },
  { schema: opentelemetry.schema, handler: opentelemetryHandler.handler, protocols: opentelemetry.protocols },
  { schema: prometheus.schema, handler: prometheusHandler.handler },
  { schema: httpLog.schema, handler: httpLogHandler.handler },
  { schema: statsd.schema, handler: statsdHandler.handler },
  { schema: datadog.schema, handler: datadogHandler.handler },
  { schema: fileLog.schema, handler: fileLogHandler.handler },
  { schema: udpLog.schema, handler: udpLogHandler.handler },
  { schema: tcpLog.schema, handler: tcpLogHandler.handler },
  { schema: loggly.schema, handler: logglyHandler.handler },
  { schema: syslog.schema, handler: syslogHandler.handler },
  { schema: grpcGateway.schema, handler: grpcGatewayHandler.handler },
  { schema: grpcWeb.schema, handler: grpcWebHandler.handler },
  { schema: requestTermination.schema, handler: requestTerminationHandler.handler },
  { schema: preFunction.schema, handler: preFunctionHandler.handler, noConsumer: preFunction.noConsumer },
  { schema: postFunction.schema, handler: postFunctionHandler.handler, noConsumer: postFunction.noConsumer },
];

/** The plugins whose schema.lua says `protocols = typedefs.protocols_http` (the others take typedefs.protocols). */
const HTTP_PROTOCOLS_ONLY: ReadonlySet<string> = new Set([
  'acl', 'acme', 'ai-prompt-decorator', 'ai-prompt-guard', 'ai-prompt-template', 'ai-proxy', 'ai-request-transformer',
  'ai-response-transformer', 'aws-lambda', 'basic-auth', 'bot-detection', 'correlation-id', 'cors', 'hmac-auth', 'jwt',
  'key-auth', 'ldap-auth', 'oauth2', 'opentelemetry', 'rate-limiting', 'redirect', 'request-size-limiting',
  'request-termination', 'response-ratelimiting', 'response-transformer', 'standard-webhooks',
]);

export const BUNDLED_PLUGINS: ReadonlyMap<string, PluginModule> = new Map(modules.map((m) => [
  m.handler.name, HTTP_PROTOCOLS_ONLY.has(m.handler.name) ? { ...m, protocolsHttp: true } : m,
]));

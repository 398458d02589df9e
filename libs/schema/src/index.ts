export * from './types';
export * from './entities';
export { pluginNotEnabled } from './entities/plugins';
export { SNI_MESSAGES, duplicatedSni } from './entities/certificates';
export { hashBasicAuthPassword } from './entities/credentials';
export { parseServiceUrl } from './entities/service-url';
export { certificateDigest } from './entities/pem';
export { validateEntity, validateConfigRecord } from './validate/entity';
export { validateValue } from './validate/value';
export { mergeForUpdate } from './validate/merge';
export { withAutoFields, randomKey } from './validate/auto-fields';
export { toOutput, splitTransient } from './output';
export { toOpenApiSchema, exampleOf, OPENAPI_ERROR_SCHEMAS } from './openapi';
export type { OpenApiMode } from './openapi';
export type { NestedPath } from './entities';
export { toKongSchemaJson, toKongPluginSchemaJson, fieldsJson } from './kong-json';
export { MSG } from './fields/messages';
export * as typedefs from './fields/typedefs';
export {
  isUuid, checkTag, checkUtf8, checkUtf8Name, checkHost, checkRouteHost, checkSni, checkRouterPath, checkUriPath,
  normalizeRouterPath, checkIpOrCidr, checkHeaderName, checkUpstreamName, checkTarget, normalizeTarget, splitHostPort,
} from './fields/strings';

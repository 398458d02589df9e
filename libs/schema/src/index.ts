export * from './types';
export * from './entities';
export { pluginNotEnabled, httpProtocolPlugins, PROTOCOLS_HTTP_FIELD, PROTOCOLS_ANY_FIELD } from './entities/plugins';
export { SNI_MESSAGES, duplicatedSni } from './entities/certificates';
export { hashBasicAuthPassword } from './entities/credentials';
export { hashOauth2Secret, verifyOauth2Secret } from './entities/oauth2-secret';
export { parseServiceUrl } from './entities/service-url';
export { certificateDigest } from './entities/pem';
export { validateEntity, validateConfigRecord } from './validate/entity';
export { compositeKeyFields, compositeKeyOf } from './composite-key';
export { validateValue } from './validate/value';
export { mergeForUpdate } from './validate/merge';
export { withAutoFields, randomKey } from './validate/auto-fields';
export { toOutput, splitTransient } from './output';
export { toOpenApiSchema, exampleOf, OPENAPI_ERROR_SCHEMAS } from './openapi';
export type { OpenApiMode } from './openapi';
export type { NestedPath } from './entities';
export { toKongSchemaJson, toKongPluginSubschemaJson, fieldsJson, type PluginSubschemaOptions } from './kong-json';
export { MSG } from './fields/messages';
export * as typedefs from './fields/typedefs';
export {
  isUuid, checkTag, checkUtf8, checkUtf8Name, checkHost, checkRouteHost, checkSni, checkRouterPath, checkUriPath,
  normalizeRouterPath, checkIpOrCidr, checkHeaderName, checkUpstreamName, checkTarget, normalizeTarget, splitHostPort,
} from './fields/strings';
export { withShorthandFields, shorthandFieldsOf, flatShorthands, echoShorthandFields, type ShorthandField } from './fields/shorthand-fields';
export { VAULT_CONFIGS, vaultNotInstalled } from './entities/vaults';
export * from './vault';
export { conditional, requiredValue, allOrNoneOf } from './entities/checks';

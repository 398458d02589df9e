// The plugins Tollgate ships (`plugins = bundled`), each a folder with schema.ts + handler.ts.
import type { PluginModule } from '../types';
import * as acl from './acl/schema';
import * as aclHandler from './acl/handler';
import * as basicAuth from './basic-auth/schema';
import * as basicAuthHandler from './basic-auth/handler';
import * as correlationId from './correlation-id/schema';
import * as correlationIdHandler from './correlation-id/handler';
import * as cors from './cors/schema';
import * as corsHandler from './cors/handler';
import * as fileLog from './file-log/schema';
import * as fileLogHandler from './file-log/handler';
import * as httpLog from './http-log/schema';
import * as httpLogHandler from './http-log/handler';
import * as ipRestriction from './ip-restriction/schema';
import * as ipRestrictionHandler from './ip-restriction/handler';
import * as jwt from './jwt/schema';
import * as jwtHandler from './jwt/handler';
import * as keyAuth from './key-auth/schema';
import * as keyAuthHandler from './key-auth/handler';
import * as prometheus from './prometheus/schema';
import * as prometheusHandler from './prometheus/handler';
import * as rateLimiting from './rate-limiting/schema';
import * as rateLimitingHandler from './rate-limiting/handler';
import * as requestSizeLimiting from './request-size-limiting/schema';
import * as requestSizeLimitingHandler from './request-size-limiting/handler';
import * as requestTermination from './request-termination/schema';
import * as requestTerminationHandler from './request-termination/handler';
import * as requestTransformer from './request-transformer/schema';
import * as requestTransformerHandler from './request-transformer/handler';
import * as responseTransformer from './response-transformer/schema';
import * as responseTransformerHandler from './response-transformer/handler';

const modules: PluginModule[] = [
  { schema: correlationId.schema, handler: correlationIdHandler.handler },
  { schema: cors.schema, handler: corsHandler.handler },
  { schema: jwt.schema, handler: jwtHandler.handler },
  { schema: keyAuth.schema, handler: keyAuthHandler.handler },
  { schema: basicAuth.schema, handler: basicAuthHandler.handler },
  { schema: ipRestriction.schema, handler: ipRestrictionHandler.handler },
  { schema: requestSizeLimiting.schema, handler: requestSizeLimitingHandler.handler },
  { schema: acl.schema, handler: aclHandler.handler },
  { schema: rateLimiting.schema, handler: rateLimitingHandler.handler },
  { schema: requestTransformer.schema, handler: requestTransformerHandler.handler },
  { schema: responseTransformer.schema, handler: responseTransformerHandler.handler },
  { schema: prometheus.schema, handler: prometheusHandler.handler },
  { schema: httpLog.schema, handler: httpLogHandler.handler },
  { schema: fileLog.schema, handler: fileLogHandler.handler },
  { schema: requestTermination.schema, handler: requestTerminationHandler.handler },
];

export const BUNDLED_PLUGINS: ReadonlyMap<string, PluginModule> = new Map(modules.map((m) => [m.handler.name, m]));

import type { SwaggerCustomOptions } from '@nestjs/swagger';

export const SWAGGER_UI_OPTIONS: SwaggerCustomOptions = {
  customSiteTitle: 'Tollgate Admin API',
  // /docs-json is the document; no YAML twin to keep in sync.
  raw: ['json'],
  swaggerOptions: { persistAuthorization: true, displayRequestDuration: true, tryItOutEnabled: false },
};

// The one call admin-shell makes: body decoding, Kong's error bodies, 404/405/OPTIONS. Create the app with
// `{ bodyParser: false }` so Nest's own parsers never see the stream first.
import type { INestApplication } from '@nestjs/common';
import type { Settings } from '@tollgate/config';
import { AdminExceptionFilter } from './admin-exception.filter';
import { bodyReader } from './body-reader';
import type { ErrorLogger } from './send-error';

export const DEFAULT_ADMIN_MAX_BODY_SIZE = 10 * 1024 * 1024;

export function configureAdminHttp(
  app: INestApplication,
  settings: Partial<Pick<Settings, 'admin_max_body_size'>> = {},
  log?: ErrorLogger,
): void {
  const express = app.getHttpAdapter().getInstance() as { set(key: string, value: unknown): void; disable(key: string): void };
  express.disable('x-powered-by');
  express.set('etag', false);
  app.use(bodyReader(settings.admin_max_body_size || DEFAULT_ADMIN_MAX_BODY_SIZE));
  app.useGlobalFilters(new AdminExceptionFilter(app, log));
}

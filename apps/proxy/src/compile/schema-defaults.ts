// The defaults compile applies to absent fields, read from the entity schemas (libs/schema) that also drive the
// Admin API, declarative config and OpenAPI: one place states them.
import { routes, services, type EntitySchema } from '@tollgate/schema';

function defaultOf<T>(schema: EntitySchema, field: string): T {
  const def = schema.fields.find(([name]) => name === field)?.[1];
  if (def?.default === undefined) throw new Error(`libs/schema: ${schema.name}.${field} has no default`);
  return def.default as T;
}

export const SERVICE_DEFAULTS = Object.freeze({
  retries: defaultOf<number>(services, 'retries'),
  connect_timeout: defaultOf<number>(services, 'connect_timeout'),
  write_timeout: defaultOf<number>(services, 'write_timeout'),
  read_timeout: defaultOf<number>(services, 'read_timeout'),
});

export const ROUTE_DEFAULTS = Object.freeze({
  protocols: defaultOf<readonly string[]>(routes, 'protocols'),
  https_redirect_status_code: defaultOf<number>(routes, 'https_redirect_status_code'),
  strip_path: defaultOf<boolean>(routes, 'strip_path'),
  preserve_host: defaultOf<boolean>(routes, 'preserve_host'),
});

// pg_ssl and pg_ssl_verify -> the `ssl` option of the PostgreSQL client, for every connection a control plane or
// a CLI command opens (TypeORM's pool, the LISTEN/NOTIFY client). As in Kong, pg_ssl_verify checks the server
// against lua_ssl_trusted_certificate (Node's bundled root CAs when it is `system`).
import type { Settings } from '@tollgate/config';
import { readTrustedCertificates } from '@tollgate/pki';

export type PgSslSettings = Pick<Settings, 'pg_ssl' | 'pg_ssl_verify'> & Partial<Pick<Settings, 'lua_ssl_trusted_certificate'>>;

/** The slice of TLS options both clients (pg, TypeORM's postgres driver) take. */
export interface PgSslOptions {
  readonly rejectUnauthorized: boolean;
  readonly ca?: string[];
}

export function pgSslOptions(settings: PgSslSettings): PgSslOptions | false {
  if (!settings.pg_ssl) return false;
  if (!settings.pg_ssl_verify) return { rejectUnauthorized: false };
  const ca = readTrustedCertificates(settings.lua_ssl_trusted_certificate);
  return ca ? { rejectUnauthorized: true, ca: [...ca] } : { rejectUnauthorized: true };
}

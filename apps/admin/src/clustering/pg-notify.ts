// Several control planes on one PostgreSQL: each commit NOTIFYs a channel every control plane LISTENs on, and
// a control plane hearing another's notification rebuilds its snapshot, so its data planes get the change
// within the coalescing window (no polling). The payload is the sender's id, so a node ignores its own echo.
// A second channel carries `/debug/cluster/log-level` changes (Kong's "log_level" cluster event).
import { randomUUID } from 'node:crypto';
import type { Settings } from '@tollgate/config';
import { pgSslOptions } from '../persistence/pg-ssl';

// pg ships no type declarations here; this is the slice of its Client we use.
interface PgClient {
  connect(): Promise<void>;
  query(sql: string, params?: unknown[]): Promise<unknown>;
  on(event: 'notification', listener: (msg: { channel: string; payload?: string }) => void): void;
  on(event: 'error', listener: (err: Error) => void): void;
  removeAllListeners(): void;
  end(): Promise<void>;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Client } = require('pg') as { Client: new (config: object) => PgClient };

export type PgNotifySettings = Pick<Settings, 'pg_host' | 'pg_port' | 'pg_user' | 'pg_password' | 'pg_database' | 'pg_schema' | 'pg_ssl' | 'pg_ssl_verify' | 'pg_timeout'>
  & Partial<Pick<Settings, 'lua_ssl_trusted_certificate'>>;

export interface PgNotifyOptions {
  /** Local committed writes (the Dao's onChange). */
  readonly onLocalChange: (listener: () => void) => () => void;
  /** Called when another control plane committed a write. */
  readonly onRemoteChange: () => void;
  /** Another node changed the cluster's log level. */
  readonly onLogLevel?: (level: string, timeoutSeconds: number) => void;
  readonly logger: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
}

export interface PgNotifyHandle {
  /** Tells every other node on this database to take `level` for `timeoutSeconds`. */
  broadcastLogLevel(level: string, timeoutSeconds: number): Promise<void>;
  close(): Promise<void>;
}

/** One channel per schema: control planes sharing a database but not a schema do not wake each other. */
export function channelName(schema: string | null): string {
  return `tollgate_config_${(schema ?? 'public').replace(/[^a-z0-9_]/gi, '_').toLowerCase()}`.slice(0, 63);
}

function logLevelChannel(schema: string | null): string {
  return `tollgate_log_level_${(schema ?? 'public').replace(/[^a-z0-9_]/gi, '_').toLowerCase()}`.slice(0, 63);
}

export async function startPgNotify(settings: PgNotifySettings, opts: PgNotifyOptions): Promise<PgNotifyHandle> {
  const me = randomUUID();
  const channel = channelName(settings.pg_schema);
  const levels = logLevelChannel(settings.pg_schema);
  const connect = async () => {
    const client = new Client({
      host: settings.pg_host,
      port: settings.pg_port,
      user: settings.pg_user,
      password: settings.pg_password ?? undefined,
      database: settings.pg_database,
      ssl: pgSslOptions(settings),
      connectionTimeoutMillis: settings.pg_timeout,
    });
    await client.connect();
    return client;
  };
  let closed = false;
  let client = await connect();
  const listen = async (c: PgClient) => {
    c.on('notification', (msg) => {
      if (msg.channel === channel && msg.payload !== me) opts.onRemoteChange();
      else if (msg.channel === levels && msg.payload) onLevel(msg.payload);
    });
    c.on('error', (err) => {
      opts.logger.warn({ err: err.message }, 'lost the PostgreSQL LISTEN connection; reconnecting');
      void reconnect();
    });
    await c.query(`LISTEN ${channel}`);
    await c.query(`LISTEN ${levels}`);
  };
  const onLevel = (payload: string) => {
    try {
      const m = JSON.parse(payload) as { from?: unknown; level?: unknown; timeout?: unknown };
      if (m.from === me || typeof m.level !== 'string' || typeof m.timeout !== 'number') return;
      opts.onLogLevel?.(m.level, m.timeout);
    } catch (err) {
      opts.logger.warn({ err: (err as Error).message }, 'ignored a malformed log level notification');
    }
  };
  const reconnect = async () => {
    for (let attempt = 0; !closed; attempt++) {
      try {
        client.removeAllListeners();
        await client.end().catch(() => {});
        client = await connect();
        await listen(client);
        opts.onRemoteChange(); // writes may have landed while we were deaf
        return;
      } catch {
        await new Promise((r) => setTimeout(r, Math.min(5000, 200 * 2 ** attempt)));
      }
    }
  };
  await listen(client);
  const unsubscribe = opts.onLocalChange(() => {
    client.query('SELECT pg_notify($1, $2)', [channel, me]).catch((err: Error) => opts.logger.error({ err: err.message }, 'NOTIFY after a commit failed'));
  });
  return {
    async broadcastLogLevel(level, timeoutSeconds) {
      await client.query('SELECT pg_notify($1, $2)', [levels, JSON.stringify({ from: me, level, timeout: timeoutSeconds })]);
    },
    async close() {
      closed = true;
      unsubscribe();
      client.removeAllListeners();
      await client.end().catch(() => {});
    },
  };
}

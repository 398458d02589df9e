import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { DynamicModule } from '@nestjs/common';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import { insecureExposureError, loadSettings, type Settings } from '@tollgate/config';
import pino, { type Logger } from 'pino';
import { configureAdminHttp } from './common';
import { Dao, loadDefaultSchemaSource, type SchemaSource } from './persistence';
import { AdminAppModule } from './app.module';
import { accessControlMiddleware } from './bootstrap/access-control';
import { adminAccessLog } from './bootstrap/admin-access-log';
import { adminLatencyMiddleware } from './bootstrap/admin-latency';
import { ConnectionStats } from './bootstrap/connection-stats';
import { corsMiddleware } from './bootstrap/cors';
import { http2CompatibleHandler } from './bootstrap/http2-express-bridge';
import { openListener, type OpenListener } from './bootstrap/listener';
import { lineErrorLogger, requestFailureHandler } from './bootstrap/request-failure';
import { guardProcess } from '@tollgate/logging';
import { PinoNestLogger } from './bootstrap/nest-logger';
import { RouteCatalog } from './bootstrap/route-catalog';
import { adminTlsOptions, type DefaultCertificateProvider } from './bootstrap/tls-material';
import { SNAPSHOTS } from './bootstrap/tokens';
import type { SnapshotService } from './cluster/snapshot.service';
import { loadPluginRegistry, pluginCatalogFrom, withPluginConfigChecks, type PluginInfo } from './custom/plugin-catalog';
import { acme, configureLua } from '@tollgate/plugins';
import { buildOpenApiDocument } from './openapi/document';
import { SWAGGER_UI_OPTIONS } from './openapi/swagger-ui';
import { setTrustedCertificates } from '@tollgate/pki';

export interface ControlPlaneOptions {
  readonly logger?: Logger;
  /** Certificate for `ssl` listeners when `admin_ssl_cert` is unset (default: libs/pki's generated one). */
  readonly defaultCertificate?: DefaultCertificateProvider;
  /** Extra plugins (tests), in addition to the libs/plugins registry loaded from `settings.plugins`. */
  readonly plugins?: readonly PluginInfo[];
  /** How long `close()` waits for in-flight requests before cutting connections (default 10 s). */
  readonly shutdownTimeoutMs?: number;
  /**
   * Where entities live: `database` (default) opens `settings.database`; `memory` an empty in-memory SQLite store
   * whatever `database` says (DB-less mode). `GET /` and `/status` always report `settings` as given.
   */
  readonly storage?: 'database' | 'memory';
  /** Extra Nest modules, imported before the Admin API's own (their routes win on equal paths). */
  readonly modules?: readonly DynamicModule[];
  /**
   * Runs once the app's providers exist, before it is initialised and before any listener opens. Middleware it
   * adds with `app.use` runs after access control and CORS, before body decoding and every route.
   */
  readonly beforeRoutes?: (app: NestExpressApplication) => void | Promise<void>;
}

export interface ControlPlaneHandle {
  readonly listeners: ReadonlyArray<Pick<OpenListener, 'key' | 'listener' | 'address' | 'port'>>;
  /**
   * A reload that changed `admin_listen`: entries that stay are untouched, removed ones close gracefully (their
   * in-flight requests finish), new ones open with the same handler, access control and timeouts.
   */
  reopenListeners(next: Settings): Promise<void>;
  readonly dao: Dao;
  readonly snapshots: SnapshotService;
  readonly app: NestExpressApplication;
  close(): Promise<void>;
}

/** Starts the Admin API on every `admin_listen` entry. Rejects (and leaves nothing open) when any step fails. */
export async function startControlPlane(settings: Settings, opts: ControlPlaneOptions = {}): Promise<ControlPlaneHandle> {
  const refusal = insecureExposureError(settings);
  if (refusal) throw new Error(refusal);
  const logger = opts.logger ?? pino({ level: 'silent' });
  if (opts.logger) guardProcess(logger); // a real process (the CLI), not a test embedding the app
  let tls = settings.admin_listeners.some((entry) => entry.ssl) ? await adminTlsOptions(settings, opts.defaultCertificate) : undefined;

  const catalog = new RouteCatalog();
  const stats = new ConnectionStats();
  configureLua(settings);
  // the acme plugin's orders run here and verify the ACME server with the node's trusted CAs
  setTrustedCertificates(settings.lua_ssl_trusted_certificate);
  // Kong's acme schema refuses storages the node's mode cannot hold (kong when DB-less, shm on a control plane)
  acme.configureAcme(settings);
  const plugins = pluginCatalogFrom(loadPluginRegistry(settings.plugins), opts.plugins);
  const schemas: SchemaSource = withPluginConfigChecks(loadDefaultSchemaSource(), plugins);
  const onSnapshotError = (err: unknown) => logger.error({ err }, 'rebuilding the configuration snapshot failed');
  const app = await NestFactory.create<NestExpressApplication>(
    AdminAppModule.forRoot(settings, { catalog, stats, plugins, onSnapshotError }, {
      schemas,
      persistence: opts.storage === 'memory' ? inMemoryStore(settings) : settings,
      modules: opts.modules,
    }),
    new ExpressAdapter(),
    { bodyParser: false, abortOnError: false, logger: new PinoNestLogger(logger) },
  );
  const listeners: OpenListener[] = [];
  let open: (entry: Settings['admin_listeners'][number]) => Promise<OpenListener> = () => Promise.reject(new Error('the Admin API is not started'));
  const accessLog = adminAccessLog(settings);
  try {
    // The access log sees every request, refused ones included; then access control, so nothing below (CORS,
    // parsing, routing, 404s) runs for an untrusted client.
    const latency = adminLatencyMiddleware(settings);
    if (latency) app.use(latency);
    if (accessLog) app.use(accessLog.middleware);
    app.use(accessControlMiddleware(settings));
    app.use(corsMiddleware(catalog, settings));
    await opts.beforeRoutes?.(app);
    configureAdminHttp(app, settings, lineErrorLogger(logger));
    SwaggerModule.setup('docs', app, () => buildOpenApiDocument({ catalog, settings }) as never, SWAGGER_UI_OPTIONS);
    await app.init();
    catalog.load(app.getHttpAdapter().getInstance());

    const fail = requestFailureHandler(logger);
    const handler = http2CompatibleHandler(app.getHttpAdapter().getInstance(), fail);
    const timeouts = { headerMs: settings.client_header_timeout, bodyMs: settings.client_body_timeout, sendMs: settings.send_timeout };
    open = async (entry) => {
      tls ??= entry.ssl ? await adminTlsOptions(settings, opts.defaultCertificate) : undefined;
      const listener = await openListener({ entry, handler, tls: entry.ssl ? tls : undefined, stats, timeouts, fail });
      logger.info({ listener: entry.listener }, 'admin API listening');
      return listener;
    };
    for (const entry of settings.admin_listeners) listeners.push(await open(entry));
  } catch (err) {
    await Promise.all(listeners.map((l) => l.close(0)));
    await app.close().catch(() => {});
    await accessLog?.close();
    throw err;
  }

  const snapshots = app.get<SnapshotService>(SNAPSHOTS);
  const shutdownTimeoutMs = opts.shutdownTimeoutMs ?? 10_000;
  let closing: Promise<void> | null = null;
  return {
    get listeners() {
      return listeners.map(({ key, listener, address, port }) => ({ key, listener, address, port }));
    },
    async reopenListeners(next) {
      const wanted = new Set(next.admin_listeners.map((e) => e.listener));
      const removed = listeners.filter((l) => !wanted.has(l.listener));
      const kept = listeners.filter((l) => wanted.has(l.listener));
      // removed first: a new entry may take a removed one's address with other flags
      await Promise.all(removed.map((l) => l.close(shutdownTimeoutMs)));
      const added: OpenListener[] = [];
      for (const entry of next.admin_listeners) {
        if (!kept.some((l) => l.listener === entry.listener)) added.push(await open(entry));
      }
      listeners.splice(0, listeners.length, ...kept, ...added);
    },
    dao: app.get(Dao),
    snapshots,
    app,
    close() {
      closing ??= (async () => {
        await Promise.all(listeners.map((l) => l.close(shutdownTimeoutMs)));
        snapshots.close();
        await app.close();
        await accessLog?.close();
      })();
      return closing;
    },
  };
}

/** The persistence settings of `storage: 'memory'`: a private SQLite database that lives as long as the app. */
function inMemoryStore(settings: Settings): Settings {
  return { ...settings, database: 'sqlite', sqlite_file: ':memory:' };
}

if (require.main === module) {
  void (async () => {
    const logger = pino();
    try {
      const handle = await startControlPlane(loadSettings({}), { logger });
      const stop = () => void handle.close().then(() => process.exit(0));
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    } catch (err) {
      logger.error({ err }, (err as Error).message);
      process.exit(1);
    }
  })();
}

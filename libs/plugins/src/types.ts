// The contract between the gateway and a plugin — the same for bundled and custom plugins (README.md).
import type { IncomingHttpHeaders } from 'node:http';
import type { FieldList } from '@tollgate/schema';
import type { Row } from '@tollgate/declarative/snapshot';
import type { EntityDirectory } from './entity-directory';

export type Phase = 'rewrite' | 'access' | 'header_filter' | 'body_filter' | 'log';

/** What a phase may return: nothing, or a promise the pipeline waits for (access/rewrite only). */
export type PhaseResult = void | Promise<void>;

export interface PluginLogger {
  debug(msg: string, obj?: unknown): void;
  info(msg: string, obj?: unknown): void;
  warn(msg: string, obj?: unknown): void;
  error(msg: string, obj?: unknown): void;
}

/** The client request as the upstream will see it; changes made in rewrite/access are forwarded. */
export interface PluginRequest {
  readonly method: string;
  /** http, https, grpc, grpcs */
  readonly protocol: string;
  readonly scheme: 'http' | 'https';
  readonly host: string;
  /** Path as received from the client, without the query string. */
  readonly rawPath: string;
  /** Header by lower-case name (the first value when repeated); reflects set/clear. */
  getHeader(name: string): string | undefined;
  /** All request headers as received (lower-case names), before plugin changes. */
  readonly headers: IncomingHttpHeaders;
  setHeader(name: string, value: string | readonly string[]): void;
  addHeader(name: string, value: string): void;
  clearHeader(name: string): void;
  /** Parsed query string (first value per name is `query[name][0]`); reflects setQuery. */
  getQuery(): ReadonlyMap<string, readonly string[]>;
  setQuery(query: ReadonlyMap<string, readonly string[]>): void;
  /** Path sent upstream (after strip_path); setPath replaces it. */
  getPath(): string;
  setPath(path: string): void;
  setMethod(method: string): void;
  /** Buffers the whole client body (once) and forwards it buffered. */
  readBody(): Promise<Buffer>;
  /** Replaces the body sent upstream (forces buffering). */
  setBody(body: Buffer | string): void;
}

export interface PluginResponse {
  /** Ends the request now with this answer: an object body is sent as JSON. Later access handlers are skipped. */
  exit(status: number, body?: unknown, headers?: Readonly<Record<string, string>>): void;
  /** Kong's `kong.response.error`: `{message, request_id}` in the client's Accept format. */
  error(status: number, message: string, headers?: Readonly<Record<string, string>>): void;
  /** Status of the response being sent (header_filter, body_filter, log). */
  getStatus(): number;
  /** Response header by lower-case name (header_filter onwards). */
  getHeader(name: string): string | undefined;
  /** In access: added to the downstream response; in header_filter: changes it. */
  setHeader(name: string, value: string | readonly string[]): void;
  addHeader(name: string, value: string): void;
  clearHeader(name: string): void;
  /** Response body (body_filter and log, only when a body_filter plugin asked for buffering). */
  getBody(): Buffer | undefined;
  setBody(body: Buffer | string): void;
  /** true once a plugin called exit/error. */
  readonly exited: boolean;
}

export interface RouteInfo { readonly id: string; readonly name: string | null; readonly row: Readonly<Record<string, unknown>> }
export interface ServiceInfo { readonly id: string; readonly name: string | null; readonly row: Readonly<Record<string, unknown>> }

export interface PluginClient {
  /** Client address (after trusted real-IP resolution). */
  readonly ip: string;
  readonly consumer: Row | null;
  readonly credential: Row | null;
  /** Marks the request as authenticated; consumer-scoped plugin configs apply from the next plugin on. */
  authenticate(consumer: Row | null, credential: Row | null): void;
}

/** Timings and sizes the log phase reads (ms, bytes). */
export interface RequestTimings {
  readonly startedAt: number;
  upstreamLatency: number | null;
  proxyLatency: number | null;
  totalLatency: number | null;
  requestSize: number;
  responseSize: number;
}

export interface PluginContext {
  readonly request: PluginRequest;
  readonly response: PluginResponse;
  readonly client: PluginClient;
  readonly route: RouteInfo | null;
  readonly service: ServiceInfo | null;
  /** Shared by every plugin of this request (Kong's kong.ctx.shared). */
  readonly ctx: Record<string, unknown>;
  readonly log: PluginLogger;
  /** Consumers and credentials of the current config, indexed at compile time. */
  readonly entities: EntityDirectory;
  readonly requestId: string;
  readonly timings: RequestTimings;
}

/** Compile-time environment given to prepare(). */
export interface PrepareEnv {
  readonly entities: EntityDirectory;
  readonly log: PluginLogger;
  /** Id of the plugin entity (stable across snapshots): key for state that must survive a reconfigure. */
  readonly pluginId: string;
}

export interface PluginHandler<C = any> {
  readonly name: string;
  /** Kong's PRIORITY: higher runs first. */
  readonly priority: number;
  readonly version: string;
  /** Turns a validated config into what the phases use (compile regexes, keys...). Runs at compile time. */
  prepare?(config: Record<string, unknown>, env: PrepareEnv): C;
  rewrite?(kong: PluginContext, conf: C): PhaseResult;
  access?(kong: PluginContext, conf: C): PhaseResult;
  /** Synchronous: the response headers are about to be sent. */
  header_filter?(kong: PluginContext, conf: C): void;
  /** Synchronous, on the whole buffered response body (declaring it makes the gateway buffer the response). */
  body_filter?(kong: PluginContext, conf: C): void;
  /** With body_filter: whether this config needs the body (default true). Lets a plugin skip buffering. */
  buffersBody?(conf: C): boolean;
  /** After the response is finished; never delays it. */
  log?(kong: PluginContext, conf: C): void;
}

/** A config FieldList; plugin-level checks are attached with withConfigChecks (validate-config.ts). */
export type PluginConfigFields = FieldList;

/** A plugin folder: `schema.ts` exports `schema`, `handler.ts` exports `handler` (default export also accepted). */
export interface PluginModule {
  readonly schema: PluginConfigFields;
  readonly handler: PluginHandler;
  /** Protocols the plugin supports (defaults to http ones); narrows the `protocols` field. */
  readonly protocols?: readonly string[];
}


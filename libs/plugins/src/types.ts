// The contract between the gateway and a plugin — the same for bundled and custom plugins (README.md).
import type { IncomingHttpHeaders } from 'node:http';
import type { SecureContext } from 'node:tls';
import type { FieldList } from '@tollgate/schema';
import type { Row } from '@tollgate/declarative/snapshot';
import type { EntityDirectory } from './entity-directory';
import type { RequestTrace } from './tracing/trace';

export type Phase = 'rewrite' | 'access' | 'header_filter' | 'body_filter' | 'log';

/** What a phase may return: nothing, or a promise the pipeline waits for (access/rewrite only). */
export type PhaseResult = void | Promise<void>;

export interface PluginLogger {
  debug(msg: string, obj?: unknown): void;
  info(msg: string, obj?: unknown): void;
  /** kong.conf's notice level (the default log_level), between info and warn; loggers without it log at info. */
  notice?(msg: string, obj?: unknown): void;
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
  /** Query string as received, without '?' ('' when none). */
  readonly rawQuery: string;
  /** '1.1' or '2.0'. */
  readonly httpVersion: string;
  /** The TCP peer is in trusted_ips, so its X-Forwarded-* headers count (Kong's kong.ip.is_trusted). */
  readonly trustedPeer: boolean;
  /** Header by lower-case name (the first value when repeated); reflects set/clear. */
  getHeader(name: string): string | undefined;
  /** All request headers as received (lower-case names), before plugin changes. */
  readonly headers: IncomingHttpHeaders;
  /** Times the client sent header `name` (lower-case name), counting repeats `headers` dropped. */
  headerCount(name: string): number;
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
  /**
   * Sends this request to a grpc/grpcs service as one gRPC call over HTTP/2, whatever HTTP version the client
   * spoke (grpc-web, grpc-gateway): the body set with setBody is the call's framed message. The upstream
   * response is buffered whole for header_filter and body_filter, where its trailers are readable
   * (PluginResponse.getTrailer) and setStatus applies.
   */
  callAsGrpc(): void;
}

export interface PluginResponse {
  /** Ends the request now with this answer: an object body is sent as JSON. Later access handlers are skipped.
   *  `proxied`: the answer stands in for the upstream's (a cloud function's): the gateway adds Via to it as it
   *  does to upstream responses (Kong's aws-lambda and azure-functions). */
  exit(status: number, body?: unknown, headers?: Readonly<Record<string, string | readonly string[]>>, options?: { readonly proxied?: boolean }): void;
  /** Kong's `kong.response.error`: `{message, request_id}` in the client's Accept format. */
  error(status: number, message: string, headers?: Readonly<Record<string, string>>): void;
  /** Status of the response being sent (header_filter, body_filter, log). */
  getStatus(): number;
  /** Response header by lower-case name (header_filter onwards). */
  getHeader(name: string): string | undefined;
  /** Every response header by lower-case name, repeated ones as arrays (header_filter onwards; a copy). */
  getHeaders(): Record<string, string | string[]>;
  /** In access: added to the downstream response; in header_filter: changes it. */
  setHeader(name: string, value: string | readonly string[]): void;
  addHeader(name: string, value: string): void;
  clearHeader(name: string): void;
  /** Response body (body_filter and log, only when a body_filter plugin asked for buffering). */
  getBody(): Buffer | undefined;
  setBody(body: Buffer | string): void;
  /**
   * The status the client gets instead (Kong's kong.response.set_status / ngx.status): in header_filter (a 204 or
   * 304 set on a response with a body drops that body), and in body_filter on a buffered upstream response (the
   * head is not sent yet).
   */
  setStatus(status: number): void;
  /** body_filter of a gRPC call (callAsGrpc): a trailer the upstream sent (Kong's $sent_trailer_<name>). */
  getTrailer(name: string): string | undefined;
  /**
   * header_filter only, upstream responses only: stream this response through `filter` chunk by chunk (Kong's
   * per-chunk body_filter, for server-sent events) instead of buffering it. `last` is true once, on an empty chunk
   * after the upstream's last one. The gateway drops Content-Length; buffered body_filter plugins do not run.
   */
  filterChunks(filter: ChunkFilter): void;
  /** true once a plugin called exit/error. */
  readonly exited: boolean;
}

/** Returns what to send the client for an upstream chunk ('' or an empty buffer: nothing yet). */
export type ChunkFilter = (chunk: Buffer, last: boolean) => Buffer | string;

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
  /** The request's spans and timings when something traces (tracing_instrumentations, zipkin, OTLP logs). */
  readonly trace?: RequestTrace | null;
  /** kong.log.set_serialize_value: dotted key -> value merged into the log serializer's document. */
  serializeValues?: Map<string, unknown> | null;
}

/** What the certificate phase knows of a handshake. */
export interface CertificateHandshake {
  /** The config's SNI table has a certificate for the server name. */
  readonly known: boolean;
  /** The client's address and port (kong.client.get_ip / get_port), when the listener knows them. */
  readonly peerIp?: string;
  readonly peerPort?: number;
  /** A TLS stream listener's handshake (plugins whose protocols include `tls`), else an HTTPS one (`https`/`grpcs`). */
  readonly stream?: boolean;
}

/** Compile-time environment given to prepare(). */
export interface PrepareEnv {
  readonly entities: EntityDirectory;
  readonly log: PluginLogger;
  /** Id of the plugin entity (stable across snapshots): key for state that must survive a reconfigure. */
  readonly pluginId: string;
  /** The plugin entity's own route and service (null when not scoped to one): Kong keys some counters by them. */
  readonly routeId?: string | null;
  readonly serviceId?: string | null;
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
  /**
   * Kong's certificate phase (global instances only), on every TLS handshake that names `serverName`, before the
   * certificate is chosen. `known`: the SNI table has a certificate for the name (it is served then). Otherwise
   * the first certificate returned is served, null leaves the default one. Throwing fails this handshake only.
   */
  certificate?(serverName: string, conf: C, handshake: CertificateHandshake): Promise<SecureContext | null> | SecureContext | null;
  /** Whether this config does anything in `phase` (default: the handler has it). Lets chains skip whole phases. */
  runsIn?(phase: Phase, conf: C): boolean;
}

/** A config FieldList; plugin-level checks are attached with withConfigChecks (validate-config.ts). */
export type PluginConfigFields = FieldList;

/** A plugin folder: `schema.ts` exports `schema`, `handler.ts` exports `handler` (default export also accepted). */
export interface PluginModule {
  readonly schema: PluginConfigFields;
  readonly handler: PluginHandler;
  /** The plugin's default `protocols` (Kong's `typedefs.protocols { default = ... }` in its schema.lua); absent:
   *  grpc, grpcs, http, https. */
  readonly protocols?: readonly string[];
  /**
   * Kong's `consumer = typedefs.no_consumer`: the plugin cannot be scoped to a consumer (authentication plugins:
   * the consumer is what they find out). A plugin entity naming one is refused with `consumer: value must be null`.
   */
  readonly noConsumer?: boolean;
  /**
   * Kong's `protocols = typedefs.protocols_http`: an instance may name only grpc, grpcs, http and https (a plugin
   * entity naming tcp is refused with `protocols.1: expected one of: grpc, grpcs, http, https`). Absent: Kong's
   * `typedefs.protocols`, any protocol.
   */
  readonly protocolsHttp?: boolean;
  /** Kong's no_consumer + no_service + no_route (acme): only a global instance may exist; a plugin entity naming
   *  a service, route or consumer is refused with `value must be null` on that field. */
  readonly globalOnly?: boolean;
}


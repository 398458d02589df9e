// What the gateway (the proxy's forward handler) hands the pipeline for one request.
import type { IncomingHttpHeaders } from 'node:http';

export interface HostRequest {
  readonly method: string;
  readonly protocol: string;
  readonly scheme: 'http' | 'https';
  readonly host: string;
  readonly rawPath: string;
  /** Path the upstream would get (after strip_path / service path), without query. */
  readonly upstreamPath: string;
  /** Raw query string without '?', '' when none. */
  readonly rawQuery: string;
  readonly headers: IncomingHttpHeaders;
  /** Times the client sent header `name` (lower-case): `headers` keeps only the first of some (User-Agent). */
  headerCount?(name: string): number;
  readonly clientIp: string;
  /** The connection's peer (kong.client.get_ip), when it differs from clientIp's source. */
  readonly peerIp?: string;
  readonly peerPort?: number;
  /** The port the client connected to (kong.request.get_port). */
  readonly serverPort?: number;
  /** 1.0, 1.1 or 2 (default 1.1). */
  readonly httpVersion?: number;
  /** The TCP peer is in trusted_ips: its X-Forwarded-* headers are believed (kong.request.get_forwarded_*). */
  readonly trustedPeer?: boolean;
  /** Regex captures of the matched route path ("0", "1", names): request-transformer's uri_captures. */
  readonly uriCaptures?: Readonly<Record<string, string>> | null;
  /** Whether an address is in trusted_ips (Kong's kong.ip.is_trusted). */
  isTrusted?(ip: string): boolean;
  /** Whether an upstream of this name exists in the running config (kong.service.set_upstream). */
  hasUpstream?(name: string): boolean;
  /** Reads the whole client body (called at most once). */
  readBody(): Promise<Buffer>;
}

/**
 * A request body too large for a plugin to hold in memory (client_body_buffer_size, or client_max_body_size when
 * lower): readBody rejects with it before reading past the limit, and the request is answered 413, where Kong's
 * plugins would get no body at all (nginx keeps such a body in a temporary file).
 */
export class RequestBodyTooLarge extends Error {
  constructor(readonly size: number, readonly limit: number) {
    super(`request body larger than ${limit} bytes (client_body_buffer_size): ${size} bytes or more; refused with 413 for the plugin that reads it`);
  }
}

/** A response ready to write: status, lower-case headers, body. */
export interface PluginExit {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
  /** A cloud function's answer standing in for the upstream's: gets the gateway's Via entry. */
  proxied?: boolean;
}

// Contract of the pure router (libs/router). Compiled once per config off the hot path; match() is the hot path.
import type { RouteRow } from '@tollgate/declarative/snapshot';

export interface HttpRequestInput {
  /** Scheme the client used: 'http' | 'https' (grpc/grpcs are derived from content-type application/grpc on h2). */
  readonly protocol: 'http' | 'https' | 'grpc' | 'grpcs';
  readonly method: string; // upper case
  /** Raw Host (or :authority) header, port included if the client sent one. */
  readonly host: string;
  /** Raw request path without query string, as received (not yet normalized). */
  readonly path: string;
  /** Node's IncomingMessage.headers shape: lower-case names. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly sni?: string;
  /** Port the request arrived on (for hosts naming a port). */
  readonly port: number;
}

export interface HttpMatch {
  readonly route: RouteRow;
  /** Normalized request path the match was made on. */
  readonly path: string;
  /** Part of the path the route matched (prefix or regex match), for strip_path and X-Forwarded-Prefix. */
  readonly matchedPath: string | null;
  /** Named and positional regex captures (for uri_capture hashing and request-transformer templates). */
  readonly captures: Readonly<Record<string, string>> | null;
  readonly matchedHost: string | null;
}

export interface HttpRouter {
  match(req: HttpRequestInput): HttpMatch | null;
  readonly size: number;
  /** Some route matches on request headers (Kong's router reads them, and warns when it could not read all, only then). */
  readonly matchesHeaders: boolean;
}

export interface StreamConnectionInput {
  readonly protocol: 'tcp' | 'tls' | 'tls_passthrough';
  readonly sourceIp: string;
  readonly sourcePort: number;
  readonly destinationIp: string;
  readonly destinationPort: number;
  readonly sni?: string;
}

export interface StreamRouter {
  match(conn: StreamConnectionInput): RouteRow | null;
}

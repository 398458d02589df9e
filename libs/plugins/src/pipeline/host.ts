// What the gateway (the proxy's forward handler, or the test harness) hands the pipeline for one request.
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
  readonly clientIp: string;
  /** Reads the whole client body (called at most once). */
  readBody(): Promise<Buffer>;
}

/** A response ready to write: status, lower-case headers, body. */
export interface PluginExit {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

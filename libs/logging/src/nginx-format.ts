// Access lines in nginx's formats, as Kong writes them: `combined` (Admin API), Kong's `kong_log_format` (proxy:
// combined plus kong_request_id) and the stream module's `basic`. Values are escaped as nginx escapes them
// (`"`, `\`, control and non-ASCII bytes become \xHH) and an empty value is written `-`.
import { timeLocal } from './time-local';

const NEEDS_ESCAPE = /["\\\x00-\x1f\x7f-\uffff]/;

// hot path: the regex test is the whole cost for ordinary values
export function nginxValue(value: string | undefined | null): string {
  if (value === undefined || value === null || value === '') return '-';
  if (!NEEDS_ESCAPE.test(value)) return value;
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    out += byte === 0x22 || byte === 0x5c || byte < 0x20 || byte >= 0x7f ? `\\x${byte.toString(16).toUpperCase().padStart(2, '0')}` : String.fromCharCode(byte);
  }
  return out;
}

export interface CombinedFields {
  readonly remoteAddr: string | undefined;
  /** `GET /path?x=1 HTTP/1.1` */
  readonly request: string;
  readonly status: number;
  readonly bodyBytesSent: number;
  readonly referer: string | undefined;
  readonly userAgent: string | undefined;
  /** ms since the epoch; default now */
  readonly time?: number;
}

/** `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"` */
export function combinedLine(f: CombinedFields): string {
  return `${nginxValue(f.remoteAddr)} - - [${timeLocal(f.time)}] "${nginxValue(f.request)}" ${f.status} ${f.bodyBytesSent} ` +
    `"${nginxValue(f.referer)}" "${nginxValue(f.userAgent)}"`;
}

/** Kong's kong_log_format (nginx_kong.lua): combined, then `kong_request_id: "<id>"`. */
export function kongLine(f: CombinedFields & { readonly requestId: string }): string {
  return `${combinedLine(f)} kong_request_id: "${f.requestId}"`;
}

/** nginx stream `basic`: `$remote_addr [$time_local] $protocol $status $bytes_sent $bytes_received $session_time`. */
export function basicStreamLine(f: {
  readonly remoteAddr: string | undefined; readonly protocol: 'TCP' | 'UDP'; readonly status: number;
  readonly bytesSent: number; readonly bytesReceived: number; readonly sessionMs: number; readonly time?: number;
}): string {
  return `${nginxValue(f.remoteAddr)} [${timeLocal(f.time)}] ${f.protocol} ${f.status} ${f.bytesSent} ${f.bytesReceived} ${(f.sessionMs / 1000).toFixed(3)}`;
}

// X-Kong-Admin-Latency: milliseconds from the request's arrival to its response head, on every Admin API
// response (errors and refusals included) when `headers` enables it (latency_tokens does), as Kong.
import type { Settings } from '@tollgate/config';
import type { AdminRequest, AdminResponse, Next } from '../common/http-types';

export function adminLatencyMiddleware(settings: Settings): ((req: AdminRequest, res: AdminResponse, next: Next) => void) | null {
  if (!(settings.headers ?? []).includes('x-kong-admin-latency')) return null;
  return (_req, res, next) => {
    const start = performance.now();
    const writeHead = res.writeHead;
    res.writeHead = function latencyWriteHead(this: AdminResponse, ...args: Parameters<AdminResponse['writeHead']>) {
      if (!this.headersSent) this.setHeader('X-Kong-Admin-Latency', String(Math.round(performance.now() - start)));
      return writeHead.apply(this, args);
    } as AdminResponse['writeHead'];
    next();
  };
}

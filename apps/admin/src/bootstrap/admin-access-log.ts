// admin_access_log: one line per Admin API request in nginx's `combined` format, as Kong's Admin API server block
// writes it (`access_log ${{ADMIN_ACCESS_LOG}};`). Mounted first, so refused and unknown requests are logged too.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Settings } from '@tollgate/config';
import { combinedLine, createAccessLog, type AccessLog } from '@tollgate/logging';

type Next = (err?: unknown) => void;

export interface AdminAccessLog {
  readonly middleware: (req: IncomingMessage, res: ServerResponse, next: Next) => void;
  close(): Promise<void>;
}

/** Body bytes sent so far on this response (the socket count includes headers, which $body_bytes_sent does not). */
function countBody(res: ServerResponse): () => number {
  let bytes = 0;
  const write = res.write.bind(res) as (...args: unknown[]) => boolean;
  const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
  const add = (chunk: unknown, encoding: unknown) => {
    if (typeof chunk === 'string') bytes += Buffer.byteLength(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
    else if (chunk instanceof Uint8Array) bytes += chunk.byteLength;
  };
  res.write = ((chunk: unknown, ...rest: unknown[]) => { add(chunk, rest[0]); return write(chunk, ...rest); }) as typeof res.write;
  res.end = ((chunk?: unknown, ...rest: unknown[]) => { if (typeof chunk !== 'function') add(chunk, rest[0]); return end(chunk, ...rest); }) as typeof res.end;
  return () => bytes;
}

export function adminAccessLog(settings: Pick<Settings, 'admin_access_log'>): AdminAccessLog | null {
  if (!settings.admin_access_log) return null;
  const log: AccessLog = createAccessLog(settings.admin_access_log);
  return {
    middleware(req, res, next) {
      const started = Date.now();
      const body = countBody(res);
      res.once('finish', () => {
        log.writeLine(combinedLine({
          remoteAddr: req.socket?.remoteAddress,
          request: `${req.method} ${req.url} HTTP/${req.httpVersion}`,
          status: res.statusCode,
          bodyBytesSent: body(),
          referer: req.headers.referer,
          userAgent: req.headers['user-agent'],
          time: started,
        }));
      });
      next();
    },
    close: () => log.close(),
  };
}

// Stream sessions in the access log: nginx's stream `basic` format when proxy_access_log_format = kong (Kong logs
// stream sessions with `basic`), the session's JSON entry otherwise.
import { basicStreamLine, type AccessLog } from '@tollgate/logging';
import type { StreamAccessLog } from './types';

interface SessionEntry {
  readonly client_ip?: string;
  readonly session: { readonly status: number; readonly sent: number; readonly received: number };
  readonly latencies: { readonly session: number };
}

export function streamAccessLog(log: AccessLog, format: 'kong' | 'json'): StreamAccessLog {
  if (format === 'json') return log;
  return {
    write(entry) {
      const e = entry as unknown as SessionEntry;
      log.writeLine(basicStreamLine({
        remoteAddr: e.client_ip, protocol: 'TCP', status: e.session.status,
        bytesSent: e.session.sent, bytesReceived: e.session.received, sessionMs: e.latencies.session,
      }));
    },
  };
}

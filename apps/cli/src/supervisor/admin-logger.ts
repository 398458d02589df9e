// admin_error_log: the control plane's log lines go to their own file when it differs from proxy_error_log
// (both default to logs/error.log, as Kong's, and then one logger writes both).
import type { Settings } from '@tollgate/config';
import { createLogger, type TollgateLogger } from '@tollgate/logging';

export function adminLogger(settings: Settings, nodeLog: TollgateLogger): TollgateLogger {
  if (settings.admin_error_log === settings.proxy_error_log) return nodeLog;
  return createLogger({ level: settings.log_level, name: 'tollgate-admin', file: settings.admin_error_log, format: settings.log_format });
}

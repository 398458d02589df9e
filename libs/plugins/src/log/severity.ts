// Syslog severities as Kong's syslog and loggly plugins use them: a request's severity comes from its status class
// and is only sent when it is at least as severe as `log_level`.
import type { FieldDef } from '@tollgate/schema';

export const SEVERITIES = ['debug', 'info', 'notice', 'warning', 'err', 'crit', 'alert', 'emerg'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** RFC 5424 numeric severity (0 = emerg, most severe). */
export const SEVERITY_CODE: Readonly<Record<Severity, number>> = { emerg: 0, alert: 1, crit: 2, err: 3, warning: 4, notice: 5, info: 6, debug: 7 };

export const severityField: FieldDef = { type: 'string', default: 'info', one_of: SEVERITIES };

/** The severity to send this response with, or null when `log_level` filters it out. */
export function severityFor(config: Record<string, unknown>, status: number): Severity | null {
  const key = status >= 500 ? 'server_errors_severity' : status >= 400 ? 'client_errors_severity' : 'successful_severity';
  const severity = config[key] as Severity;
  return SEVERITY_CODE[severity] <= SEVERITY_CODE[config.log_level as Severity] ? severity : null;
}

// Structured JSON logs (pino) with kong.conf's level names. Errors go to stderr; the `*_error_log` files get
// a copy when configured, so operators find logs where Kong would put them.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import pino, { type Logger, type LevelWithSilentOrString } from 'pino';

/** kong.conf log_level names mapped onto pino's numeric scale (notice sits between info and warn). */
export const KONG_LEVELS: Readonly<Record<string, number>> = Object.freeze({
  debug: 20, info: 30, notice: 35, warn: 40, error: 50, crit: 55, alert: 58, emerg: 60,
});

export interface LoggerOptions {
  readonly level: string;
  readonly name: string;
  /** Extra file destination (absolute path) or null. */
  readonly file?: string | null;
  /** Defaults to stderr (fd 2). */
  readonly fd?: number;
}

export type TollgateLogger = Logger<'notice' | 'crit' | 'alert' | 'emerg'>;

export function createLogger(opts: LoggerOptions): TollgateLogger {
  const streams: pino.StreamEntry[] = [{ level: opts.level as pino.Level, stream: pino.destination({ fd: opts.fd ?? 2, sync: true }) }];
  if (opts.file) {
    mkdirSync(dirname(opts.file), { recursive: true });
    streams.push({ level: opts.level as pino.Level, stream: pino.destination({ dest: opts.file, mkdir: true, sync: true }) });
  }
  return pino(
    {
      name: opts.name,
      level: opts.level as LevelWithSilentOrString,
      customLevels: { notice: 35, crit: 55, alert: 58, emerg: 60 },
      useOnlyCustomLevels: false,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    pino.multistream(streams, { levels: { ...pino.levels.values, notice: 35, crit: 55, alert: 58, emerg: 60 } }),
  ) as TollgateLogger;
}

/** A silent logger for tests and library defaults. */
export function nullLogger(): TollgateLogger {
  return pino({ level: 'silent', customLevels: { notice: 35, crit: 55, alert: 58, emerg: 60 } }) as TollgateLogger;
}

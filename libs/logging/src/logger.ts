// Logs (pino) with kong.conf's level names, written as words ("level":"notice") rather than pino's numbers.
// Errors go to stderr; the `*_error_log` files get a copy when configured, so operators find logs where Kong would
// put them. On a terminal, stderr gets one human-readable line per entry; anything else (a pipe, a file, a log
// collector) gets JSON lines, as does every file.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { isatty } from 'node:tty';
import pino, { type Logger, type LevelWithSilentOrString } from 'pino';
import { formatText } from './text-format';
import { onReopen } from './reopen';

/** kong.conf log_level names mapped onto pino's numeric scale (notice sits between info and warn). */
export const KONG_LEVELS: Readonly<Record<string, number>> = Object.freeze({
  debug: 20, info: 30, notice: 35, warn: 40, error: 50, crit: 55, alert: 58, emerg: 60,
});

const CUSTOM_LEVELS = { notice: 35, crit: 55, alert: 58, emerg: 60 };

/** `auto`: text on a terminal, JSON otherwise. */
export type LogFormat = 'auto' | 'text' | 'json';

export interface LoggerOptions {
  readonly level: string;
  readonly name: string;
  /** Extra file destination (absolute path) or null. Always JSON. */
  readonly file?: string | null;
  /** Defaults to stderr (fd 2). */
  readonly fd?: number;
  /** Format of the console copy; default auto. */
  readonly format?: LogFormat;
}

export type TollgateLogger = Logger<'notice' | 'crit' | 'alert' | 'emerg'>;

/** Each JSON line pino writes becomes one text line on the same destination. */
function textStream(destination: pino.DestinationStream): pino.DestinationStream {
  return { write: (line: string) => destination.write(formatText(line)) };
}

export function createLogger(opts: LoggerOptions): TollgateLogger {
  const fd = opts.fd ?? 2;
  const console = pino.destination({ fd, sync: true });
  const text = opts.format === 'text' || ((opts.format ?? 'auto') === 'auto' && isatty(fd));
  // The streams take every level: the logger's own level filters, so `/debug/node/log-level` can lower it at run time
  const streams: pino.StreamEntry[] = [{ level: 'trace', stream: text ? textStream(console) : console }];
  // Kong's docker image sets the error logs to /dev/stderr: that is the console already, so no second copy there,
  // and /dev/stdout is written through fd 1 rather than opened (open() fails when stdout is a socket).
  const standardFd = opts.file === '/dev/stderr' ? 2 : opts.file === '/dev/stdout' ? 1 : undefined;
  if (opts.file && standardFd === undefined) {
    // the prefix (which holds the database and keys) when it does not exist yet: private to the gateway's user
    mkdirSync(dirname(opts.file), { recursive: true, mode: 0o700 });
    const file = pino.destination({ dest: opts.file, mkdir: true, sync: true });
    onReopen(() => file.reopen());
    streams.push({ level: 'trace', stream: file });
  } else if (standardFd !== undefined && standardFd !== fd) {
    streams.push({ level: 'trace', stream: pino.destination({ fd: standardFd, sync: true }) });
  }
  return pino(
    {
      name: opts.name,
      level: opts.level as LevelWithSilentOrString,
      customLevels: CUSTOM_LEVELS,
      useOnlyCustomLevels: false,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    pino.multistream(streams, { levels: { ...pino.levels.values, ...CUSTOM_LEVELS } }),
  ) as TollgateLogger;
}

/** A silent logger for tests and library defaults. */
export function nullLogger(): TollgateLogger {
  return pino({ level: 'silent', customLevels: CUSTOM_LEVELS }) as TollgateLogger;
}

// Loggers given to plugins: a silent default and an adapter over pino-style loggers.
import type { PluginLogger } from './types';

const noop = () => undefined;
export const silentLogger: PluginLogger = { debug: noop, info: noop, warn: noop, error: noop };

interface PinoLike {
  debug?(obj: unknown, msg?: string): void;
  info?(obj: unknown, msg?: string): void;
  notice?(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
}

/** Wraps a pino-style logger, prefixing the plugin name as Kong does (`[key-auth] ...`). */
export function pluginLogger(base: PinoLike, plugin?: string): PluginLogger {
  const prefix = plugin ? `[${plugin}] ` : '';
  return {
    debug: (msg, obj) => base.debug?.(obj ?? {}, prefix + msg),
    info: (msg, obj) => base.info?.(obj ?? {}, prefix + msg),
    notice: (msg, obj) => (base.notice !== undefined ? base.notice(obj ?? {}, prefix + msg) : base.info?.(obj ?? {}, prefix + msg)),
    warn: (msg, obj) => base.warn(obj ?? {}, prefix + msg),
    error: (msg, obj) => base.error(obj ?? {}, prefix + msg),
  };
}

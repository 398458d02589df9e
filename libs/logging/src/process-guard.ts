// The last line of defence of a serving process: an exception that escapes every request-level handler (a
// timer, an event emitter, a library callback) is logged as one line and the process keeps serving. Request
// handlers answer 500 for their own request first; this only catches what they cannot see.
interface ErrorSink {
  error(obj: unknown, msg?: string): void;
}

let installed: ErrorSink | null = null;

function describe(err: unknown): { err: string; code?: string } {
  const e = err as { stack?: unknown; code?: unknown } | null;
  const text = typeof e?.stack === 'string' ? e.stack : String(err);
  return typeof e?.code === 'string' ? { err: text, code: e.code } : { err: text };
}

/** Idempotent: the first logger wins (a traditional node runs the control plane and a status server together). */
export function guardProcess(logger: ErrorSink): void {
  if (installed !== null) return;
  installed = logger;
  process.on('uncaughtException', (err) => logger.error(describe(err), 'uncaught exception (the request it belonged to, if any, was cut)'));
  process.on('unhandledRejection', (reason) => logger.error(describe(reason), 'unhandled promise rejection'));
}

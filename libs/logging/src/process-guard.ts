// The last line of defence of a serving process: an exception that escapes every request-level handler (a
// timer, an event emitter, a library callback) is logged as one line and the process keeps serving. Request
// handlers answer 500 for their own request first; this only catches what they cannot see.
// And a regular expression that backtracks without end cannot hold the process: operators' and clients' patterns
// (route paths, ngx.re, plugin configs) run on V8's backtracking engine, where `~/r/(a+)+$` against 40 a's and a
// `!` takes hours; PCRE, Kong's, stops at its match limit. With V8's fallback, a match that backtracks more than
// 50,000 times finishes on its linear-time engine instead (patterns that engine cannot run, with backreferences or
// lookbehind, keep backtracking). Set at run time it applies to every expression not yet compiled.
import { setFlagsFromString } from 'node:v8';

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
  setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');
  process.on('uncaughtException', (err) => logger.error(describe(err), 'uncaught exception (the request it belonged to, if any, was cut)'));
  process.on('unhandledRejection', (reason) => logger.error(describe(reason), 'unhandled promise rejection'));
}

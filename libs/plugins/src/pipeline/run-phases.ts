// The phase runner. rewrite and access may be async (a Redis call); everything from header_filter on is
// synchronous; log runs on setImmediate after the response finished, so it can never delay it.
import type { ChainEntry } from '../chains';
import type { PhaseResult } from '../types';
import type { PluginRun } from './plugin-run';

const isPromise = (v: PhaseResult): v is Promise<void> => v !== undefined && typeof (v as Promise<void>).then === 'function';

/** rewrite (global plugins only, as Kong) then access. Returns a promise only if some handler was async. */
export function runAccessPhases(run: PluginRun): PhaseResult {
  const rewrite = runRewriteFrom(run, 0);
  if (isPromise(rewrite)) return rewrite.then(() => runAccessFrom(run, 0));
  return runAccessFrom(run, 0);
}

function runRewriteFrom(run: PluginRun, start: number): PhaseResult {
  const entries = run.firstChain.entries;
  for (let i = start; i < entries.length; i++) {
    if (run.response.exited) return;
    const e = entries[i];
    if (!e.global || !e.handler.rewrite || !e.protocols.has(run.host.protocol)) continue;
    const result = guard(run, e, 'rewrite', () => e.handler.rewrite!(run, e.conf));
    if (isPromise(result)) return result.then(() => runRewriteFrom(run, i + 1));
  }
}

function runAccessFrom(run: PluginRun, start: number): PhaseResult {
  let entries = run.chain.entries;
  for (let i = start; i < entries.length; i++) {
    if (run.response.exited) return;
    const e = entries[i];
    if (!e.handler.access || !e.protocols.has(run.host.protocol)) continue;
    const result = guard(run, e, 'access', () => e.handler.access!(run, e.conf));
    if (isPromise(result)) return result.then(() => runAccessFrom(run, afterAuthentication(run, e, i) + 1));
    const before = run.chain;
    const next = afterAuthentication(run, e, i);
    if (run.chain !== before) {
      entries = run.chain.entries;
      i = next;
    }
  }
}

/** Kong re-resolves the remaining plugins once a plugin chose the consumer. Returns the index to continue after. */
function afterAuthentication(run: PluginRun, e: ChainEntry, i: number): number {
  if (!run.consumerChanged) return i;
  run.consumerChanged = false;
  const next = run.chains.lookup(run.route?.id ?? null, run.service?.id ?? null, run.consumer?.id ?? null);
  if (next === run.chain) return i;
  run.chain = next;
  run.switchRank = e.rank;
  const entries = next.entries;
  let j = 0;
  while (j < entries.length && entries[j].rank <= e.rank) j++;
  return j - 1;
}

/** A throwing plugin ends the request with Kong's 500, never the process. */
function guard(run: PluginRun, e: ChainEntry, phase: string, fn: () => PhaseResult): PhaseResult {
  try {
    const result = fn();
    if (isPromise(result)) return result.catch((err) => fail(run, e, phase, err));
  } catch (err) {
    fail(run, e, phase, err);
  }
}

function fail(run: PluginRun, e: ChainEntry, phase: string, err: unknown): void {
  run.log.error(`[${e.name}] ${phase} failed`, { err: (err as Error)?.stack ?? String(err) });
  if (!run.response.exited && phase !== 'log') run.response.error(500, 'An unexpected error occurred');
}

/** header_filter over the final response headers (mutated in place). */
export function runHeaderFilter(run: PluginRun, status: number, headers: Record<string, string | string[] | number | undefined>): void {
  run.response.attach(status, headers);
  run.forEachEntry((e) => {
    if (e.handler.header_filter) syncPhase(run, e, 'header_filter', () => e.handler.header_filter!(run, e.conf));
  });
}

/** body_filter over the whole buffered body; returns the body to send. */
export function runBodyFilter(run: PluginRun, body: Buffer): Buffer {
  run.response.body = body;
  run.forEachEntry((e) => {
    if (e.handler.body_filter) syncPhase(run, e, 'body_filter', () => e.handler.body_filter!(run, e.conf));
  });
  return run.response.body ?? body;
}

/** Schedules the log phase after the response finished. */
export function scheduleLog(run: PluginRun): void {
  setImmediate(runLog, run);
}

function runLog(run: PluginRun): void {
  run.forEachEntry((e) => {
    if (e.handler.log) syncPhase(run, e, 'log', () => e.handler.log!(run, e.conf));
  });
}

function syncPhase(run: PluginRun, e: ChainEntry, phase: string, fn: () => void): void {
  try {
    fn();
  } catch (err) {
    run.log.error(`[${e.name}] ${phase} failed`, { err: (err as Error)?.stack ?? String(err) });
  }
}

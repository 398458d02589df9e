// The phase runner. rewrite and access may be async (a Redis call); everything from header_filter on is
// synchronous; log runs on setImmediate after the response finished, so it can never delay it.
// hot path: handlers are called directly (no closure per entry); a promise is awaited only when one is returned.
import type { SecureContext } from 'node:tls';
import type { ChainEntry, PluginChains } from '../chains';
import type { CertificateHandshake, PhaseResult, PluginHandler } from '../types';
import { PROXY_ERRORS } from '@tollgate/errors';
import { RequestBodyTooLarge } from './host';
import type { PluginRun } from './plugin-run';

const isPromise = (v: PhaseResult): v is Promise<void> => v !== undefined && typeof (v as Promise<void>).then === 'function';

/** rewrite (global plugins only, as Kong) then access. Returns a promise only if some handler was async. */
export function runAccessPhases(run: PluginRun): PhaseResult {
  if (run.trace !== null) run.trace.accessStart = performance.now();
  if (run.firstChain.hasRewrite === false) return runAccessFrom(run, 0);
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
    let result: PhaseResult;
    const span = run.trace !== null && run.trace.wantsPluginSpan('rewrite') ? run.trace.startPluginSpan('rewrite', e.name) : null;
    try {
      result = e.handler.rewrite(run, e.conf);
    } catch (err) {
      if (span !== null) run.trace!.endSpan(span);
      fail(run, e, 'rewrite', err);
      continue;
    }
    if (isPromise(result)) {
      return result.catch((err) => fail(run, e, 'rewrite', err)).then(() => {
        if (span !== null) run.trace!.endSpan(span);
        return runRewriteFrom(run, i + 1);
      });
    }
    if (span !== null) run.trace!.endSpan(span);
  }
}

function runAccessFrom(run: PluginRun, start: number): PhaseResult {
  let entries = run.chain.entries;
  for (let i = start; i < entries.length; i++) {
    if (run.response.exited) return;
    const e = entries[i];
    if (!e.handler.access || !e.protocols.has(run.host.protocol)) continue;
    let result: PhaseResult;
    const span = run.trace !== null && run.trace.wantsPluginSpan('access') ? run.trace.startPluginSpan('access', e.name) : null;
    try {
      result = e.handler.access(run, e.conf);
    } catch (err) {
      fail(run, e, 'access', err);
      result = undefined;
    }
    if (isPromise(result)) {
      return result.catch((err) => fail(run, e, 'access', err)).then(() => {
        if (span !== null) run.trace!.endSpan(span);
        return runAccessFrom(run, afterAuthentication(run, e, i) + 1);
      });
    }
    if (span !== null) run.trace!.endSpan(span);
    if (!run.consumerChanged) continue;
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
  if (run.chains.consumerScoped === false) return i; // the same chain for every consumer: no lookup
  const next = run.chains.lookup(run.route?.id ?? null, run.service?.id ?? null, run.consumer?.id ?? null);
  if (next === run.chain) return i;
  run.chain = next;
  run.switchRank = e.rank;
  const entries = next.entries;
  let j = 0;
  while (j < entries.length && entries[j].rank <= e.rank) j++;
  return j - 1;
}

function fail(run: PluginRun, e: ChainEntry, phase: string, err: unknown): void {
  if (err instanceof RequestBodyTooLarge) {
    run.log.error(`[${e.name}] ${err.message}`);
    const tooLarge = PROXY_ERRORS.PAYLOAD_TOO_LARGE;
    if (!run.response.exited) run.response.error(tooLarge.status, tooLarge.message);
    return;
  }
  run.log.error(`[${e.name}] ${phase} failed`, { err: (err as Error)?.stack ?? String(err) });
  if (!run.response.exited && phase !== 'log') run.response.error(500, 'An unexpected error occurred');
}

type SyncPhase = 'header_filter' | 'body_filter' | 'log';

/** Runs one synchronous phase over every entry that ran in this request (PluginRun.forEachEntry's order). */
function runSyncPhase(run: PluginRun, phase: SyncPhase): void {
  const protocol = run.host.protocol;
  const first = run.firstChain.entries;
  const switchRank = run.switchRank;
  for (let i = 0; i < first.length; i++) {
    const e = first[i];
    if (e.rank <= switchRank && e.protocols.has(protocol) && !callSync(run, e, phase)) return;
  }
  if (run.chain === run.firstChain) return;
  const rest = run.chain.entries;
  for (let i = 0; i < rest.length; i++) {
    const e = rest[i];
    if (e.rank > switchRank && e.protocols.has(protocol) && !callSync(run, e, phase)) return;
  }
}

/**
 * One plugin's handler for a synchronous phase; false when it threw in a filter phase. Kong calls header_filter and
 * body_filter handlers unprotected: a Lua error ends the phase (the later plugins do not run) and fails the request.
 * Here the host fails it with Kong's 500 while the head has not left, and cuts the connection once it has
 * (ResponseView.failedPhase). A log handler's error ends nothing: the other log plugins still run.
 */
function callSync(run: PluginRun, e: ChainEntry, phase: SyncPhase): boolean {
  const handler: PluginHandler = e.handler;
  const fn = handler[phase];
  if (fn === undefined) return true;
  const span = phase === 'header_filter' && run.trace !== null && run.trace.wantsPluginSpan('header_filter') ? run.trace.startPluginSpan('header_filter', e.name) : null;
  let ok = true;
  try {
    fn.call(handler, run, e.conf);
  } catch (err) {
    run.log.error(`[${e.name}] ${phase} failed`, { err: (err as Error)?.stack ?? String(err) });
    if (phase !== 'log') {
      run.response.fail(phase);
      ok = false;
    }
  }
  if (span !== null) run.trace!.endSpan(span);
  return ok;
}

/** header_filter over the final response headers (mutated in place). */
export function runHeaderFilter(run: PluginRun, status: number, headers: Record<string, string | string[] | number | undefined>): void {
  run.response.attach(status, headers);
  if (run.trace !== null) markHeaderFilter(run);
  if (run.firstChain.hasHeaderFilter === false && run.chain.hasHeaderFilter === false) return;
  runSyncPhase(run, 'header_filter');
}

function markHeaderFilter(run: PluginRun): void {
  const t = run.trace!;
  t.headerFilterStart = performance.now();
  if (t.accessEnd === 0) t.accessEnd = t.headerFilterStart;
}

/** body_filter over the whole buffered body; returns the body to send. */
export function runBodyFilter(run: PluginRun, body: Buffer): Buffer {
  run.response.body = body;
  if (run.firstChain.hasBodyFilter !== false || run.chain.hasBodyFilter !== false) runSyncPhase(run, 'body_filter');
  return run.response.body ?? body;
}

/** Schedules the log phase after the response finished (nothing to schedule when no chain has a log handler). */
export function scheduleLog(run: PluginRun): void {
  if (run.hasLogPhase) setImmediate(runLog, run);
}

function runLog(run: PluginRun): void {
  runSyncPhase(run, 'log');
}

/**
 * Kong's certificate phase, on every handshake (`serverName` '' when the client sent no SNI): the global plugins
 * that have one, in priority order; when the SNI table has no certificate for the name (`known` false) the first
 * certificate returned wins.
 * null (synchronously) when every plugin finished synchronously without a certificate: the handshake goes on
 * without waiting. A plugin that throws fails this handshake (nginx's ssl_certificate_by_lua on a Lua error).
 */
export function runCertificatePhase(
  chains: PluginChains | null | undefined,
  serverName: string,
  handshake: CertificateHandshake = { known: false },
): Promise<SecureContext | null> | null {
  const all = chains?.certificate;
  if (!all || all.length === 0) return null;
  const entries = all.filter(handshake.stream === true ? (e) => e.protocols.has('tls') : (e) => e.protocols.has('https') || e.protocols.has('grpcs'));
  if (entries.length === 0) return null;
  const known = handshake.known;
  for (let i = 0; i < entries.length; i++) {
    let result: Promise<SecureContext | null> | SecureContext | null;
    try {
      result = entries[i].handler.certificate!(serverName, entries[i].conf, handshake);
    } catch (err) {
      return Promise.reject(err);
    }
    if (result !== null && typeof (result as Promise<unknown>).then === 'function') {
      return (result as Promise<SecureContext | null>).then((ctx) => (ctx && !known ? ctx : continueCertificate(entries, i + 1, serverName, handshake)));
    }
    if (result && !known) return Promise.resolve(result as SecureContext);
  }
  return null;
}

async function continueCertificate(entries: readonly ChainEntry[], start: number, serverName: string, handshake: CertificateHandshake): Promise<SecureContext | null> {
  for (let i = start; i < entries.length; i++) {
    const ctx = await entries[i].handler.certificate!(serverName, entries[i].conf, handshake);
    if (ctx && !handshake.known) return ctx;
  }
  return null;
}

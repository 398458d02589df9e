// The request a Lua call is running for. Calls are synchronous, so one module-level slot is enough: it is set
// just before a snippet or template runs and cleared right after, and host functions read it.
import type { PluginRun } from '../pipeline/plugin-run';

export type LuaPhase = 'certificate' | 'rewrite' | 'access' | 'header_filter' | 'body_filter' | 'log' | 'template';

export interface ActiveCall {
  readonly run: PluginRun;
  /** Plugin entity id: the key of kong.ctx.plugin. */
  readonly pluginId: string;
  readonly phase: LuaPhase;
  /** The client body, when the snippet reads it (read before the call: Lua cannot wait). */
  readonly body: Buffer | null;
  /** A request-transformer template: what its headers and query_params read (taken before the plugin's changes). */
  readonly template?: { readonly headers: Record<string, unknown>; readonly query: ReadonlyMap<string, readonly string[]> };
}

let active: ActiveCall | null = null;

export function setActive(call: ActiveCall | null): void {
  active = call;
}

/** The running call; host functions are only reachable from inside one. */
export function current(): ActiveCall {
  if (active === null) throw new Error('no Lua call is running');
  return active;
}

/**
 * Charges a host function's own work to the running call's instruction budget (one unit per Lua instruction it
 * stands for), raising the budget's Lua error when it is spent: work done in JavaScript counts no Lua instruction,
 * and one call could otherwise hold the worker for seconds. The VM installs the charger.
 */
let charger: ((L: unknown, units: number) => void) | null = null;

export function setHostWorkCharger(charge: (L: unknown, units: number) => void): void {
  charger = charge;
}

export function chargeHostWork(L: unknown, units: number): void {
  charger?.(L, units);
}

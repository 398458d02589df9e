// Kong's `untrusted_lua` node settings, read by the Lua VM, the serverless plugins' schema checks and the
// request-transformer templates. Set once per process at start (configureLua), as Kong reads kong.configuration.
export type UntrustedLua = 'on' | 'off' | 'sandbox';

export interface LuaSettings {
  readonly untrustedLua: UntrustedLua;
  /** Modules `require` may load inside the sandbox (untrusted_lua_sandbox_requires). */
  readonly sandboxRequires: readonly string[];
  /** kong.node.get_id() */
  readonly nodeId: string | null;
  /** ngx.worker.count() */
  readonly workerProcesses: number;
}

let current: LuaSettings = { untrustedLua: 'sandbox', sandboxRequires: [], nodeId: null, workerProcesses: 1 };

export interface LuaSettingsSource {
  readonly untrusted_lua?: string | null;
  readonly untrusted_lua_sandbox_requires?: readonly string[] | null;
  readonly node_id?: string | null;
  readonly worker_processes?: number | string | null;
}

export function configureLua(settings: LuaSettingsSource): void {
  const mode = settings.untrusted_lua;
  current = Object.freeze({
    untrustedLua: mode === 'on' || mode === 'off' ? mode : 'sandbox',
    sandboxRequires: Object.freeze([...(settings.untrusted_lua_sandbox_requires ?? [])]),
    nodeId: settings.node_id ?? current.nodeId,
    workerProcesses: typeof settings.worker_processes === 'number' ? settings.worker_processes : current.workerProcesses,
  });
}

export function luaSettings(): LuaSettings {
  return current;
}

/** Kong's message when Lua code is configured but `untrusted_lua = off`. */
export const LUA_DISABLED = "loading of untrusted Lua code disabled because 'untrusted_lua' config option is set to 'off'";

// What Lua keeps per request: the tables behind kong.ctx.shared / kong.ctx.plugin / ngx.ctx, and what ngx.say
// and ngx.status collected. Lives beside the PluginRun (WeakMap); its Lua table is freed when the run is garbage.
import type { PluginRun } from '../pipeline/plugin-run';
import { lauxlib, lua, type LuaState } from './fengari';

export interface LuaRequestState {
  /** Registry ref of { shared = {}, ngx_ctx = {}, plugin = {} }, or -1 until a snippet uses one. */
  tables: number;
  said: string[] | null;
  status: number | null;
  /** What ngx.req.set_uri made $uri (nginx's current URI), or null for the request's own path. */
  uri: string | null;
}

const states = new WeakMap<PluginRun, LuaRequestState>();
const freed = new FinalizationRegistry<{ L: LuaState; ref: number }>(({ L, ref }) => lauxlib.luaL_unref(L, lua.LUA_REGISTRYINDEX, ref));

export function requestState(run: PluginRun): LuaRequestState {
  let s = states.get(run);
  if (s === undefined) states.set(run, (s = { tables: -1, said: null, status: null, uri: null }));
  return s;
}

/** Pushes the request's table `kind` ('shared', 'ngx_ctx', 'plugin'), creating the holder on first use. */
export function pushRequestTables(L: LuaState, run: PluginRun): void {
  const s = requestState(run);
  if (s.tables === -1) {
    lua.lua_createtable(L, 0, 3);
    lua.lua_newtable(L);
    lua.lua_setfield(L, -2, 'ngx_ctx');
    lua.lua_newtable(L);
    lua.lua_setfield(L, -2, 'plugin');
    lua.lua_pushvalue(L, -1);
    s.tables = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
    freed.register(run, { L, ref: s.tables });
    return;
  }
  lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, s.tables);
}

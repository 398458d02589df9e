// The PDK tables Lua code sees (`kong`, `ngx`) built from the host functions, plus the helpers the prelude
// calls. SURFACE is the one list of what Tollgate provides: the tables are built from it and the config-time
// check of snippets reads it.
import { current } from './active';
import { fromLua, lauxlib, lua, toLua, type HostFunction, type LuaState } from './fengari';
import { ngxFunctions, NGX_CONSTANTS } from './pdk-ngx';
import { ngxReFunctions } from './pdk-ngx-re';
import { NGX_CONFIG, ngxUtilFunctions, ngxWorkerFunctions } from './pdk-ngx-util';
import { KONG_COMPATIBLE_VERSION } from '@tollgate/config/node-identity';
import { pushCaptures, pushHeaders, queryTable, requestFunctions, serviceRequestFunctions } from './pdk-request';
import { clientFunctions, logFunctions, nodeFunctions, responseFunctions, routerFunctions, serviceFunctions, serviceResponseFunctions } from './pdk-response';
import { pushRequestTables } from './request-state';
import { checkString, NGX_NULL, pushValue, toValue } from './values';

/** Registry key of the value kong.response.exit / ngx.exit raise to end a snippet early. */
export const EXIT_KEY = { name: 'tollgate.lua.exit' };

/** A name whose fields are not fixed (ngx.var.*, kong.ctx.shared.*), or a plain value (ngx.status, ngx.HTTP_OK). */
export type SurfaceLeaf = 'open' | 'value' | HostFunction;
export interface SurfaceTable { readonly [name: string]: SurfaceLeaf | SurfaceTable }

/** kong.version_num: Kong's major * 1000000 + minor * 1000 + patch. */
const versionNum = (v: string) => v.split('.').map(Number).reduce((n, part, i) => n + part * [1_000_000, 1_000, 1][i], 0);

/** The plain values of SURFACE that are not ngx's numeric constants, by their dotted path. */
const VALUES: Readonly<Record<string, (L: LuaState) => void>> = {
  'kong.version': (L) => { lua.lua_pushstring(L, toLua(KONG_COMPATIBLE_VERSION)); },
  'kong.version_num': (L) => { lua.lua_pushinteger(L, versionNum(KONG_COMPATIBLE_VERSION)); },
  'ngx.null': (L) => { lua.lua_pushlightuserdata(L, NGX_NULL); },
  'ngx.config.subsystem': (L) => { lua.lua_pushstring(L, toLua(NGX_CONFIG.subsystem)); },
  'ngx.config.debug': (L) => { lua.lua_pushboolean(L, NGX_CONFIG.debug); },
  'ngx.config.nginx_version': (L) => { lua.lua_pushinteger(L, NGX_CONFIG.nginx_version); },
  'ngx.config.ngx_lua_version': (L) => { lua.lua_pushinteger(L, NGX_CONFIG.ngx_lua_version); },
};

let headersMtRef = -1;
const headersMt = () => headersMtRef;

const raiseExit = (L: LuaState): number => {
  lua.lua_rawgetp(L, lua.LUA_REGISTRYINDEX, EXIT_KEY);
  return lua.lua_error(L);
};

function buildSurface(): { surface: SurfaceTable; host: Record<string, HostFunction> } {
  const ngx = ngxFunctions(raiseExit, headersMt);
  const constants = Object.fromEntries(Object.keys(NGX_CONSTANTS).map((k) => [k, 'value' as const]));
  const response = responseFunctions(raiseExit);
  const surface: SurfaceTable = {
    kong: {
      version: 'value',
      version_num: 'value',
      request: requestFunctions(headersMt),
      service: { request: serviceRequestFunctions(), response: serviceResponseFunctions(response), ...serviceFunctions() },
      response,
      client: clientFunctions(),
      ctx: { shared: 'open', plugin: 'open' },
      log: logFunctions(),
      router: routerFunctions(),
      node: nodeFunctions(),
      table: tableFunctions(),
      ip: {
        is_trusted: (L) => {
          const ip = checkString(L, 1);
          const host = current().run.host;
          lua.lua_pushboolean(L, host.isTrusted !== undefined && host.isTrusted(ip));
          return 1;
        },
      },
      nginx: { get_subsystem: (L) => { lua.lua_pushstring(L, toLua('http')); return 1; } },
      plugin: { get_id: (L) => { lua.lua_pushstring(L, toLua(current().pluginId)); return 1; } },
    },
    ngx: {
      ...ngx.ngx, ...ngxUtilFunctions(), ...constants, req: ngx.req, resp: ngx.resp, re: ngxReFunctions(), var: 'open', ctx: 'open', status: 'value', null: 'value',
      config: { subsystem: 'value', debug: 'value', nginx_version: 'value', ngx_lua_version: 'value' },
      worker: ngxWorkerFunctions(),
    },
  };
  return { surface, host: { ...ngx.host, ...requestTableFunctions(), ...templateFunctions() } };
}

/**
 * kong.table: new(narr, nrec) preallocates (LuaJIT's table.new), clear(t) empties a table in place, merge(t1, t2)
 * is a new table with t1's fields, then t2's over them (Kong's table_merge: either may be nil; shallow).
 */
function tableFunctions(): Record<string, HostFunction> {
  return {
    merge: (L) => {
      lua.lua_settop(L, 2);
      lua.lua_newtable(L);
      for (const from of [1, 2]) {
        if (!lua.lua_toboolean(L, from)) continue;
        // pairs() honours __pairs, as Kong's loop does; a non-table is pairs's own error
        lua.lua_getglobal(L, toLua('pairs'));
        lua.lua_pushvalue(L, from);
        lua.lua_call(L, 1, 3);
        for (;;) {
          lua.lua_pushvalue(L, -3);
          lua.lua_pushvalue(L, -3);
          lua.lua_pushvalue(L, -3);
          lua.lua_call(L, 2, 2);
          if (lua.lua_type(L, -2) === lua.LUA_TNIL) {
            lua.lua_pop(L, 5);
            break;
          }
          // stack: res, iter, state, control, k, v
          lua.lua_pushvalue(L, -2);
          lua.lua_pushvalue(L, -2);
          lua.lua_settable(L, 3);
          lua.lua_pop(L, 1);
          lua.lua_replace(L, -2);
        }
      }
      return 1;
    },
    new: (L) => {
      lua.lua_createtable(L, Math.max(0, lauxlib.luaL_optinteger(L, 1, 0)), Math.max(0, lauxlib.luaL_optinteger(L, 2, 0)));
      return 1;
    },
    clear: (L) => {
      lauxlib.luaL_checktype(L, 1, lua.LUA_TTABLE);
      // assigning nil to a field being traversed is allowed (Lua 5.x's next)
      lua.lua_pushnil(L);
      while (lua.lua_next(L, 1) !== 0) {
        lua.lua_pop(L, 1);
        lua.lua_pushvalue(L, -1);
        lua.lua_pushnil(L);
        lua.lua_rawset(L, 1);
      }
      return 0;
    },
  };
}

export const SURFACE: SurfaceTable = buildSurface().surface;

/** Pushes the prelude's `host` table and returns the paths of the tables whose unknown names are errors. */
export function buildPdk(L: LuaState): string[] {
  // registry refs cached at module level belong to one state: a new VM starts over
  sharedMt = -1;
  lazyMts = null;
  const { surface, host } = buildSurface();
  lua.lua_newtable(L);
  lua.lua_rawsetp(L, lua.LUA_REGISTRYINDEX, EXIT_KEY);

  lua.lua_createtable(L, 0, 2);
  lua.lua_pushcfunction(L, headersIndex);
  lua.lua_setfield(L, -2, '__index');
  headersMtRef = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);

  lua.lua_newtable(L); // host
  for (const [name, fn] of Object.entries(host)) {
    lua.lua_pushcfunction(L, fn);
    lua.lua_setfield(L, -2, name);
  }
  lua.lua_newtable(L); // host.tables: every PDK table under its dotted path
  const tables = lua.lua_gettop(L);
  const strict: string[] = [];
  const register = (path: string) => {
    lua.lua_pushvalue(L, -1);
    lua.lua_setfield(L, tables, path);
  };
  const build = (path: string, node: SurfaceTable) => {
    lua.lua_newtable(L);
    register(path);
    if (path !== 'kong.ctx') strict.push(path);
    for (const [name, leaf] of Object.entries(node)) {
      if (leaf === 'open') {
        // ngx.ctx and kong.ctx.* are per-request tables served by their parent's __index
        if ((path === 'ngx' && name === 'ctx') || path === 'kong.ctx') continue;
        lua.lua_newtable(L);
        register(`${path}.${name}`);
      } else if (leaf === 'value') {
        const push = VALUES[`${path}.${name}`];
        const v = path === 'ngx' ? NGX_CONSTANTS[name] : undefined;
        if (push !== undefined) push(L);
        else if (v !== undefined) lua.lua_pushinteger(L, v);
        else continue;
      } else if (typeof leaf === 'function') {
        lua.lua_pushcfunction(L, leaf);
      } else {
        build(`${path}.${name}`, leaf);
      }
      lua.lua_setfield(L, -2, name);
    }
  };
  for (const [root, node] of Object.entries(surface)) {
    build(root, node as SurfaceTable);
    lua.lua_pop(L, 1);
  }
  lua.lua_setfield(L, -2, 'tables');
  return strict;
}

/** __index of get_headers tables: `headers.X_Api_Key` finds "x-api-key". */
const headersIndex: HostFunction = (L) => {
  if (lua.lua_type(L, 2) !== lua.LUA_TSTRING) return 0;
  const key = fromLua(lua.lua_tolstring(L, 2));
  const normal = key.toLowerCase().replace(/_/g, '-');
  if (normal === key) return 0;
  lua.lua_pushstring(L, toLua(normal));
  lua.lua_rawget(L, 1);
  return 1;
};

/** Pushes kong.ctx.shared, kong.ctx.plugin (this plugin's) or ngx.ctx of the running request. */
function pushRequestTable(L: LuaState, kind: string): void {
  const call = current();
  pushRequestTables(L, call.run);
  const holder = lua.lua_gettop(L);
  if (kind === 'plugin') {
    lua.lua_getfield(L, holder, 'plugin');
    if (lua.lua_getfield(L, -1, call.pluginId) === lua.LUA_TNIL) {
      lua.lua_pop(L, 1);
      lua.lua_newtable(L);
      lua.lua_pushvalue(L, -1);
      lua.lua_setfield(L, -3, call.pluginId);
    }
  } else if (lua.lua_getfield(L, holder, kind) === lua.LUA_TNIL) {
    lua.lua_pop(L, 1);
    lua.lua_newtable(L);
    if (kind === 'shared') {
      lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, sharedMtRef(L));
      lua.lua_setmetatable(L, -2);
    }
    lua.lua_pushvalue(L, -1);
    lua.lua_setfield(L, holder, kind);
  }
  lua.lua_replace(L, holder);
  lua.lua_settop(L, holder);
}

let sharedMt = -1;
/** kong.ctx.shared is also the JS plugins' ctx: values a JS plugin stored are readable, and writes reach it. */
function sharedMtRef(L: LuaState): number {
  if (sharedMt !== -1) return sharedMt;
  lua.lua_createtable(L, 0, 2);
  lua.lua_pushcfunction(L, (S: LuaState) => {
    const key = lua.lua_type(S, 2) === lua.LUA_TSTRING ? fromLua(lua.lua_tolstring(S, 2)) : null;
    pushValue(S, key === null ? undefined : current().run.ctx[key]);
    return 1;
  });
  lua.lua_setfield(L, -2, '__index');
  lua.lua_pushcfunction(L, (S: LuaState) => {
    if (lua.lua_type(S, 2) === lua.LUA_TSTRING) current().run.ctx[fromLua(lua.lua_tolstring(S, 2))] = toValue(S, 3);
    lua.lua_rawset(S, 1);
    return 0;
  });
  lua.lua_setfield(L, -2, '__newindex');
  sharedMt = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
  return sharedMt;
}

function requestTableFunctions(): Record<string, HostFunction> {
  return {
    request_table: (L) => { pushRequestTable(L, fromLua(lauxlib.luaL_checklstring(L, 1))); return 1; },
    replace_table: (L) => {
      const kind = fromLua(lauxlib.luaL_checklstring(L, 1));
      lauxlib.luaL_checktype(L, 2, lua.LUA_TTABLE);
      pushRequestTables(L, current().run);
      lua.lua_pushvalue(L, 2);
      lua.lua_setfield(L, -2, kind);
      return 0;
    },
  };
}

/**
 * A template's headers / query_params: an empty table whose lookups read the snapshot one name at a time
 * (most templates read one or two names; converting every header per request would dominate their cost).
 * pairs() still sees every entry (__pairs).
 */
let lazyMts: Record<'headers' | 'query', number> | null = null;

function templateSource(kind: 'headers' | 'query'): Record<string, unknown> {
  const call = current();
  const t = call.template ?? { headers: call.run.request.upstreamHeaders() as Record<string, unknown>, query: call.run.request.getQuery() };
  return kind === 'headers' ? t.headers : queryTable(t.query);
}

function pushLazy(L: LuaState, kind: 'headers' | 'query'): void {
  if (lazyMts === null) {
    const make = (k: 'headers' | 'query'): number => {
      lua.lua_createtable(L, 0, 2);
      lua.lua_pushcfunction(L, (S: LuaState) => {
        if (lua.lua_type(S, 2) !== lua.LUA_TSTRING) return 0;
        const name = fromLua(lua.lua_tolstring(S, 2));
        const source = templateSource(k);
        pushValue(S, k === 'headers' ? source[name.toLowerCase().replace(/_/g, '-')] ?? source[name] : source[name]);
        return 1;
      });
      lua.lua_setfield(L, -2, '__index');
      lua.lua_pushcfunction(L, (S: LuaState) => {
        lua.lua_getglobal(S, 'next');
        pushValue(S, k === 'headers' ? stripPseudoHeaders(templateSource(k)) : templateSource(k));
        lua.lua_pushnil(S);
        return 3;
      });
      lua.lua_setfield(L, -2, '__pairs');
      return lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
    };
    lazyMts = { headers: make('headers'), query: make('query') };
  }
  lua.lua_newtable(L);
  lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, lazyMts[kind]);
  lua.lua_setmetatable(L, -2);
}

const stripPseudoHeaders = (h: Record<string, unknown>) => Object.fromEntries(Object.entries(h).filter(([k]) => !k.startsWith(':')));

function templateFunctions(): Record<string, HostFunction> {
  return {
    tpl_headers: (L) => { pushLazy(L, 'headers'); return 1; },
    tpl_query: (L) => { pushLazy(L, 'query'); return 1; },
    tpl_captures: (L) => { pushCaptures(L, 'all'); return 1; },
    tpl_shared: (L) => { pushRequestTable(L, 'shared'); return 1; },
  };
}

/** Values of a Lua table arg as JS (used by tests of the bridge). */
export const luaTableToJs = toValue;

// Moving values between JavaScript and the Lua stack. Lua strings are bytes: UTF-8 both ways.
import { fromLua, lauxlib, lua, toLua, type LuaState } from './fengari';

const MAX_DEPTH = 32;

export function pushString(L: LuaState, s: string): void {
  lua.lua_pushstring(L, toLua(s));
}

/** A JS value as a Lua value: objects and Maps become tables, arrays sequences; undefined/null nil. */
export function pushValue(L: LuaState, v: unknown, depth = 0): void {
  if (v === undefined || v === null) return lua.lua_pushnil(L);
  switch (typeof v) {
    case 'string': return pushString(L, v);
    case 'number': return Number.isInteger(v) ? lua.lua_pushinteger(L, v) : lua.lua_pushnumber(L, v);
    case 'boolean': return lua.lua_pushboolean(L, v);
    case 'bigint': return lua.lua_pushnumber(L, Number(v));
    default: break;
  }
  if (depth > MAX_DEPTH) return lua.lua_pushnil(L);
  // a copy: Lua keeps the bytes it is given, and a Buffer may be a view of Node's shared pool
  if (Buffer.isBuffer(v)) return lua.lua_pushstring(L, new Uint8Array(v));
  if (Array.isArray(v)) {
    lua.lua_createtable(L, v.length, 0);
    v.forEach((item, i) => {
      pushValue(L, item, depth + 1);
      lua.lua_rawseti(L, -2, i + 1);
    });
    return;
  }
  const entries = v instanceof Map ? [...v.entries()] : Object.entries(v as object);
  lua.lua_createtable(L, 0, entries.length);
  for (const [k, item] of entries) {
    if (item === undefined) continue;
    pushValue(L, item, depth + 1);
    lua.lua_setfield(L, -2, toLua(String(k)));
  }
}

/** The string at idx (numbers converted as Lua does), or undefined for anything else. */
export function optString(L: LuaState, idx: number): string | undefined {
  const t = lua.lua_type(L, idx);
  if (t === lua.LUA_TSTRING || t === lua.LUA_TNUMBER) return fromLua(lua.lua_tolstring(L, idx));
  return undefined;
}

/** Argument `idx` as a string, or a Lua argument error naming the function. */
export function checkString(L: LuaState, idx: number): string {
  return fromLua(lauxlib.luaL_checklstring(L, idx));
}

/** A Lua value as JS: tables with only 1..n keys become arrays, other tables objects; functions are dropped. */
export function toValue(L: LuaState, idx: number, depth = 0): unknown {
  switch (lua.lua_type(L, idx)) {
    case lua.LUA_TNIL: case lua.LUA_TNONE: return null;
    case lua.LUA_TBOOLEAN: return lua.lua_toboolean(L, idx);
    case lua.LUA_TNUMBER: return lua.lua_tonumber(L, idx);
    case lua.LUA_TSTRING: return fromLua(lua.lua_tolstring(L, idx));
    case lua.LUA_TTABLE: return depth > MAX_DEPTH ? null : tableValue(L, idx, depth);
    default: return undefined;
  }
}

function tableValue(L: LuaState, idx: number, depth: number): unknown {
  const abs = lua.lua_absindex(L, idx);
  const obj: Record<string, unknown> = {};
  const ints: unknown[] = [];
  let onlyInts = true;
  lua.lua_pushnil(L);
  while (lua.lua_next(L, abs) !== 0) {
    const value = toValue(L, -1, depth + 1);
    if (lua.lua_type(L, -2) === lua.LUA_TNUMBER && lua.lua_isinteger(L, -2)) {
      const k = lua.lua_tointeger(L, -2);
      ints[k - 1] = value;
      obj[String(k)] = value;
    } else {
      onlyInts = false;
      lua.lua_pushvalue(L, -2);
      obj[fromLua(lua.lua_tolstring(L, -1))] = value;
      lua.lua_pop(L, 1);
    }
    lua.lua_pop(L, 1);
  }
  if (onlyInts && ints.length > 0 && !ints.includes(undefined)) return ints;
  if (onlyInts && ints.length === 0) return {};
  return obj;
}

/** The message of a Lua error value (the stack top). */
export function errorText(L: LuaState, idx: number): string {
  const t = lua.lua_type(L, idx);
  if (t === lua.LUA_TSTRING || t === lua.LUA_TNUMBER) return fromLua(lua.lua_tolstring(L, idx));
  return `(error object is a ${fromLua(lua.lua_typename(L, t))} value)`;
}

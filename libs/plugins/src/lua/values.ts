// Moving values between JavaScript and the Lua stack. Lua strings are bytes: UTF-8 both ways.
import { fromLua, lauxlib, lua, toLua, type LuaState } from './fengari';

/** How deep tables go between JS and Lua: cjson's limit (encode_max_depth / decode_max_depth). */
export const MAX_DEPTH = 1000;

/** The pointer behind ngx.null (a light userdata, as OpenResty's): JSON's null both ways. */
export const NGX_NULL = Object.freeze({ name: 'ngx.null' });

export function pushString(L: LuaState, s: string): void {
  lua.lua_pushstring(L, toLua(s));
}

/** A JS value as a Lua value: objects and Maps become tables, arrays sequences; undefined/null nil. */
export function pushValue(L: LuaState, v: unknown, depth = 0): void {
  if (v === undefined || v === null) return lua.lua_pushnil(L);
  switch (typeof v) {
    case 'string': return pushString(L, v);
    // fengari's integers are 32-bit: a larger whole number (a time after 2038) is a float, as LuaJIT's every number
    case 'number': return (v | 0) === v ? lua.lua_pushinteger(L, v) : lua.lua_pushnumber(L, v);
    case 'boolean': return lua.lua_pushboolean(L, v);
    case 'bigint': return lua.lua_pushnumber(L, Number(v));
    default: break;
  }
  if (depth >= MAX_DEPTH) return lua.lua_pushnil(L);
  // a copy: Lua keeps the bytes it is given, and a Buffer may be a view of Node's shared pool
  if (Buffer.isBuffer(v)) return lua.lua_pushstring(L, new Uint8Array(v));
  // each level keeps its table on the stack while the next is built: a C function is only sure of 20 slots
  // (a JSON body 40 levels deep overflowed them, and the request failed with a bare "table value" error)
  lauxlib.luaL_checkstack(L, 3, toLua('value nested too deeply'));
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

/**
 * A Lua value as JS: tables with only 1..n keys become arrays, other tables objects (cjson's rules); a table with
 * the array metatable becomes the array of its 1..n; functions are dropped.
 */
export function toValue(L: LuaState, idx: number, depth = 0): unknown {
  return convert(L, idx, depth, false, new Set());
}

/** cjson's refusal of a value it cannot encode; the message is cjson's, which Kong puts in its own error. */
export class NotSerialisable extends Error {}

/**
 * A Lua value bound for JSON, as Kong's cjson.encode takes it: as toValue, but what cjson cannot encode (a
 * function, userdata or thread anywhere in it, a key that is neither a string nor a number, NaN or an infinity)
 * throws NotSerialisable with cjson's message instead of being dropped.
 */
export function jsonValue(L: LuaState, idx: number): unknown {
  return convert(L, idx, 0, true, null);
}

/**
 * `path`: the tables being converted around this one (toValue only): a table that contains itself converts the
 * inner reference as null instead of unrolling the cycle (`t.a = t; t.b = t` would double at every level). cjson
 * keeps no such set: a cycle is its "excessive nesting" error, reached depth first, one path long.
 */
function convert(L: LuaState, idx: number, depth: number, json: boolean, path: Set<unknown> | null): unknown {
  switch (lua.lua_type(L, idx)) {
    case lua.LUA_TNIL: case lua.LUA_TNONE: return null;
    case lua.LUA_TBOOLEAN: return lua.lua_toboolean(L, idx);
    case lua.LUA_TNUMBER: {
      const n = lua.lua_tonumber(L, idx);
      if (json && !Number.isFinite(n)) throw new NotSerialisable('Cannot serialise number: must not be NaN or Infinity');
      return n;
    }
    case lua.LUA_TSTRING: return fromLua(lua.lua_tolstring(L, idx));
    case lua.LUA_TTABLE: {
      // the table at `depth` is nesting level depth + 1
      if (depth >= MAX_DEPTH) {
        if (json) throw new NotSerialisable(`Cannot serialise, excessive nesting (${depth + 1})`);
        return null;
      }
      if (path === null) return tableValue(L, idx, depth, json, path);
      const self = lua.lua_topointer(L, idx);
      if (path.has(self)) return null;
      path.add(self);
      try {
        return tableValue(L, idx, depth, json, path);
      } finally {
        path.delete(self);
      }
    }
    case lua.LUA_TLIGHTUSERDATA: if (lua.lua_touserdata(L, idx) === NGX_NULL) return null;
    // falls through
    default:
      if (json) throw new NotSerialisable(`Cannot serialise ${fromLua(lua.lua_typename(L, lua.lua_type(L, idx)))}: type not supported`);
      return undefined;
  }
}

/** Registry key of Tollgate's cjson.array_mt: a table carrying it converts to the array of its 1..n, as cjson encodes it. */
const ARRAY_MT = { name: 'tollgate.lua.array_mt' };

/** Gives the table at `idx` the array metatable (Kong's get_uri_captures().unnamed: its [0] is the whole match). */
export function setArrayMetatable(L: LuaState, idx: number): void {
  const abs = lua.lua_absindex(L, idx);
  if (lua.lua_rawgetp(L, lua.LUA_REGISTRYINDEX, ARRAY_MT) !== lua.LUA_TTABLE) {
    lua.lua_pop(L, 1);
    lua.lua_newtable(L);
    lua.lua_pushvalue(L, -1);
    lua.lua_rawsetp(L, lua.LUA_REGISTRYINDEX, ARRAY_MT);
  }
  lua.lua_setmetatable(L, abs);
}

function hasArrayMetatable(L: LuaState, abs: number): boolean {
  if (!lua.lua_getmetatable(L, abs)) return false;
  lua.lua_rawgetp(L, lua.LUA_REGISTRYINDEX, ARRAY_MT);
  const same = lua.lua_rawequal(L, -1, -2);
  lua.lua_pop(L, 2);
  return Boolean(same);
}

function tableValue(L: LuaState, idx: number, depth: number, json: boolean, path: Set<unknown> | null): unknown {
  const abs = lua.lua_absindex(L, idx);
  // each level holds a key and a value on the stack while the next is read
  lauxlib.luaL_checkstack(L, 4, toLua('table nested too deeply'));
  if (hasArrayMetatable(L, abs)) {
    const items: unknown[] = [];
    for (let i = 1, n = lua.lua_rawlen(L, abs); i <= n; i++) {
      lua.lua_rawgeti(L, abs, i);
      items.push(convert(L, -1, depth + 1, json, path));
      lua.lua_pop(L, 1);
    }
    return items;
  }
  const obj: Record<string, unknown> = {};
  // 1..n keys only: counted, not stored in a JS array ({[1e9] = 1} would make one a billion holes long)
  let ints = 0;
  let maxInt = 0;
  let onlyInts = true;
  lua.lua_pushnil(L);
  while (lua.lua_next(L, abs) !== 0) {
    const value = convert(L, -1, depth + 1, json, path);
    const keyType = lua.lua_type(L, -2);
    if (json && keyType !== lua.LUA_TNUMBER && keyType !== lua.LUA_TSTRING) throw new NotSerialisable('Cannot serialise table: table key must be a number or string');
    if (keyType === lua.LUA_TNUMBER && lua.lua_isinteger(L, -2)) {
      const k = lua.lua_tointeger(L, -2);
      // as cjson: a key below 1 makes the table an object ({[0] = x} is {"0": x})
      if (k >= 1) {
        ints++;
        if (k > maxInt) maxInt = k;
      } else onlyInts = false;
      obj[String(k)] = value;
    } else {
      onlyInts = false;
      lua.lua_pushvalue(L, -2);
      obj[fromLua(lua.lua_tolstring(L, -1))] = value;
      lua.lua_pop(L, 1);
    }
    lua.lua_pop(L, 1);
  }
  if (onlyInts && ints > 0 && maxInt === ints) {
    const items: unknown[] = new Array(ints);
    for (let i = 0; i < ints; i++) items[i] = obj[String(i + 1)];
    return items;
  }
  if (onlyInts && ints === 0) return {};
  return obj;
}

/** The message of a Lua error value (the stack top). */
export function errorText(L: LuaState, idx: number): string {
  const t = lua.lua_type(L, idx);
  if (t === lua.LUA_TSTRING || t === lua.LUA_TNUMBER) return fromLua(lua.lua_tolstring(L, idx));
  return `(error object is a ${fromLua(lua.lua_typename(L, t))} value)`;
}

// Kong's PDK argument checks for headers (kong/pdk/private/checks.lua: validate_header, validate_headers), one
// place for kong.response.* and kong.service.request.* alike, with Kong's messages. A header name is only
// type-checked here: bytes a name cannot carry are escaped where the views store it (pipeline/header-name.ts), as
// OpenResty does under ngx.header / ngx.req.set_header, so a name with a line break is no error.
import { fromLua, lauxlib, lua, toLua, type LuaState } from './fengari';

/** Lua's type name of the value at idx (an absent argument is nil, as Kong's `type(x)` sees it). */
export function luaTypeName(L: LuaState, idx: number): string {
  const t = lua.lua_type(L, idx);
  return t === lua.LUA_TNONE ? 'nil' : fromLua(lua.lua_typename(L, t));
}

/**
 * The value at idx as LuaJIT's `string.format("%q", v)` writes it, which Kong's messages use: strings and numbers
 * quoted (", \ and a line break backslashed, other control bytes as \ddd); anything else is format's own error.
 */
export function quoted(L: LuaState, idx: number): string {
  const t = lua.lua_type(L, idx);
  if (t !== lua.LUA_TSTRING && t !== lua.LUA_TNUMBER) {
    return lauxlib.luaL_error(L, toLua(`bad argument #2 to 'format' (string expected, got ${luaTypeName(L, idx)})`));
  }
  lua.lua_pushvalue(L, idx); // lua_tolstring converts a number in place: convert a copy
  const text = fromLua(lua.lua_tolstring(L, -1));
  lua.lua_pop(L, 1);
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 || c === 0x5c || c === 0x0a) out += '\\' + text[i];
    else if (c < 0x20 || c === 0x7f) out += '\\' + (/[0-9]/.test(text[i + 1] ?? '') ? String(c).padStart(3, '0') : String(c));
    else out += text[i];
  }
  return out + '"';
}

/** Lua's tostring of a number or boolean (a header value Kong converts). */
function scalarText(L: LuaState, idx: number): string {
  const text = fromLua(lauxlib.luaL_tolstring(L, idx));
  lua.lua_pop(L, 1);
  return text;
}

/**
 * A header value table's array part, as Kong reads it with ipairs (1.. up to the first nil; other keys ignored, so
 * `{ b = 1 }` is an empty list): each item must be a string, else Kong's message naming the header at nameIdx.
 */
function stringArray(L: LuaState, valueIdx: number, nameIdx: number): string[] {
  const items: string[] = [];
  for (let i = 1; ; i++) {
    const t = lua.lua_geti(L, valueIdx, i);
    if (t === lua.LUA_TNIL) {
      lua.lua_pop(L, 1);
      return items;
    }
    if (t !== lua.LUA_TSTRING) {
      const got = luaTypeName(L, -1);
      lauxlib.luaL_error(L, toLua(`invalid header value in array ${quoted(L, nameIdx)}: got ${got}, expected string`));
    }
    items.push(fromLua(lua.lua_tolstring(L, -1)));
    lua.lua_pop(L, 1);
  }
}

/** Kong's validate_header(name, value) for a single-header setter; the value as it is then set. */
export function checkHeader(L: LuaState, nameIdx: number, valueIdx: number): { name: string; value: string | string[] } {
  const nameIdxAbs = lua.lua_absindex(L, nameIdx);
  const valueIdxAbs = lua.lua_absindex(L, valueIdx);
  if (lua.lua_type(L, nameIdxAbs) !== lua.LUA_TSTRING) {
    lauxlib.luaL_error(L, toLua(`invalid header name ${quoted(L, nameIdxAbs)}: got ${luaTypeName(L, nameIdxAbs)}, expected string`));
  }
  const name = fromLua(lua.lua_tolstring(L, nameIdxAbs));
  switch (lua.lua_type(L, valueIdxAbs)) {
    case lua.LUA_TSTRING: return { name, value: fromLua(lua.lua_tolstring(L, valueIdxAbs)) };
    case lua.LUA_TTABLE: return { name, value: stringArray(L, valueIdxAbs, nameIdxAbs) };
    case lua.LUA_TNUMBER: case lua.LUA_TBOOLEAN: return { name, value: scalarText(L, valueIdxAbs) };
    default:
      return lauxlib.luaL_error(L, toLua(`invalid header value for ${quoted(L, nameIdxAbs)}: got ${luaTypeName(L, valueIdxAbs)}, expected array of string, string, number or boolean`));
  }
}

/**
 * Kong's validate_headers(headers) for the table at idx (exit, error, set_headers; the caller has checked it is a
 * table, each with its own message): every name a string, every value a string, number, boolean or array of strings.
 */
export function checkHeaders(L: LuaState, idx: number): Record<string, string | string[]> {
  const abs = lua.lua_absindex(L, idx);
  const out: Record<string, string | string[]> = {};
  lua.lua_pushnil(L);
  while (lua.lua_next(L, abs) !== 0) {
    // stack: key at -2, value at -1
    const key = lua.lua_absindex(L, -2);
    const value = lua.lua_absindex(L, -1);
    if (lua.lua_type(L, key) !== lua.LUA_TSTRING) {
      lauxlib.luaL_error(L, toLua(`invalid header name ${quoted(L, key)}: got ${luaTypeName(L, key)}, expected string`));
    }
    const name = fromLua(lua.lua_tolstring(L, key));
    switch (lua.lua_type(L, value)) {
      case lua.LUA_TSTRING: out[name] = fromLua(lua.lua_tolstring(L, value)); break;
      case lua.LUA_TTABLE: out[name] = stringArray(L, value, key); break;
      case lua.LUA_TNUMBER: case lua.LUA_TBOOLEAN: out[name] = scalarText(L, value); break;
      default:
        lauxlib.luaL_error(L, toLua(`invalid header value for ${quoted(L, key)}: got ${luaTypeName(L, value)}, expected string, number, boolean or array of strings`));
    }
    lua.lua_pop(L, 1);
  }
  return out;
}

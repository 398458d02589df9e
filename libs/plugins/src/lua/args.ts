// Query strings and form bodies as OpenResty and Kong write and read them: one encoder (ngx.encode_args, and
// Kong's make_ordered_args built on it) and one parser (ngx.decode_args, kong.request.get_query), shared by
// kong.service.request.set_query / set_body, ngx.req.set_uri_args and the ngx functions themselves.
import { lauxlib, lua, toLua, type LuaState } from './fengari';
import { luaTypeName } from './pdk-checks';

const HEX = '0123456789ABCDEF';

/**
 * ngx.escape_uri's component escaping (lua-nginx-module's uri_component table): every byte but A-Z a-z 0-9 and
 * - . _ ~ ! * ' ( ) becomes %XX (upper-case hex).
 */
export function escapeUriComponent(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    out += KEPT[b] === 1 ? String.fromCharCode(b) : '%' + HEX[b >> 4] + HEX[b & 15];
  }
  return out;
}

const KEPT = new Uint8Array(256);
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!*'()") KEPT[c.charCodeAt(0)] = 1;

/** The bytes of the string or number at idx (a number converted on a copy: lua_next must see the key unchanged). */
export function bytesAt(L: LuaState, idx: number): Uint8Array {
  lua.lua_pushvalue(L, idx);
  const bytes: Uint8Array = lua.lua_tolstring(L, -1);
  lua.lua_pop(L, 1);
  return bytes;
}

/**
 * ngx.encode_args of one key and its value (key at keyIdx, value at valueIdx), as the list of `k=v` / `k` items it
 * writes: a string or number is `k=v`, true a bare `k`, false nothing, a table each of its entries in turn (true
 * bare, false skipped); anything else is OpenResty's error.
 */
function encodePair(L: LuaState, keyIdx: number, valueIdx: number, out: string[]): void {
  if (lua.lua_type(L, keyIdx) !== lua.LUA_TSTRING) lauxlib.luaL_error(L, toLua('attempt to use a non-string key in the "args" option table'));
  const key = escapeUriComponent(bytesAt(L, keyIdx));
  switch (lua.lua_type(L, valueIdx)) {
    case lua.LUA_TSTRING: case lua.LUA_TNUMBER:
      out.push(`${key}=${escapeUriComponent(bytesAt(L, valueIdx))}`);
      return;
    case lua.LUA_TBOOLEAN:
      if (lua.lua_toboolean(L, valueIdx)) out.push(key);
      return;
    case lua.LUA_TTABLE: {
      // LuaJIT's next walks the array part 1..n first, in order: lists keep their order
      lauxlib.luaL_checkstack(L, 3, toLua('table too deep'));
      const n = lua.lua_rawlen(L, valueIdx);
      for (let i = 1; i <= n; i++) {
        lua.lua_rawgeti(L, valueIdx, i);
        listItem(L, key, out);
        lua.lua_pop(L, 1);
      }
      lua.lua_pushnil(L);
      while (lua.lua_next(L, valueIdx) !== 0) {
        const inArray = lua.lua_isinteger(L, -2) && lua.lua_tointeger(L, -2) >= 1 && lua.lua_tointeger(L, -2) <= n;
        if (!inArray) listItem(L, key, out);
        lua.lua_pop(L, 1);
      }
      return;
    }
    default:
      lauxlib.luaL_error(L, toLua(`attempt to use ${luaTypeName(L, valueIdx)} as query arg value`));
  }
}

/** One entry of a list value (the stack top): true bare, false skipped, a string or number `k=v`. */
function listItem(L: LuaState, key: string, out: string[]): void {
  const t = lua.lua_type(L, -1);
  if (t === lua.LUA_TBOOLEAN) {
    if (lua.lua_toboolean(L, -1)) out.push(key);
  } else if (t === lua.LUA_TSTRING || t === lua.LUA_TNUMBER) {
    out.push(`${key}=${escapeUriComponent(bytesAt(L, -1))}`);
  } else {
    lauxlib.luaL_error(L, toLua(`attempt to use ${luaTypeName(L, -1)} as query arg value`));
  }
}

/** ngx.encode_args(t) of the table at idx, in the table's own order. */
export function encodeArgs(L: LuaState, idx: number): string {
  const abs = lua.lua_absindex(L, idx);
  const out: string[] = [];
  lua.lua_pushnil(L);
  while (lua.lua_next(L, abs) !== 0) {
    encodePair(L, lua.lua_absindex(L, -2), lua.lua_absindex(L, -1), out);
    lua.lua_pop(L, 1);
  }
  return out.join('&');
}

/**
 * Kong's make_ordered_args (set_query, form bodies of set_body): each key encoded alone by ngx.encode_args, the
 * encoded pieces sorted as strings and joined with `&` (so a key whose value encodes to nothing still leaves its
 * empty piece); a key that is not a string is Kong's error, a bad value ngx.encode_args's.
 */
export function orderedArgs(L: LuaState, idx: number): string {
  const abs = lua.lua_absindex(L, idx);
  const pieces: string[] = [];
  lua.lua_pushnil(L);
  while (lua.lua_next(L, abs) !== 0) {
    if (lua.lua_type(L, -2) !== lua.LUA_TSTRING) lauxlib.luaL_error(L, toLua('arg keys must be strings'));
    const one: string[] = [];
    encodePair(L, lua.lua_absindex(L, -2), lua.lua_absindex(L, -1), one);
    pieces.push(one.join('&'));
    lua.lua_pop(L, 1);
  }
  // Lua's table.sort on strings compares bytes; the pieces are ASCII
  return pieces.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).join('&');
}

export type ArgValue = string | true;
export type ParsedArgs = Record<string, ArgValue | ArgValue[]>;

/** nginx's unescape of one argument part: `+` is a space, a valid %XX its byte (an invalid one stays as written). */
function unescapeArg(part: string): string {
  if (!part.includes('%') && !part.includes('+')) return part;
  const bytes = Buffer.from(part.replace(/\+/g, ' '), 'utf8');
  const out = Buffer.alloc(bytes.length);
  let n = 0;
  const hex = (c: number) => (c >= 0x30 && c <= 0x39 ? c - 0x30 : (c | 0x20) >= 0x61 && (c | 0x20) <= 0x66 ? (c | 0x20) - 0x57 : -1);
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0x25 && i + 2 < bytes.length && hex(bytes[i + 1]) >= 0 && hex(bytes[i + 2]) >= 0) {
      out[n++] = hex(bytes[i + 1]) * 16 + hex(bytes[i + 2]);
      i += 2;
    } else out[n++] = bytes[i];
  }
  return out.toString('utf8', 0, n);
}

/**
 * ngx.decode_args / get_uri_args / get_post_args (and so Kong's get_query and form get_body) of a query string, as
 * lua-nginx-module's parser reads it: an argument without `=` is true, a repeated one a list in the order sent, an
 * empty name is skipped. `limit` counts the `&`-ended pieces (empty ones too): reaching it stops the read and
 * reports `truncated`, even when nothing follows; a limit of 0 or less reads everything.
 */
export function parseArgs(raw: string, limit: number): { args: ParsedArgs; truncated: boolean } {
  const args: ParsedArgs = Object.create(null) as ParsedArgs;
  const pieces = raw.split('&');
  let count = 0;
  for (let i = 0; i < pieces.length; i++) {
    const part = pieces[i];
    const last = i === pieces.length - 1;
    if (part !== '' || !last) {
      const eq = part.indexOf('=');
      const name = unescapeArg(eq === -1 ? part : part.slice(0, eq));
      if (name !== '') {
        const value: ArgValue = eq === -1 ? true : unescapeArg(part.slice(eq + 1));
        const prev = args[name];
        if (prev === undefined) args[name] = value;
        else if (Array.isArray(prev)) prev.push(value);
        else args[name] = [prev, value];
      }
    }
    if (!last && limit > 0 && ++count === limit) return { args, truncated: true };
  }
  return { args, truncated: false };
}

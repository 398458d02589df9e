// ngx.re.match / find / gmatch / sub / gsub on JavaScript regular expressions. A pattern is PCRE's (as OpenResty
// compiles it) and goes through the route regex translation in its PCRE dialect (@tollgate/router/regex-dialect),
// the one place Kong's patterns become JavaScript: options i, m, s, x are read as a leading (?imsx), so
// case-insensitivity is spelled as letter classes rather than JavaScript's `i` flag, and the `u` flag is given only
// where the translation needs it. Both matter: V8's linear-time fallback (process-guard.ts), which ends a match that
// backtracks without end (`^(a+)+$` against 40 a's and a `!`; PCRE stops at its match limit), cannot run `i` or
// `u` expressions. Those it still cannot run: backreferences, look-around, (?m) anchors (spelled as look-behind),
// and non-ASCII patterns (they need `u`).
// Case folding: "i" folds the ASCII letters, as PCRE does without "u" (its byte mode knows no case for other bytes);
// with "u" (or "U") a pattern with non-ASCII characters also gets JavaScript's `i` flag, which folds them as PCRE's
// UTF mode does (an ASCII-only pattern keeps ASCII folding: `\w` or `.` never fold anything).
// Other differences from PCRE: `$` is the end of the subject only (PCRE's also matches before a final newline),
// possessive quantifiers, atomic groups and recursion are refused, and a pattern matches characters, not bytes.
// Options j, o, d, D, J are accepted (JIT and caching are what V8 does anyway). Offsets returned to Lua are byte
// positions, as in nginx.
import { translateKongRegex } from '@tollgate/router/regex-dialect';
import { lauxlib, lua, type HostFunction, type LuaState } from './fengari';
import { checkString, optString, pushString } from './values';

const cache = new Map<string, RegExp | Error>();
const CACHE_MAX = 512;

function compile(source: string, options: string, global: boolean): RegExp | Error {
  const key = `${global ? 'g' : ''}${options}/${source}`;
  let re = cache.get(key);
  if (re !== undefined) return re;
  let inline = '';
  let utf = false;
  for (const o of options) {
    if (o === 'i' || o === 'm' || o === 's' || o === 'x') inline += o;
    else if (o === 'u' || o === 'U') utf = true;
    else if (o !== 'j' && o !== 'o' && o !== 'd' && o !== 'D' && o !== 'J') return new Error(`unknown flag "${o}"`);
  }
  const translated = translateKongRegex(inline === '' ? source : `(?${inline})${source}`, { dialect: 'pcre', utf });
  if (translated.ok) re = new RegExp(translated.regex.source, (global ? 'g' : '') + translated.regex.flags);
  else re = new Error(`pcre2_compile() failed: ${translated.error.message} in "${source}"`);
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(key, re);
  return re;
}

const bytes = (s: string) => Buffer.byteLength(s);

function pushCaptures(L: LuaState, m: RegExpExecArray): void {
  lua.lua_createtable(L, m.length, m.groups ? Object.keys(m.groups).length : 0);
  for (let i = 0; i < m.length; i++) {
    if (m[i] === undefined) lua.lua_pushboolean(L, false);
    else pushString(L, m[i]);
    lua.lua_rawseti(L, -2, i);
  }
  if (m.groups) {
    for (const [name, v] of Object.entries(m.groups)) {
      if (v === undefined) lua.lua_pushboolean(L, false);
      else pushString(L, v);
      lua.lua_setfield(L, -2, name);
    }
  }
}

const fail = (L: LuaState, message: string): number => {
  lua.lua_pushnil(L);
  pushString(L, message);
  return 2;
};

/** OpenResty's replacement template: $0..$9, ${n}, ${name}, $$ for a dollar. */
function expand(template: string, m: RegExpExecArray): string {
  return template.replace(/\$(\$|\d|\{(\w+)\})/g, (_, what: string, braced: string | undefined) => {
    if (what === '$') return '$';
    const key = braced ?? what;
    const v = /^\d+$/.test(key) ? m[Number(key)] : m.groups?.[key];
    return v ?? '';
  });
}

function substitute(L: LuaState, global: boolean): number {
  const subject = checkString(L, 1);
  const re = compile(checkString(L, 2), optString(L, 4) ?? '', global);
  if (re instanceof Error) return fail(L, re.message);
  const isFunction = lua.lua_type(L, 3) === lua.LUA_TFUNCTION;
  const template = isFunction ? '' : checkString(L, 3);
  let count = 0;
  let out = '';
  let last = 0;
  re.lastIndex = 0;
  for (;;) {
    const m = re.exec(subject);
    if (m === null) break;
    count++;
    let replacement: string;
    if (isFunction) {
      lua.lua_pushvalue(L, 3);
      pushCaptures(L, m);
      lua.lua_call(L, 1, 1);
      replacement = optString(L, -1) ?? '';
      lua.lua_pop(L, 1);
    } else replacement = expand(template, m);
    out += subject.slice(last, m.index) + replacement;
    last = m.index + m[0].length;
    if (!global) break;
    if (m[0].length === 0) re.lastIndex++;
  }
  pushString(L, out + subject.slice(last));
  lua.lua_pushinteger(L, count);
  return 2;
}

export function ngxReFunctions(): Record<string, HostFunction> {
  return {
    match: (L) => {
      const re = compile(checkString(L, 2), optString(L, 3) ?? '', false);
      if (re instanceof Error) return fail(L, re.message);
      const m = re.exec(checkString(L, 1));
      if (m === null) { lua.lua_pushnil(L); return 1; }
      pushCaptures(L, m);
      return 1;
    },
    find: (L) => {
      const subject = checkString(L, 1);
      const re = compile(checkString(L, 2), optString(L, 3) ?? '', false);
      if (re instanceof Error) return fail(L, re.message);
      const m = re.exec(subject);
      if (m === null) { lua.lua_pushnil(L); return 1; }
      const from = bytes(subject.slice(0, m.index)) + 1;
      lua.lua_pushinteger(L, from);
      lua.lua_pushinteger(L, from + bytes(m[0]) - 1);
      return 2;
    },
    gmatch: (L) => {
      const subject = checkString(L, 1);
      const re = compile(checkString(L, 2), optString(L, 3) ?? '', true);
      if (re instanceof Error) return fail(L, re.message);
      const matches = [...subject.matchAll(re)];
      let i = 0;
      lua.lua_pushcfunction(L, (S: LuaState) => {
        if (i >= matches.length) { lua.lua_pushnil(S); return 1; }
        pushCaptures(S, matches[i++]);
        return 1;
      });
      return 1;
    },
    sub: (L) => substitute(L, false),
    gsub: (L) => substitute(L, true),
  };
}


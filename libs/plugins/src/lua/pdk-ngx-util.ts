// ngx.* helpers that need no request: ngx.encode_args / decode_args, hashes and checksums, nginx's time formats,
// quote_sql_str, get_phase, ngx.config and ngx.worker (OpenResty's lua-nginx-module semantics).
import { createHash, createHmac } from 'node:crypto';
import cluster from 'node:cluster';
import { crc32 } from 'node:zlib';
import { chargeHostWork, current } from './active';
import { encodeArgs, parseArgs } from './args';
import { lauxlib, lua, toLua, type HostFunction, type LuaState } from './fengari';
import { luaSettings } from './settings';
import { checkString, pushString, pushValue } from './values';

/** The ngx.HTTP_<METHOD> constants (nginx's method bits), which ngx.req.set_method takes. */
export const NGX_METHODS: Readonly<Record<string, number>> = {
  GET: 2, HEAD: 4, POST: 8, PUT: 16, DELETE: 32, MKCOL: 64, COPY: 128, MOVE: 256, OPTIONS: 512,
  PROPFIND: 1024, PROPPATCH: 2048, LOCK: 4096, UNLOCK: 8192, PATCH: 16384, TRACE: 32768,
};

/** nginx and lua-nginx-module of the OpenResty release Kong 3.10 ships (1.27.1.x, lua-nginx-module 0.10.27). */
export const NGX_CONFIG = { subsystem: 'http', debug: false, nginx_version: 1027001, ngx_lua_version: 10027 } as const;

/** A hash function's input as lua-resty-core reads it: nil is "", anything else its tostring. */
function hashInput(L: LuaState, idx: number): Buffer {
  const t = lua.lua_type(L, idx);
  if (t === lua.LUA_TNIL || t === lua.LUA_TNONE) return Buffer.alloc(0);
  const bytes: Uint8Array = lauxlib.luaL_tolstring(L, idx);
  lua.lua_pop(L, 1);
  return Buffer.from(bytes);
}

const bytesOf = (L: LuaState, idx: number): Buffer => Buffer.from(lauxlib.luaL_checklstring(L, idx));

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number) => String(n).padStart(2, '0');

/**
 * The time_t OpenResty hands nginx for a Lua number: lua-resty-core passes it through the FFI as a C `long`, and
 * LuaJIT converts as the CPU does (x86-64 cvttsd2si): toward zero, with NaN, the infinities and anything beyond
 * 64 bits becoming INT64_MIN. Then nginx's ngx_gmtime clamps: below 0 is the epoch, past December 31, 9999
 * 23:59:59 is that second. So ngx.http_time(0/0), (-1) and (1e308) all give the epoch, (1e18) the year 9999.
 */
function gmtimeSeconds(n: number): number {
  const t = Number.isNaN(n) || Math.abs(n) >= 2 ** 63 ? -1 : Math.trunc(n);
  return Math.min(Math.max(t, 0), LAST_GMTIME_SECOND);
}

/** 23:59:59 on December 31, 9999: ngx_gmtime's last day (no more than four year digits). */
const LAST_GMTIME_SECOND = 2932896 * 86400 + 86399;

/** lua-resty-core's ngx.http_time / cookie_time accept a number only (a numeric string too is refused). */
function checkTime(L: LuaState): number {
  if (lua.lua_type(L, 1) !== lua.LUA_TNUMBER) lauxlib.luaL_error(L, toLua('number argument only'));
  return gmtimeSeconds(lua.lua_tonumber(L, 1));
}

/** nginx's ngx_http_time: RFC 1123 with a four-digit year. */
function httpTime(sec: number): string {
  const d = new Date(sec * 1000);
  return `${DAYS[d.getUTCDay()]}, ${two(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} GMT`;
}

/** nginx's ngx_http_cookie_time: a two-digit year up to 2037, the full year after. */
function cookieTime(sec: number): string {
  const d = new Date(sec * 1000);
  const year = d.getUTCFullYear();
  return `${DAYS[d.getUTCDay()]}, ${two(d.getUTCDate())}-${MONTHS[d.getUTCMonth()]}-${year > 2037 ? year : two(year % 100)} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} GMT`;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isDigit = (b: number) => b >= 0x30 && b <= 0x39;

/**
 * nginx's ngx_parse_http_time, byte for byte: RFC 1123 ("Tue, 10 Nov 2002 23:50:13"), RFC 850 ("Tuesday,
 * 10-Dec-02 23:50:13", years before 70 are 20xx) or asctime ("Tue Dec 10 23:50:13 2002"); the weekday is never
 * read, a month by its first letters only, nothing after the seconds (or asctime's year), and day 0 is accepted.
 * Any year 0000-9999 counts from the Gregorian calendar (no JavaScript two-digit-year shift); nginx's unsigned
 * arithmetic is kept, so a date before 1970 is negative and one in January or February of year 0 wraps as it does.
 * null where nginx returns NGX_ERROR, which lua-resty-core turns into nil, as it does the one second that equals it
 * (-1, December 31, 1969 23:59:59).
 */
export function parseHttpTime(text: Uint8Array): number | null {
  const end = text.length;
  // nginx reads a NUL-terminated buffer: past the end is 0, which no check accepts
  const at = (i: number) => (i < end ? text[i] : 0);
  let fmt: 'rfc822' | 'rfc850' | 'isoc' | null = null;
  let p = 0;
  for (; p < end; p++) {
    if (at(p) === 0x2c /* , */) break;
    if (at(p) === 0x20) { fmt = 'isoc'; break; }
  }
  for (p++; p < end; p++) if (at(p) !== 0x20) break;
  if (end - p < 18) return null;
  let day = 0;
  let year = 0;
  if (fmt !== 'isoc') {
    if (!isDigit(at(p)) || !isDigit(at(p + 1))) return null;
    day = (at(p) - 0x30) * 10 + (at(p + 1) - 0x30);
    p += 2;
    if (at(p) === 0x20) {
      if (end - p < 18) return null;
      fmt = 'rfc822';
    } else if (at(p) === 0x2d /* - */) {
      fmt = 'rfc850';
    } else {
      return null;
    }
    p++;
  }
  let month: number;
  switch (String.fromCharCode(at(p))) {
    case 'J': month = at(p + 1) === 0x61 /* a */ ? 0 : at(p + 2) === 0x6e /* n */ ? 5 : 6; break;
    case 'F': month = 1; break;
    case 'M': month = at(p + 2) === 0x72 /* r */ ? 2 : 4; break;
    case 'A': month = at(p + 1) === 0x70 /* p */ ? 3 : 7; break;
    case 'S': month = 8; break;
    case 'O': month = 9; break;
    case 'N': month = 10; break;
    case 'D': month = 11; break;
    default: return null;
  }
  p += 3;
  if ((fmt === 'rfc822' && at(p) !== 0x20) || (fmt === 'rfc850' && at(p) !== 0x2d)) return null;
  p++;
  const digits = (from: number, count: number): number | null => {
    let n = 0;
    for (let i = from; i < from + count; i++) {
      if (!isDigit(at(i))) return null;
      n = n * 10 + at(i) - 0x30;
    }
    return n;
  };
  if (fmt === 'rfc822') {
    const y = digits(p, 4);
    if (y === null) return null;
    year = y;
    p += 4;
  } else if (fmt === 'rfc850') {
    const y = digits(p, 2);
    if (y === null) return null;
    year = y + (y < 70 ? 2000 : 1900);
    p += 2;
  } else {
    if (at(p) === 0x20) p++;
    if (!isDigit(at(p))) return null;
    day = at(p++) - 0x30;
    if (at(p) !== 0x20) {
      if (!isDigit(at(p))) return null;
      day = day * 10 + at(p++) - 0x30;
    }
    if (end - p < 14) return null;
  }
  if (at(p++) !== 0x20) return null;
  const hour = digits(p, 2);
  if (hour === null || at(p + 2) !== 0x3a /* : */) return null;
  const min = digits(p + 3, 2);
  if (min === null || at(p + 5) !== 0x3a) return null;
  const sec = digits(p + 6, 2);
  if (sec === null) return null;
  if (fmt === 'isoc') {
    p += 8;
    if (at(p++) !== 0x20) return null;
    const y = digits(p, 4);
    if (y === null) return null;
    year = y;
  }
  if (hour > 23 || min > 59 || sec > 59) return null;
  if (day === 29 && month === 1) {
    if (year % 4 !== 0 || (year % 100 === 0 && year % 400 !== 0)) return null;
  } else if (day > DAYS_IN_MONTH[month]) {
    return null;
  }
  // Gauss' formula for days since March 1, 1 BC, in nginx's unsigned 64-bit arithmetic
  let m = month;
  let y = BigInt(year);
  if (--m <= 0) {
    m += 12;
    y = BigInt.asUintN(64, y - 1n);
  }
  const days = 365n * y + y / 4n - y / 100n + y / 400n + BigInt(Math.trunc((367 * m) / 12)) - 30n + BigInt(day) - 1n - 719527n + 31n + 28n;
  const time = BigInt.asIntN(64, days * 86400n + BigInt(hour * 3600 + min * 60 + sec));
  return time === -1n ? null : Number(time);
}

/** ngx.quote_sql_str: MySQL's quoting, in single quotes. */
function quoteSql(text: Buffer): Buffer {
  const out: number[] = [0x27];
  const ESC: Record<number, number> = { 0x00: 0x30, 0x08: 0x62, 0x0a: 0x6e, 0x0d: 0x72, 0x09: 0x74, 0x1a: 0x5a, 0x5c: 0x5c, 0x27: 0x27, 0x22: 0x22 };
  for (const b of text) {
    const e = ESC[b];
    if (e === undefined) out.push(b);
    else out.push(0x5c, e);
  }
  out.push(0x27);
  return Buffer.from(out);
}

function localStamp(d: Date, withTime: boolean): string {
  const date = `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}`;
  return withTime ? `${date} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}` : date;
}

/** lua-nginx-module's NGX_HTTP_LUA_MAX_ARGS: what ngx's argument readers return when given no limit. */
const DEFAULT_MAX_ARGS = 100;

/** Kong's phase names as ngx.get_phase() reports them. */
const PHASE_NAMES: Readonly<Record<string, string>> = { certificate: 'ssl_cert', template: 'access' };

export function ngxUtilFunctions(): Record<string, HostFunction> {
  return {
    encode_args: (L) => {
      lauxlib.luaL_checktype(L, 1, lua.LUA_TTABLE);
      pushString(L, encodeArgs(L, 1));
      return 1;
    },
    decode_args: (L) => {
      const n = lua.lua_gettop(L);
      if (n !== 1 && n !== 2) return lauxlib.luaL_error(L, toLua(`expecting 1 or 2 arguments but seen ${n}`));
      // an explicit max_args must be a number; 0 or less reads every argument
      const limit = n === 2 ? lauxlib.luaL_checkinteger(L, 2) : DEFAULT_MAX_ARGS;
      // charged before the text is even converted: every argument of a 16 MB string took seconds in JavaScript
      if (limit <= 0) chargeHostWork(L, (lauxlib.luaL_checklstring(L, 1) as Uint8Array).length >> 4);
      const parsed = parseArgs(checkString(L, 1), limit);
      pushValue(L, parsed.args);
      if (!parsed.truncated) return 1;
      pushString(L, 'truncated');
      return 2;
    },
    md5: (L) => { pushString(L, createHash('md5').update(hashInput(L, 1)).digest('hex')); return 1; },
    md5_bin: (L) => { pushValue(L, createHash('md5').update(hashInput(L, 1)).digest()); return 1; },
    sha1_bin: (L) => { pushValue(L, createHash('sha1').update(hashInput(L, 1)).digest()); return 1; },
    hmac_sha1: (L) => { pushValue(L, createHmac('sha1', bytesOf(L, 1)).update(bytesOf(L, 2)).digest()); return 1; },
    crc32_short: (L) => { lua.lua_pushinteger(L, crc32(hashInput(L, 1))); return 1; },
    crc32_long: (L) => { lua.lua_pushinteger(L, crc32(hashInput(L, 1))); return 1; },
    http_time: (L) => { pushString(L, httpTime(checkTime(L))); return 1; },
    cookie_time: (L) => { pushString(L, cookieTime(checkTime(L))); return 1; },
    parse_http_time: (L) => {
      if (lua.lua_type(L, 1) !== lua.LUA_TSTRING) return lauxlib.luaL_error(L, toLua('string argument only'));
      pushValue(L, parseHttpTime(lua.lua_tolstring(L, 1)));
      return 1;
    },
    utctime: (L) => { pushString(L, new Date().toISOString().slice(0, 19).replace('T', ' ')); return 1; },
    localtime: (L) => { pushString(L, localStamp(new Date(), true)); return 1; },
    today: (L) => { pushString(L, localStamp(new Date(), false)); return 1; },
    update_time: () => 0,
    quote_sql_str: (L) => { pushValue(L, quoteSql(bytesOf(L, 1))); return 1; },
    get_phase: (L) => {
      const phase = current().phase;
      pushString(L, PHASE_NAMES[phase] ?? phase);
      return 1;
    },
  };
}

/** ngx.worker: this worker's index among the node's workers, their count, its pid; never exiting mid-request. */
export function ngxWorkerFunctions(): Record<string, HostFunction> {
  const count = () => Math.max(1, luaSettings().workerProcesses);
  return {
    id: (L) => { lua.lua_pushinteger(L, ((cluster.worker?.id ?? 1) - 1) % count()); return 1; },
    count: (L) => { lua.lua_pushinteger(L, count()); return 1; },
    pid: (L) => { lua.lua_pushinteger(L, process.pid); return 1; },
    exiting: (L) => { lua.lua_pushboolean(L, false); return 1; },
  };
}

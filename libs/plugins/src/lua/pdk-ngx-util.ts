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

/** nginx's ngx_http_cookie_time: a two-digit year up to 2037, the full year after. */
function cookieTime(sec: number): string {
  const d = new Date(sec * 1000);
  const year = d.getUTCFullYear();
  return `${DAYS[d.getUTCDay()]}, ${two(d.getUTCDate())}-${MONTHS[d.getUTCMonth()]}-${year > 2037 ? year : two(year % 100)} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} GMT`;
}

/** nginx's ngx_parse_http_time: RFC 1123, RFC 850 (two-digit year) or asctime; anything else null. */
export function parseHttpTime(text: string): number | null {
  const m = /^[A-Za-z]+,\s*(\d{1,2})[ -]([A-Za-z]{3})[ -](\d{2}|\d{4}) (\d{2}):(\d{2}):(\d{2})(?: GMT)?\s*$/.exec(text)
    ?? /^[A-Za-z]+ ([A-Za-z]{3}) {1,2}(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) (\d{4})\s*$/.exec(text);
  if (m === null) return null;
  const asc = m.length === 7 && /^[A-Za-z]{3}$/.test(m[1]);
  const [day, mon, yearText, h, mi, s] = asc ? [m[2], m[1], m[6], m[3], m[4], m[5]] : [m[1], m[2], m[3], m[4], m[5], m[6]];
  const month = MONTHS.indexOf(mon[0].toUpperCase() + mon.slice(1).toLowerCase());
  let year = Number(yearText);
  if (yearText.length === 2) year += year < 70 ? 2000 : 1900;
  const hour = Number(h), minute = Number(mi), second = Number(s), date = Number(day);
  if (month < 0 || hour > 23 || minute > 59 || second > 59 || date < 1 || date > 31) return null;
  const t = Date.UTC(year, month, date, hour, minute, second);
  if (new Date(t).getUTCDate() !== date) return null;
  return t / 1000;
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
    http_time: (L) => { pushString(L, new Date(lauxlib.luaL_checknumber(L, 1) * 1000).toUTCString()); return 1; },
    cookie_time: (L) => { pushString(L, cookieTime(Math.floor(lauxlib.luaL_checknumber(L, 1)))); return 1; },
    parse_http_time: (L) => { pushValue(L, parseHttpTime(checkString(L, 1))); return 1; },
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

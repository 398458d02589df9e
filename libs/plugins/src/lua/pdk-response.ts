// kong.response.*, kong.service.set_upstream/set_target, kong.client.*, kong.log.*, kong.router.*, kong.node.*.
import { hostname } from 'node:os';
import { defaultErrorMessage } from '@tollgate/errors';
import { serializeLog } from '../log/serializer';
import type { Row } from '@tollgate/declarative/snapshot';
import { current, type LuaPhase } from './active';
import { fromLua, lauxlib, lua, toLua, type HostFunction, type LuaState } from './fengari';
import { firstEntries, kongEntryLimit, onlyIn, pushDecodedBody, pushTruncated } from './pdk-request';
import { luaSettings } from './settings';
import { checkHeader, checkHeaders } from './pdk-checks';
import { checkString, jsonValue, NotSerialisable, optString, pushString, pushValue, toValue } from './values';

/** Raises the exit sentinel: the snippet stops here and the phase runner treats it as a normal end. */
export type RaiseExit = (L: LuaState) => number;

export function responseFunctions(raiseExit: RaiseExit): Record<string, HostFunction> {
  const res = () => current().run.response;
  return {
    exit: (L) => {
      onlyIn(L, 'kong.response.exit', ['rewrite', 'access', 'header_filter']);
      const status = lua.lua_type(L, 1) === lua.LUA_TNUMBER ? lua.lua_tonumber(L, 1) : NaN;
      if (Number.isNaN(status)) return lauxlib.luaL_error(L, toLua('code must be a number'));
      if (!Number.isInteger(status) || status < 100 || status > 599) return lauxlib.luaL_error(L, toLua('code must be a number between 100 and 599'));
      const t = lua.lua_type(L, 2);
      if (t !== lua.LUA_TNIL && t !== lua.LUA_TNONE && t !== lua.LUA_TSTRING && t !== lua.LUA_TTABLE) return lauxlib.luaL_error(L, toLua('body must be a nil, string or table'));
      const h = lua.lua_type(L, 3);
      if (h !== lua.LUA_TNIL && h !== lua.LUA_TNONE && h !== lua.LUA_TTABLE) return lauxlib.luaL_error(L, toLua('headers must be a nil or table'));
      const headers = exitHeaders(L, 3);
      res().exit(status, t === lua.LUA_TTABLE ? exitBody(L, 2) : t === lua.LUA_TSTRING ? Buffer.from(lua.lua_tolstring(L, 2)) : undefined, headers);
      return raiseExit(L);
    },
    error: (L) => {
      onlyIn(L, 'kong.response.error', ['rewrite', 'access', 'header_filter']);
      const status = lua.lua_type(L, 1) === lua.LUA_TNUMBER ? lua.lua_tonumber(L, 1) : NaN;
      if (!Number.isInteger(status) || status < 400 || status > 599) return lauxlib.luaL_error(L, toLua('code must be a number between 400 and 599'));
      const t = lua.lua_type(L, 2);
      if (t !== lua.LUA_TNIL && t !== lua.LUA_TNONE && t !== lua.LUA_TSTRING) return lauxlib.luaL_error(L, toLua('message must be a nil or a string'));
      const message = t === lua.LUA_TSTRING ? checkString(L, 2) : defaultErrorMessage(status);
      const h = lua.lua_type(L, 3);
      if (h !== lua.LUA_TNIL && h !== lua.LUA_TNONE && h !== lua.LUA_TTABLE) return lauxlib.luaL_error(L, toLua('headers must be a nil or table'));
      res().error(status, message, exitHeaders(L, 3));
      return raiseExit(L);
    },
    set_status: (L) => {
      onlyIn(L, 'kong.response.set_status', ['rewrite', 'access', 'header_filter']);
      const status = lua.lua_type(L, 1) === lua.LUA_TNUMBER ? lua.lua_tonumber(L, 1) : NaN;
      if (Number.isNaN(status)) return lauxlib.luaL_error(L, toLua('code must be a number'));
      if (!Number.isInteger(status) || status < 100 || status > 599) return lauxlib.luaL_error(L, toLua('code must be a number between 100 and 599'));
      res().setStatus(status);
      return 0;
    },
    get_status: (L) => { lua.lua_pushinteger(L, res().getStatus()); return 1; },
    get_header: (L) => { pushValue(L, res().getHeader(checkString(L, 1).toLowerCase())); return 1; },
    get_headers: (L) => {
      const limit = kongEntryLimit(L, 1, 'max_headers');
      const first = firstEntries((res() as unknown as { live: Record<string, unknown> | null }).live ?? {}, limit);
      pushValue(L, first.out);
      return pushTruncated(L, first.truncated);
    },
    get_source: (L) => {
      const r = res();
      pushString(L, r.exited ? 'exit' : r.getStatus() >= 500 && r.getStatus() !== 0 && current().run.timings.upstreamLatency === null ? 'error' : 'service');
      return 1;
    },
    set_header: (L) => {
      const { name, value } = checkHeader(L, 1, 2);
      res().setHeader(name, value);
      return 0;
    },
    add_header: (L) => {
      const { name, value } = checkHeader(L, 1, 2);
      for (const one of Array.isArray(value) ? value : [value]) res().addHeader(name, one);
      return 0;
    },
    clear_header: (L) => { res().clearHeader(checkString(L, 1)); return 0; },
    set_headers: (L) => {
      if (lua.lua_type(L, 1) !== lua.LUA_TTABLE) return lauxlib.luaL_error(L, toLua('headers must be a table'));
      for (const [k, v] of Object.entries(checkHeaders(L, 1))) res().setHeader(k, v);
      return 0;
    },
    get_raw_body: (L) => {
      onlyIn(L, 'kong.response.get_raw_body', ['body_filter', 'log']);
      pushValue(L, res().getBody());
      return 1;
    },
    set_raw_body: (L) => {
      onlyIn(L, 'kong.response.set_raw_body', ['body_filter']);
      res().setBody(Buffer.from(lauxlib.luaL_checklstring(L, 1)));
      return 0;
    },
  };
}

/**
 * An exit's headers argument (a table, or nothing; the caller checked which) through Kong's validate_headers:
 * lower-case names, repeated values joined.
 */
function exitHeaders(L: LuaState, idx: number): Record<string, string> {
  const headers: Record<string, string> = {};
  if (lua.lua_type(L, idx) !== lua.LUA_TTABLE) return headers;
  for (const [k, v] of Object.entries(checkHeaders(L, idx))) {
    if (Array.isArray(v) && v.length === 0) continue; // Kong sets an empty list, which sets no header
    headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  return headers;
}

/** An exit's table body as Kong's cjson.encode takes it, or Kong's error when cjson cannot encode it. */
function exitBody(L: LuaState, idx: number): unknown {
  try {
    return jsonValue(L, idx);
  } catch (err) {
    if (err instanceof NotSerialisable) return lauxlib.luaL_error(L, toLua(`body encoding failed while flushing response: ${err.message}`));
    throw err;
  }
}

/** kong.service.response.*: the service's answer, from header_filter on (its status stays the upstream's). */
export function serviceResponseFunctions(response: Record<string, HostFunction>): Record<string, HostFunction> {
  const AFTER_PROXY: LuaPhase[] = ['header_filter', 'body_filter', 'log'];
  return {
    get_status: (L) => {
      onlyIn(L, 'kong.service.response.get_status', AFTER_PROXY);
      pushValue(L, current().run.response.serviceStatus);
      return 1;
    },
    get_header: (L) => { onlyIn(L, 'kong.service.response.get_header', AFTER_PROXY); return response.get_header(L); },
    get_headers: (L) => { onlyIn(L, 'kong.service.response.get_headers', AFTER_PROXY); return response.get_headers(L); },
    get_raw_body: (L) => {
      onlyIn(L, 'kong.service.response.get_raw_body', AFTER_PROXY);
      pushValue(L, bufferedServiceBody(L));
      return 1;
    },
    get_body: (L) => {
      onlyIn(L, 'kong.service.response.get_body', AFTER_PROXY);
      const body = bufferedServiceBody(L);
      return pushDecodedBody(L, body, optString(L, 1) ?? current().run.response.getHeader('content-type'), 2);
    },
  };
}

/** The service's whole body under kong.service.request.enable_buffering (empty while it is not in); else Kong's error. */
function bufferedServiceBody(L: LuaState): Buffer {
  const run = current().run;
  if (!run.bufferedProxying) lauxlib.luaL_error(L, toLua('service body is only available with buffered proxying (see: kong.service.request.enable_buffering function)'));
  return run.bufferedBody ?? EMPTY_BODY;
}

const EMPTY_BODY = Buffer.alloc(0);

export function serviceFunctions(): Record<string, HostFunction> {
  return {
    set_upstream: (L) => {
      onlyIn(L, 'kong.service.set_upstream', ['rewrite', 'access']);
      const name = checkString(L, 1);
      const run = current().run;
      if (run.host.hasUpstream && !run.host.hasUpstream(name)) {
        lua.lua_pushnil(L);
        pushString(L, `could not find an Upstream named '${name}'`);
        return 2;
      }
      run.upstreamOverride = name;
      run.targetOverride = null;
      lua.lua_pushboolean(L, true);
      return 1;
    },
    set_target: (L) => {
      onlyIn(L, 'kong.service.set_target', ['rewrite', 'access']);
      const host = checkString(L, 1);
      const port = lauxlib.luaL_checkinteger(L, 2);
      if (port < 0 || port > 65535) lauxlib.luaL_argerror(L, 2, toLua('port must be an integer between 0 and 65535'));
      const run = current().run;
      run.targetOverride = { host, port };
      run.upstreamOverride = null;
      return 0;
    },
    set_retries: (L) => {
      onlyIn(L, 'kong.service.set_retries', ['rewrite', 'access']);
      const retries = checkBalancerInteger(L, 1, 'retries', 0, 32767);
      const run = current().run;
      run.balancerOverrides = { ...run.balancerOverrides, retries };
      return 0;
    },
    set_timeouts: (L) => {
      onlyIn(L, 'kong.service.set_timeouts', ['rewrite', 'access']);
      const connectTimeout = checkBalancerInteger(L, 1, 'connect_timeout', 1, MAX_TIMEOUT_MS);
      const writeTimeout = checkBalancerInteger(L, 2, 'write_timeout', 1, MAX_TIMEOUT_MS);
      const readTimeout = checkBalancerInteger(L, 3, 'read_timeout', 1, MAX_TIMEOUT_MS);
      const run = current().run;
      run.balancerOverrides = { ...run.balancerOverrides, connectTimeout, writeTimeout, readTimeout };
      return 0;
    },
  };
}

/** Kong's bound for set_timeouts (nginx keeps timeouts as signed 32-bit milliseconds). */
const MAX_TIMEOUT_MS = 2147483646;

/** kong.service's argument rule: a Lua number with an integer value (a numeric string is refused), within bounds. */
function checkBalancerInteger(L: LuaState, arg: number, name: string, min: number, max: number): number {
  const value = lua.lua_type(L, arg) === lua.LUA_TNUMBER ? lua.lua_tonumber(L, arg) : NaN;
  if (!Number.isInteger(value)) lauxlib.luaL_error(L, toLua(`${name} must be an integer`));
  if (value < min || value > max) lauxlib.luaL_error(L, toLua(`${name} must be an integer between ${min} and ${max}: given ${value}`));
  return value;
}

export function clientFunctions(): Record<string, HostFunction> {
  const run = () => current().run;
  return {
    get_ip: (L) => { pushString(L, run().host.peerIp ?? run().client.ip); return 1; },
    get_forwarded_ip: (L) => { pushString(L, run().client.ip); return 1; },
    get_port: (L) => { pushValue(L, run().host.peerPort ?? null); return 1; },
    get_forwarded_port: (L) => { pushValue(L, run().host.peerPort ?? null); return 1; },
    get_consumer: (L) => { pushValue(L, run().client.consumer); return 1; },
    get_credential: (L) => { pushValue(L, run().client.credential); return 1; },
    get_protocol: (L) => { pushString(L, run().host.protocol); return 1; },
    authenticate: (L) => {
      onlyIn(L, 'kong.client.authenticate', ['access']);
      const consumer = optTable(L, 1, 'consumer must be a table');
      const credential = optTable(L, 2, 'credential must be a table');
      if (consumer === null && credential === null) return lauxlib.luaL_error(L, toLua('either credential or consumer must be provided'));
      run().authenticate(consumer as Row | null, credential as Row | null);
      return 0;
    },
    load_consumer: (L) => {
      onlyIn(L, 'kong.client.load_consumer', ['access', 'header_filter', 'body_filter', 'log']);
      if (lua.lua_type(L, 1) !== lua.LUA_TSTRING) return lauxlib.luaL_error(L, toLua('consumer_id must be a string'));
      const id = checkString(L, 1);
      const byUsername = lua.lua_toboolean(L, 2);
      if (!UUID.test(id) && !byUsername) return lauxlib.luaL_error(L, toLua('cannot load a consumer with an id that is not a uuid'));
      const entities = run().entities;
      const consumer = entities.consumers.get(id) ?? (byUsername ? entities.consumerByIdOrName(id) : undefined);
      pushValue(L, consumer ?? null);
      return 1;
    },
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A table argument as a row, null for nil; anything else is the error `message`. */
function optTable(L: LuaState, idx: number, message: string): Record<string, unknown> | null {
  const t = lua.lua_type(L, idx);
  if (t === lua.LUA_TNIL || t === lua.LUA_TNONE) return null;
  if (t !== lua.LUA_TTABLE) lauxlib.luaL_error(L, toLua(message));
  return toValue(L, idx) as Record<string, unknown>;
}

/** Kong's kong.log.*: every argument converted with tostring and concatenated without separators. */
export function joinArgs(L: LuaState, from: number): string {
  const n = lua.lua_gettop(L);
  let out = '';
  for (let i = from; i <= n; i++) {
    out += fromLua(lauxlib.luaL_tolstring(L, i));
    lua.lua_pop(L, 1);
  }
  return out;
}

type Level = 'debug' | 'info' | 'notice' | 'warn' | 'error';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const INSPECT_MAX_DEPTH = 8;

/** One value as inspect.lua shows it on one line: strings quoted, tables as { 1, 2, key = value, ["odd key"] = value }. */
function inspectValue(L: LuaState, idx: number, depth: number): string {
  switch (lua.lua_type(L, idx)) {
    case lua.LUA_TNIL: case lua.LUA_TNONE: return 'nil';
    case lua.LUA_TSTRING: return JSON.stringify(fromLua(lua.lua_tolstring(L, idx)));
    case lua.LUA_TTABLE: return depth >= INSPECT_MAX_DEPTH ? '{...}' : inspectTable(L, lua.lua_absindex(L, idx), depth);
    default: {
      const text = fromLua(lauxlib.luaL_tolstring(L, idx));
      lua.lua_pop(L, 1);
      return lua.lua_type(L, idx) === lua.LUA_TFUNCTION ? `<${text.replace(':', '')}>` : text;
    }
  }
}

function inspectTable(L: LuaState, abs: number, depth: number): string {
  const items: string[] = [];
  const n = lua.lua_rawlen(L, abs);
  for (let i = 1; i <= n; i++) {
    lua.lua_rawgeti(L, abs, i);
    items.push(inspectValue(L, -1, depth + 1));
    lua.lua_pop(L, 1);
  }
  // inspect.lua's order: number keys (by value), then string keys (by bytes), then the rest
  const keyed: Array<{ rank: number; num: number; str: string; text: string }> = [];
  lua.lua_pushnil(L);
  while (lua.lua_next(L, abs) !== 0) {
    const type = lua.lua_type(L, -2);
    const num = type === lua.LUA_TNUMBER ? lua.lua_tonumber(L, -2) : 0;
    if (!(type === lua.LUA_TNUMBER && Number.isInteger(num) && num >= 1 && num <= n)) {
      const str = type === lua.LUA_TSTRING ? fromLua(lua.lua_tolstring(L, -2)) : '';
      const shown = type === lua.LUA_TSTRING && IDENTIFIER.test(str) ? str : `[${inspectValue(L, -2, depth + 1)}]`;
      keyed.push({ rank: type === lua.LUA_TNUMBER ? 0 : type === lua.LUA_TSTRING ? 1 : 2, num, str, text: `${shown} = ${inspectValue(L, -1, depth + 1)}` });
    }
    lua.lua_pop(L, 1);
  }
  keyed.sort((a, b) => a.rank - b.rank || a.num - b.num || (a.str < b.str ? -1 : a.str > b.str ? 1 : 0));
  for (const k of keyed) items.push(k.text);
  return items.length === 0 ? '{}' : `{ ${items.join(', ')} }`;
}

export function logAt(level: Level, text: string): void {
  const call = current();
  const log = call.run.log;
  const fields = { plugin_id: call.pluginId, phase: call.phase };
  if (level === 'notice') (log.notice ?? log.info).call(log, `[lua] ${text}`, fields);
  else log[level](`[lua] ${text}`, fields);
}

/** A field of the table at idx as tostring shows it, or null when it is nil or false (Lua's falsy). */
function truthyField(L: LuaState, idx: number, name: string): string | null {
  lua.lua_getfield(L, idx, toLua(name));
  const set = lua.lua_toboolean(L, -1);
  const text = set ? fromLua(lauxlib.luaL_tolstring(L, -1)) : null;
  lua.lua_pop(L, set ? 2 : 1);
  return text;
}

/** An error naming the snippet's line: kong.log.deprecation is reached through the prelude's __call wrapper. */
function callerError(L: LuaState, text: string): number {
  lauxlib.luaL_where(L, 2);
  lua.lua_pushstring(L, toLua(text));
  lua.lua_concat(L, 2);
  return lua.lua_error(L);
}

/**
 * Kong's kong.log.deprecation(...) (kong/deprecation.lua over Penlight 1.14's raise_deprecation): every call
 * writes its line at warn, the same message as often as it is raised (neither Kong nor Penlight dedups or
 * rate-limits). A trailing table is metadata: after/removal become the suffix, trace = true adds a traceback.
 */
const deprecation: HostFunction = (L) => {
  let n = lua.lua_gettop(L);
  let after: string | null = null;
  let removal: string | null = null;
  let trace = false;
  if (n > 0 && lua.lua_type(L, n) === lua.LUA_TTABLE) {
    after = truthyField(L, n, 'after');
    removal = truthyField(L, n, 'removal');
    lua.lua_getfield(L, n, toLua('trace'));
    trace = lua.lua_toboolean(L, -1);
    lua.lua_pop(L, 1);
    n--;
  }
  // Kong joins the arguments with table.concat, which takes strings and numbers only
  let message = '';
  for (let i = 1; i <= n; i++) {
    const t = lua.lua_type(L, i);
    if (t !== lua.LUA_TSTRING && t !== lua.LUA_TNUMBER) return callerError(L, `invalid value (at index ${i}) in table for 'concat'`);
    message += fromLua(lauxlib.luaL_tolstring(L, i));
    lua.lua_pop(L, 1);
  }
  if (after !== null && removal !== null) message += ` (deprecated after ${after}, scheduled for removal in ${removal})`;
  else if (after !== null) message += ` (deprecated after ${after})`;
  else if (removal !== null) message += ` (scheduled for removal in ${removal})`;
  // Penlight reserves a leading "@" for Lua 5.4's warn() control messages
  if (message.startsWith('@')) return callerError(L, "message cannot start with '@'");
  if (trace) {
    lauxlib.luaL_traceback(L, L, toLua(''), 2); // from the snippet's line, past the prelude's wrapper
    message += ` ${fromLua(lua.lua_tolstring(L, -1)).trimStart()}`;
    lua.lua_pop(L, 1);
  }
  logAt('warn', message);
  return 0;
};

/** Plugins (by id) whose snippets called kong.log.inspect.off(): Kong's switch is per logging facility, one per plugin. */
const inspectOff = new Set<string>();

export function logFunctions(): Record<string, HostFunction | Record<string, HostFunction>> {
  const at = (level: Level): HostFunction => (L) => { logAt(level, joinArgs(L, 1)); return 0; };
  return {
    // kong.log(...) is kong.log.notice(...)
    __call: at('notice'),
    inspect: {
      // Kong's kong.log.inspect(...): the arguments pretty-printed (inspect.lua's style), separated by spaces, at notice
      __call: (L) => {
        if (inspectOff.has(current().pluginId)) return 0;
        const parts: string[] = [];
        for (let i = 1, n = lua.lua_gettop(L); i <= n; i++) parts.push(inspectValue(L, i, 0));
        logAt('notice', parts.join(' '));
        return 0;
      },
      on: (L) => { void L; inspectOff.delete(current().pluginId); return 0; },
      off: (L) => { void L; inspectOff.add(current().pluginId); return 0; },
    },
    // .write(...) is the plain warn-level writer Kong's deprecation handler ends in
    deprecation: { __call: deprecation, write: at('warn') },
    debug: at('debug'), info: at('info'), notice: at('notice'), warn: at('warn'),
    err: at('error'), crit: at('error'), alert: at('error'), emerg: at('error'),
    set_serialize_value: (L) => {
      const key = checkString(L, 1);
      const t = lua.lua_type(L, 2);
      if (t !== lua.LUA_TNIL && t !== lua.LUA_TNUMBER && t !== lua.LUA_TSTRING && t !== lua.LUA_TBOOLEAN && t !== lua.LUA_TTABLE) {
        lauxlib.luaL_argerror(L, 2, toLua('value must be a number, string, boolean, table or nil'));
      }
      const run = current().run;
      (run.serializeValues ??= new Map()).set(key, t === lua.LUA_TNIL ? null : toValue(L, 2));
      return 0;
    },
    serialize: (L) => { pushValue(L, serializeLog(current().run)); return 1; },
  };
}

export function routerFunctions(): Record<string, HostFunction> {
  return {
    get_route: (L) => { pushValue(L, current().run.route?.row ?? null); return 1; },
    get_service: (L) => { pushValue(L, current().run.service?.row ?? null); return 1; },
  };
}

export function nodeFunctions(): Record<string, HostFunction> {
  return {
    get_id: (L) => { pushValue(L, luaSettings().nodeId); return 1; },
    get_hostname: (L) => { pushString(L, hostname()); return 1; },
    get_memory_stats: (L) => {
      // Kong's shape; Node has no shared dictionaries, and the V8 heap is this worker's Lua VM's counterpart
      const format = bytesFormatter(L, 1, 2);
      lua.lua_createtable(L, 0, 2);
      lua.lua_newtable(L);
      lua.lua_setfield(L, -2, toLua('lua_shared_dicts'));
      pushValue(L, [{ http_allocated_gc: format(process.memoryUsage().heapUsed), pid: process.pid }]);
      lua.lua_setfield(L, -2, toLua('workers_lua_vms'));
      return 1;
    },
  };
}

/**
 * Kong's bytes_to_str(bytes, unit, scale) with the unit and scale arguments at idx, idx+1 checked first (Kong's
 * messages): no unit or "b" is the byte count as a string, k/m/g the size in KiB/MiB/GiB with `scale` decimals.
 */
function bytesFormatter(L: LuaState, unitIdx: number, scaleIdx: number): (bytes: number) => string {
  const unitType = lua.lua_type(L, unitIdx);
  const unit = unitType === lua.LUA_TNIL || unitType === lua.LUA_TNONE ? '' : fromLua(lauxlib.luaL_tolstring(L, unitIdx));
  if (unitType !== lua.LUA_TNIL && unitType !== lua.LUA_TNONE) lua.lua_pop(L, 1);
  const u = unit.toLowerCase();
  if (u === '' || u === 'b') return (bytes) => String(Math.trunc(bytes));
  const scaleType = lua.lua_type(L, scaleIdx);
  const scale = scaleType === lua.LUA_TNIL || scaleType === lua.LUA_TNONE ? 2 : scaleType === lua.LUA_TNUMBER ? lua.lua_tonumber(L, scaleIdx) : -1;
  if (scale < 0) lauxlib.luaL_error(L, toLua('scale must be equal or greater than 0'));
  const divisor = u === 'k' ? 1024 : u === 'm' ? 1024 ** 2 : u === 'g' ? 1024 ** 3 : 0;
  if (divisor === 0) lauxlib.luaL_error(L, toLua(`invalid unit '${unit}' (expected 'k/K', 'm/M', or 'g/G')`));
  const suffix = u === 'k' ? 'KiB' : u === 'm' ? 'MiB' : 'GiB';
  // %.<n>f takes the integer part of a fractional scale
  return (bytes) => `${(bytes / divisor).toFixed(Math.min(Math.trunc(scale), 100))} ${suffix}`;
}

// kong.request.* and kong.service.request.*: the client request as the plugin API exposes it (PluginRun.request).
import { current, type LuaPhase } from './active';
import { lauxlib, lua, toLua, type HostFunction, type LuaState } from './fengari';
import { nestsDeeperThan } from '@tollgate/declarative/nesting';
import { cjsonEncode } from '../grpc/prepared-proto';
import { orderedArgs, parseArgs } from './args';
import { checkHeader, checkHeaders, luaTypeName, quoted } from './pdk-checks';
import { checkString, jsonValue, NotSerialisable, optString, pushString, pushValue, setArrayMetatable } from './values';

const BEFORE_PROXY: readonly LuaPhase[] = ['rewrite', 'access'];

/** Kong's phase check: a function that cannot run in this phase is an error naming both. */
export function onlyIn(L: LuaState, name: string, phases: readonly LuaPhase[]): void {
  const phase = current().phase;
  if (!phases.includes(phase)) lauxlib.luaL_error(L, toLua(`${name} cannot be called in the ${phase} phase (only in: ${phases.join(', ')})`));
}

const headerKey = (name: string) => name.toLowerCase().replace(/_/g, '-');

/**
 * Pushes a header list as Kong's get_headers table (case-insensitive lookups, `_` read as `-`), its first `limit`
 * values (each of a repeated header counting), then "truncated" when some were left out, as ngx's get_headers
 * returns it: the number of values pushed (1 or 2).
 */
export function pushHeaders(L: LuaState, headers: Record<string, unknown>, headersMt: number, limit = DEFAULT_ENTRIES): number {
  const first = firstEntries(stripPseudo(headers), limit);
  pushValue(L, first.out);
  lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, headersMt);
  lua.lua_setmetatable(L, -2);
  return pushTruncated(L, first.truncated);
}

/** How many arguments or headers Kong's PDK (and ngx's readers) return when the caller names no limit. */
const DEFAULT_ENTRIES = 100;

/**
 * Kong's optional `max_args` / `max_headers` argument at `index`: nil is the default of 100; else a number from 1
 * to 1000, or Kong's error naming the argument.
 */
export function kongEntryLimit(L: LuaState, index: number, name: 'max_args' | 'max_headers'): number {
  const t = lua.lua_type(L, index);
  if (t === lua.LUA_TNIL || t === lua.LUA_TNONE) return DEFAULT_ENTRIES;
  if (t !== lua.LUA_TNUMBER) return lauxlib.luaL_error(L, toLua(`${name} must be a number`));
  const n = lua.lua_tonumber(L, index);
  if (n < 1) return lauxlib.luaL_error(L, toLua(`${name} must be >= 1`));
  if (n > 1000) return lauxlib.luaL_error(L, toLua(`${name} must be <= 1000`));
  return Math.floor(n);
}

/** ngx.req.get_headers / get_uri_args's own `max_*` argument: nil is 100, 0 (or less) no limit. */
export function ngxEntryLimit(L: LuaState, index: number): number {
  const n = lauxlib.luaL_optinteger(L, index, DEFAULT_ENTRIES);
  return n <= 0 ? Infinity : n;
}

/**
 * The first `limit` values of a name -> value(s) record, in its order, each value of a list counting as one (ngx
 * counts header lines and arguments); `truncated` when some were left out.
 */
export function firstEntries(record: Record<string, unknown>, limit: number): { out: Record<string, unknown>; truncated: boolean } {
  let left = limit;
  let out: Record<string, unknown> | null = null;
  const keys = Object.keys(record);
  for (let i = 0; i < keys.length; i++) {
    const v = record[keys[i]];
    const n = Array.isArray(v) ? v.length : 1;
    if (n <= left) {
      left -= n;
      continue;
    }
    // the first value past the limit: copy what fits and stop
    out = {};
    for (let j = 0; j < i; j++) out[keys[j]] = record[keys[j]];
    if (left > 0) out[keys[i]] = left === 1 ? (v as unknown[])[0] : (v as unknown[]).slice(0, left);
    return { out, truncated: true };
  }
  return { out: record, truncated: false };
}

/** ngx's second return value of a truncated read. */
export function pushTruncated(L: LuaState, truncated: boolean): number {
  if (!truncated) return 1;
  pushString(L, 'truncated');
  return 2;
}

function stripPseudo(headers: Record<string, unknown>): Record<string, unknown> {
  let out: Record<string, unknown> | null = null;
  for (const k of Object.keys(headers)) if (k.startsWith(':')) (out ??= { ...headers }), delete out[k];
  return out ?? headers;
}

/** Query as Kong returns it: a value, or a list for repeated names. */
export function queryTable(query: ReadonlyMap<string, readonly string[]>): Record<string, string | readonly string[]> {
  const out: Record<string, string | readonly string[]> = {};
  for (const [k, vs] of query) out[k] = vs.length === 1 ? vs[0] : vs;
  return out;
}

/**
 * Kong's get_query: an argument without `=` is `true`, a repeated one a list (as sent, when no plugin changed it);
 * the first `limit` arguments in the order sent.
 */
function kongQuery(limit: number): { out: Record<string, unknown>; truncated: boolean } {
  const request = current().run.request;
  // a query a plugin set as a map (JS plugins) has no bare names to keep: read it as the map
  if (request.rawQueryOverride === null && request.queryOverride !== null) return firstEntries(queryTable(request.getQuery()), limit);
  const parsed = parseArgs(request.rawQueryOverride ?? current().run.host.rawQuery, limit);
  return { out: parsed.args, truncated: parsed.truncated };
}

function forwarded(header: string): string | undefined {
  const run = current().run;
  if (!run.host.trustedPeer) return undefined;
  const v = run.request.getHeader(header);
  return v === undefined ? undefined : v.split(',')[0].trim();
}

const port = () => current().run.host.serverPort ?? (current().run.request.scheme === 'https' ? 443 : 80);

export function requestFunctions(headersMt: () => number): Record<string, HostFunction> {
  const req = () => current().run.request;
  return {
    get_header: (L) => { pushValue(L, req().getHeader(headerKey(checkString(L, 1)))); return 1; },
    get_headers: (L) => pushHeaders(L, req().upstreamHeaders() as Record<string, unknown>, headersMt(), kongEntryLimit(L, 1, 'max_headers')),
    get_method: (L) => { pushString(L, req().method); return 1; },
    get_path: (L) => { pushString(L, req().rawPath); return 1; },
    get_path_with_query: (L) => {
      const raw = current().run.host.rawQuery;
      pushString(L, raw === '' ? req().rawPath : `${req().rawPath}?${raw}`);
      return 1;
    },
    get_raw_path: (L) => { pushString(L, req().rawPath); return 1; },
    get_scheme: (L) => { pushString(L, req().scheme); return 1; },
    get_host: (L) => { pushString(L, req().host.replace(/:\d+$/, '').toLowerCase()); return 1; },
    get_port: (L) => { lua.lua_pushinteger(L, port()); return 1; },
    get_http_version: (L) => { lua.lua_pushnumber(L, current().run.host.httpVersion ?? 1.1); return 1; },
    get_forwarded_scheme: (L) => { pushString(L, forwarded('x-forwarded-proto') ?? req().scheme); return 1; },
    get_forwarded_host: (L) => { pushString(L, forwarded('x-forwarded-host') ?? req().host.replace(/:\d+$/, '').toLowerCase()); return 1; },
    get_forwarded_port: (L) => { lua.lua_pushinteger(L, Number(forwarded('x-forwarded-port') ?? port())); return 1; },
    get_forwarded_path: (L) => { pushString(L, forwarded('x-forwarded-path') ?? req().rawPath); return 1; },
    get_forwarded_prefix: (L) => { pushValue(L, forwarded('x-forwarded-prefix')); return 1; },
    get_query: (L) => {
      const query = kongQuery(kongEntryLimit(L, 1, 'max_args'));
      pushValue(L, query.out);
      return pushTruncated(L, query.truncated);
    },
    get_query_arg: (L) => { pushValue(L, req().getQuery().get(checkString(L, 1))?.[0]); return 1; },
    get_raw_query: (L) => { pushString(L, req().upstreamQuery().slice(1)); return 1; },
    get_raw_body: (L) => {
      const body = current().body;
      if (body === null) { lua.lua_pushnil(L); pushString(L, 'request body was not read'); return 2; }
      pushValue(L, body);
      return 1;
    },
    get_body: (L) => {
      const body = current().body;
      if (body === null) { lua.lua_pushnil(L); pushString(L, 'request body was not read'); return 2; }
      return pushDecodedBody(L, body, optString(L, 1) ?? req().getHeader('content-type'), 2);
    },
    get_start_time: (L) => { lua.lua_pushinteger(L, Math.round(current().run.timings.startedAt)); return 1; },
    get_uri_captures: (L) => {
      // Kong's shape: { unnamed = { [0] = whole match, captures... }, named = { name = value } }
      lua.lua_createtable(L, 0, 2);
      pushCaptures(L, 'numbered');
      lua.lua_setfield(L, -2, toLua('unnamed'));
      pushCaptures(L, 'named');
      lua.lua_setfield(L, -2, toLua('named'));
      return 1;
    },
  };
}

/**
 * The matched route's regex captures as a Lua table: `numbered` ones under integer keys (0: the whole match),
 * `named` ones under their names, or `all` of both in one table (request-transformer templates' uri_captures).
 */
/**
 * Kong's get_body for a request or a service response: the body decoded by its MIME type (the argument, else its
 * Content-Type), pushed as `value, err, mimetype`: a form as a table of args, JSON as a table (anything but an
 * object or array is "invalid json body"), multipart form data as its fields; other types are refused by name.
 */
export function pushDecodedBody(L: LuaState, body: Buffer, contentType: string | undefined, maxArgsIndex: number): number {
  if (contentType === undefined) {
    lua.lua_pushnil(L);
    pushString(L, 'missing content type');
    return 2;
  }
  const semicolon = contentType.indexOf(';');
  const mimetype = (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).toLowerCase();
  if (mimetype.startsWith('application/x-www-form-urlencoded')) {
    // Kong checks max_args for forms only, and keeps the first ones (ngx.req.get_post_args)
    pushValue(L, parseArgs(body.toString(), kongEntryLimit(L, maxArgsIndex, 'max_args')).args);
    lua.lua_pushnil(L);
    pushString(L, 'application/x-www-form-urlencoded');
    return 3;
  }
  if (mimetype.startsWith('application/json')) {
    let json: unknown = null;
    const text = body.toString();
    // cjson refuses a document nested deeper than 1000 levels (decode_max_depth): Kong's "invalid json body"
    if (!nestsDeeperThan(text)) {
      try { json = JSON.parse(text); } catch { json = null; }
    }
    if (json === null || typeof json !== 'object') {
      lua.lua_pushnil(L);
      pushString(L, 'invalid json body');
    } else {
      pushValue(L, json);
      lua.lua_pushnil(L);
    }
    pushString(L, 'application/json');
    return 3;
  }
  if (mimetype.startsWith('multipart/form-data')) {
    pushValue(L, multipartFields(body, contentType));
    lua.lua_pushnil(L);
    pushString(L, 'multipart/form-data');
    return 3;
  }
  lua.lua_pushnil(L);
  pushString(L, `unsupported content type '${contentType}'`);
  pushString(L, mimetype);
  return 3;
}

/**
 * A multipart/form-data body as Kong's get_body gives it (lua-multipart's get_all): each part's bytes under its
 * field name, the first part of a name winning; no boundary in the type, or none in the body, gives no fields.
 */
export function multipartFields(body: Buffer, contentType: string): Record<string, Buffer> {
  const fields: Record<string, Buffer> = {};
  let boundary = /;\s*boundary=(\S+)/i.exec(contentType)?.[1] ?? '';
  if (boundary.length > 1 && (boundary[0] === '"' || boundary[0] === "'") && boundary.endsWith(boundary[0])) boundary = boundary.slice(1, -1);
  if (boundary === '') return fields;
  const delimiter = Buffer.from(`--${boundary}`, 'latin1');
  const next = Buffer.from(`\r\n--${boundary}`, 'latin1');
  let at = body.indexOf(delimiter);
  while (at !== -1) {
    let start = at + delimiter.length;
    if (body[start] === 0x2d && body[start + 1] === 0x2d) break; // the closing delimiter
    start += body[start] === 0x0d ? 2 : 1;
    const headEnd = body.indexOf('\r\n\r\n', start, 'latin1');
    if (headEnd === -1) break;
    const end = body.indexOf(next, headEnd + 4);
    if (end === -1) break;
    const name = /content-disposition:[^\r\n]*?;\s*name=(?:"([^"]*)"|([^;\s]+))/i.exec(body.toString('latin1', start, headEnd + 2));
    const field = name === null ? undefined : (name[1] ?? name[2]);
    if (field !== undefined && !(field in fields)) fields[field] = body.subarray(headEnd + 4, end);
    at = end + 2;
  }
  return fields;
}

export function pushCaptures(L: LuaState, which: 'numbered' | 'named' | 'all'): void {
  const captures = current().run.host.uriCaptures ?? null;
  lua.lua_newtable(L);
  // Kong returns the unnamed captures with cjson.array_mt: JSON has them as an array from [1], without the [0] match
  if (which === 'numbered') setArrayMetatable(L, -1);
  if (captures === null) return;
  for (const [k, v] of Object.entries(captures)) {
    const numbered = /^\d+$/.test(k);
    if (which === 'numbered' && !numbered) continue;
    if (which === 'named' && numbered) continue;
    pushValue(L, v);
    if (numbered) lua.lua_rawseti(L, -2, Number(k));
    else lua.lua_setfield(L, -2, toLua(k));
  }
}

/** The methods Kong's kong.service.request.set_method takes (nginx's method ids): upper-case, exactly these. */
const SETTABLE_METHODS = new Set(['GET', 'HEAD', 'PUT', 'POST', 'DELETE', 'OPTIONS', 'MKCOL', 'COPY', 'MOVE', 'PROPFIND', 'PROPPATCH', 'LOCK', 'UNLOCK', 'PATCH', 'TRACE']);

export function serviceRequestFunctions(): Record<string, HostFunction> {
  const req = () => current().run.request;
  return {
    set_header: (L) => {
      onlyIn(L, 'kong.service.request.set_header', BEFORE_PROXY);
      const { name, value } = checkHeader(L, 1, 2);
      req().setHeader(name, value);
      return 0;
    },
    add_header: (L) => {
      onlyIn(L, 'kong.service.request.add_header', BEFORE_PROXY);
      const { name, value } = checkHeader(L, 1, 2);
      for (const one of Array.isArray(value) ? value : [value]) req().addHeader(name, one);
      return 0;
    },
    clear_header: (L) => { onlyIn(L, 'kong.service.request.clear_header', BEFORE_PROXY); req().clearHeader(checkString(L, 1)); return 0; },
    set_headers: (L) => {
      onlyIn(L, 'kong.service.request.set_headers', BEFORE_PROXY);
      if (lua.lua_type(L, 1) !== lua.LUA_TTABLE) return lauxlib.luaL_error(L, toLua('headers must be a table'));
      for (const [k, v] of Object.entries(checkHeaders(L, 1))) req().setHeader(k, v);
      return 0;
    },
    set_path: (L) => {
      onlyIn(L, 'kong.service.request.set_path', BEFORE_PROXY);
      const path = checkString(L, 1);
      if (!path.startsWith('/')) lauxlib.luaL_argerror(L, 1, toLua('path must start with /'));
      req().setPath(path);
      return 0;
    },
    set_raw_query: (L) => {
      onlyIn(L, 'kong.service.request.set_raw_query', BEFORE_PROXY);
      if (lua.lua_type(L, 1) !== lua.LUA_TSTRING) return lauxlib.luaL_error(L, toLua('query must be a string'));
      req().setRawQuery(checkString(L, 1));
      return 0;
    },
    set_query: (L) => {
      onlyIn(L, 'kong.service.request.set_query', BEFORE_PROXY);
      if (lua.lua_type(L, 1) !== lua.LUA_TTABLE) return lauxlib.luaL_error(L, toLua('args must be a table'));
      req().setRawQuery(orderedArgs(L, 1));
      return 0;
    },
    clear_query_arg: (L) => {
      onlyIn(L, 'kong.service.request.clear_query_arg', BEFORE_PROXY);
      if (lua.lua_type(L, 1) !== lua.LUA_TSTRING) return lauxlib.luaL_error(L, toLua('query argument name must be a string'));
      const name = checkString(L, 1);
      const args = req().upstreamQuery().slice(1);
      if (args === '') return 0;
      // Kong removes it with ada's URLSearchParams (the WHATWG serializer re-encodes the rest), then writes + as %20
      const params = new URLSearchParams(args);
      params.delete(name);
      req().setRawQuery(params.toString().replace(/\+/g, '%20'));
      return 0;
    },
    set_body: (L) => setBody(L),
    set_method: (L) => {
      onlyIn(L, 'kong.service.request.set_method', BEFORE_PROXY);
      if (lua.lua_type(L, 1) !== lua.LUA_TSTRING) return lauxlib.luaL_error(L, toLua('method must be a string'));
      const method = checkString(L, 1);
      if (!SETTABLE_METHODS.has(method)) return lauxlib.luaL_error(L, toLua(`invalid method: ${method}`));
      req().setMethod(method);
      return 0;
    },
    set_raw_body: (L) => { onlyIn(L, 'kong.service.request.set_raw_body', BEFORE_PROXY); req().setBody(Buffer.from(lauxlib.luaL_checklstring(L, 1))); return 0; },
    enable_buffering: (L) => {
      onlyIn(L, 'kong.service.request.enable_buffering', BEFORE_PROXY);
      const version = current().run.host.httpVersion ?? 1.1;
      if (version >= 2) lauxlib.luaL_error(L, toLua(`buffered proxying cannot currently be enabled with http/${version}, please use http/1.x instead`));
      current().run.bufferedProxying = true;
      return 0;
    },
    set_scheme: (L) => {
      onlyIn(L, 'kong.service.request.set_scheme', BEFORE_PROXY);
      const scheme = checkString(L, 1);
      if (scheme !== 'http' && scheme !== 'https') return lauxlib.luaL_error(L, toLua(`invalid scheme: ${scheme}`));
      current().run.schemeOverride = scheme;
      return 0;
    },
  };
}

const CONTENT_TYPE_MISSING = 'content type was neither explicitly given as an argument or received as a header';

/**
 * Kong's kong.service.request.set_body(args, mimetype): the table encoded by the MIME type given, else by the
 * request's Content-Type (none: nil and Kong's message), set as the body with that Content-Type; a type other than
 * Kong's three is an error. Returns true.
 */
function setBody(L: LuaState): number {
  onlyIn(L, 'kong.service.request.set_body', BEFORE_PROXY);
  if (lua.lua_type(L, 1) !== lua.LUA_TTABLE) return lauxlib.luaL_error(L, toLua('args must be a table'));
  // Kong's `if mime and type(mime) ~= "string"`: false counts as not given
  const mimeType = lua.lua_type(L, 2);
  const given = mimeType !== lua.LUA_TNIL && mimeType !== lua.LUA_TNONE && !(mimeType === lua.LUA_TBOOLEAN && !lua.lua_toboolean(L, 2));
  if (given && mimeType !== lua.LUA_TSTRING) return lauxlib.luaL_error(L, toLua('mime must be a string'));
  const request = current().run.request;
  const mime = given ? checkString(L, 2) : request.getHeader('content-type');
  if (mime === undefined) {
    lua.lua_pushnil(L);
    pushString(L, CONTENT_TYPE_MISSING);
    return 2;
  }
  const semicolon = mime.indexOf(';');
  const bare = semicolon === -1 ? mime : mime.slice(0, semicolon);
  let body: Buffer;
  let contentType = mime;
  if (bare === 'application/x-www-form-urlencoded') {
    body = Buffer.from(orderedArgs(L, 1));
  } else if (bare === 'application/json') {
    body = Buffer.from(encodeJson(L, 1));
  } else if (bare === 'multipart/form-data') {
    ({ body, contentType } = multipartBody(L, 1, mime));
  } else {
    return lauxlib.luaL_error(L, toLua(`unsupported content type ${mime}`));
  }
  request.setBody(body);
  request.setHeader('content-type', contentType);
  lua.lua_pushboolean(L, true);
  return 1;
}

/** cjson.encode of the value at idx (as values.ts's jsonValue reads it; '/' escaped as cjson does), or cjson's error. */
function encodeJson(L: LuaState, idx: number): string {
  try {
    return cjsonEncode(jsonValue(L, idx));
  } catch (err) {
    if (err instanceof NotSerialisable) return lauxlib.luaL_error(L, toLua(err.message));
    throw err;
  }
}

/**
 * Kong's multipart/form-data encoder: the boundary from the type (`boundary=` to its end, or its quoted value),
 * else a random number, drawn again while a value holds it after a line break; keys must be strings and values
 * strings, numbers or booleans (Kong's messages); parts in key order; the type sent names the boundary.
 */
function multipartBody(L: LuaState, idx: number, mime: string): { body: Buffer; contentType: string } {
  let boundary: string | null = null;
  const at = mime.indexOf('boundary=');
  if (at !== -1) {
    const start = at + 9;
    if (mime[start] === '"') {
      const till = mime.indexOf('"', start + 1);
      boundary = till === -1 ? mime.slice(start + 1, -1) : mime.slice(start + 1, till);
    } else boundary = mime.slice(start);
  }
  const fields: Array<[string, Uint8Array]> = [];
  lua.lua_pushnil(L);
  while (lua.lua_next(L, idx) !== 0) {
    if (lua.lua_type(L, -2) !== lua.LUA_TSTRING) {
      const got = luaTypeName(L, -2);
      lauxlib.luaL_error(L, toLua(`invalid key ${quoted(L, lua.lua_absindex(L, -2))}: got ${got}, expected string`));
    }
    const t = lua.lua_type(L, -1);
    if (t !== lua.LUA_TSTRING && t !== lua.LUA_TNUMBER && t !== lua.LUA_TBOOLEAN) {
      lauxlib.luaL_error(L, toLua(`invalid value ${quoted(L, lua.lua_absindex(L, -2))}: got ${luaTypeName(L, -1)}, expected string, number or boolean`));
    }
    const key = checkStringAt(L, -2);
    const value: Uint8Array = lauxlib.luaL_tolstring(L, -1);
    lua.lua_pop(L, 2);
    fields.push([key, value]);
  }
  const holds = (b: string) => {
    const check = Buffer.from(`\n--${b}`);
    return fields.some(([, v]) => Buffer.from(v).includes(check));
  };
  while (boundary === null || holds(boundary)) boundary = String(1 + Math.floor(Math.random() * 1e10));
  fields.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const parts: Buffer[] = [];
  for (const [k, v] of fields) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n`), Buffer.from(v), Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

function checkStringAt(L: LuaState, idx: number): string {
  lua.lua_pushvalue(L, idx);
  const s = checkString(L, -1);
  lua.lua_pop(L, 1);
  return s;
}

// The ngx.* functions that map directly onto the plugin API: ngx.var, ngx.req.*, ngx.say/print/exit, ngx.log.
import { defaultErrorMessage } from '@tollgate/errors';
import { chargeHostWork, current } from './active';
import { bytesAt, encodeArgs, escapeUriComponent, parseArgs } from './args';
import { luaTypeName } from './pdk-checks';
import { fromLua, lauxlib, lua, toLua, type HostFunction, type LuaState } from './fengari';
import { joinArgs, logAt, type RaiseExit } from './pdk-response';
import { firstEntries, ngxEntryLimit, onlyIn, pushHeaders, pushTruncated, queryTable } from './pdk-request';
import { NGX_METHODS } from './pdk-ngx-util';
import { requestState } from './request-state';
import { checkString, optString, pushString, pushValue } from './values';

/** nginx's log levels (ngx.STDERR .. ngx.DEBUG). */
export const NGX_LEVELS: Readonly<Record<string, number>> = { STDERR: 0, EMERG: 1, ALERT: 2, CRIT: 3, ERR: 4, WARN: 5, NOTICE: 6, INFO: 7, DEBUG: 8 };

export const NGX_CONSTANTS: Readonly<Record<string, number>> = {
  ...NGX_LEVELS,
  OK: 0, ERROR: -1, AGAIN: -2, DONE: -4, DECLINED: -5,
  HTTP_CONTINUE: 100, HTTP_SWITCHING_PROTOCOLS: 101, HTTP_OK: 200, HTTP_CREATED: 201, HTTP_ACCEPTED: 202, HTTP_NO_CONTENT: 204,
  HTTP_PARTIAL_CONTENT: 206, HTTP_SPECIAL_RESPONSE: 300, HTTP_MOVED_PERMANENTLY: 301, HTTP_MOVED_TEMPORARILY: 302,
  HTTP_SEE_OTHER: 303, HTTP_NOT_MODIFIED: 304, HTTP_TEMPORARY_REDIRECT: 307, HTTP_PERMANENT_REDIRECT: 308,
  HTTP_BAD_REQUEST: 400, HTTP_UNAUTHORIZED: 401, HTTP_PAYMENT_REQUIRED: 402, HTTP_FORBIDDEN: 403, HTTP_NOT_FOUND: 404,
  HTTP_NOT_ALLOWED: 405, HTTP_NOT_ACCEPTABLE: 406, HTTP_REQUEST_TIMEOUT: 408, HTTP_CONFLICT: 409, HTTP_GONE: 410,
  HTTP_UPGRADE_REQUIRED: 426, HTTP_TOO_MANY_REQUESTS: 429, HTTP_CLOSE: 444, HTTP_ILLEGAL: 451,
  HTTP_INTERNAL_SERVER_ERROR: 500, HTTP_METHOD_NOT_IMPLEMENTED: 501, HTTP_BAD_GATEWAY: 502,
  HTTP_SERVICE_UNAVAILABLE: 503, HTTP_GATEWAY_TIMEOUT: 504, HTTP_VERSION_NOT_SUPPORTED: 505, HTTP_INSUFFICIENT_STORAGE: 507,
  HTTP_NOT_IMPLEMENTED: 501,
  ...Object.fromEntries(Object.entries(NGX_METHODS).map(([name, id]) => [`HTTP_${name}`, id])),
};

const LEVEL_TO_LOG = (level: number): 'debug' | 'info' | 'notice' | 'warn' | 'error' =>
  level <= NGX_LEVELS.ERR ? 'error' : level === NGX_LEVELS.WARN ? 'warn' : level === NGX_LEVELS.NOTICE ? 'notice' : level === NGX_LEVELS.DEBUG ? 'debug' : 'info';

function cookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** ngx.var.<name> for the variables a plugin can see; unknown ones read nil, as nginx's undefined variables. */
function variable(name: string): string | number | undefined {
  const { run } = current();
  const req = run.request;
  const host = run.host;
  if (name.startsWith('http_')) return req.getHeader(name.slice(5).replace(/_/g, '-'));
  if (name.startsWith('arg_')) return req.getQuery().get(name.slice(4))?.[0];
  if (name.startsWith('cookie_')) return cookie(req.getHeader('cookie'), name.slice(7));
  switch (name) {
    case 'request_uri': return host.rawQuery === '' ? req.rawPath : `${req.rawPath}?${host.rawQuery}`;
    case 'uri': return requestState(run).uri ?? req.rawPath;
    case 'args': case 'query_string': { const q = req.upstreamQuery(); return q === '' ? undefined : q.slice(1); }
    case 'is_args': return req.upstreamQuery() === '' ? '' : '?';
    case 'host': return req.host.replace(/:\d+$/, '').toLowerCase();
    case 'scheme': return req.scheme;
    case 'request_method': return req.method;
    // nginx's realip module: remote_addr is the client address real_ip_header named (kong.client.get_forwarded_ip),
    // realip_remote_addr the peer that connected (kong.client.get_ip)
    case 'remote_addr': return run.client.ip;
    case 'realip_remote_addr': return host.peerIp ?? run.client.ip;
    case 'remote_port': return host.peerPort;
    case 'server_port': return host.serverPort;
    case 'server_protocol': return `HTTP/${host.httpVersion ?? 1.1}`;
    case 'request_id': case 'kong_request_id': return run.requestId;
    case 'upstream_uri': return req.getPath() + req.upstreamQuery();
    case 'content_type': return req.getHeader('content-type');
    case 'content_length': return req.getHeader('content-length');
    case 'status': return run.response.getStatus() || undefined;
    default: return undefined;
  }
}

const METHOD_NAMES = new Map(Object.entries(NGX_METHODS).map(([name, id]) => [id, name]));

/** The statuses ngx.redirect takes, with nginx's reason phrases. */
const REDIRECTS: Readonly<Record<number, string>> = { 301: 'Moved Permanently', 302: 'Found', 303: 'See Other', 307: 'Temporary Redirect', 308: 'Permanent Redirect' };

/** Bytes ngx.req.set_uri refuses unless `binary` (OpenResty's unsafe set: control bytes but tab, and DEL). */
const unsafeUriByte = (b: number) => b <= 0x08 || (b >= 0x0a && b <= 0x1f) || b === 0x7f;

/** A URI in an error message, its control bytes written \xHH (OpenResty's escape for the log). */
const shownUri = (bytes: Uint8Array) => Buffer.from(bytes).toString().replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);

/** A query string ngx.req.set_uri_args takes as written: control bytes, space and DEL percent-escaped, as OpenResty does. */
function escapeUnsafe(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b <= 0x20 || b === 0x7f ? `%${b.toString(16).toUpperCase().padStart(2, '0')}` : String.fromCharCode(b);
  return Buffer.from(out, 'latin1').toString();
}

/**
 * ngx.req.set_uri(uri[, jump[, binary]]): sets nginx's current URI ($uri, ngx.var.uri). As in Kong (since 0.11),
 * the upstream path is Kong's upstream_uri, fixed by the router before the plugins run: it does not change (use
 * kong.service.request.set_path). A jump (re-matching locations) exists in rewrite_by_lua only.
 */
function setUri(L: LuaState): number {
  const n = lua.lua_gettop(L);
  if (n < 1 || n > 3) return lauxlib.luaL_error(L, toLua(`expecting 1, 2 or 3 arguments but seen ${n}`));
  const bytes: Uint8Array = lauxlib.luaL_checklstring(L, 1);
  if (bytes.length === 0) return lauxlib.luaL_error(L, toLua('attempt to use zero-length uri'));
  let binary = false;
  if (n >= 3) {
    lauxlib.luaL_checktype(L, 3, lua.LUA_TBOOLEAN);
    binary = lua.lua_toboolean(L, 3);
  }
  const uri = Buffer.from(bytes).toString();
  const unsafe = binary ? -1 : bytes.findIndex(unsafeUriByte);
  if (unsafe !== -1) {
    return lauxlib.luaL_error(L, toLua(`unsafe byte "0x${bytes[unsafe].toString(16).padStart(2, '0')}" in uri "${shownUri(bytes)}" (maybe you want to set the 'binary' argument?)`));
  }
  if (n >= 2) {
    lauxlib.luaL_checktype(L, 2, lua.LUA_TBOOLEAN);
    if (lua.lua_toboolean(L, 2) && current().phase !== 'rewrite') return lauxlib.luaL_error(L, toLua(`API disabled in the context of ${current().phase}_by_lua*`));
  }
  onlyIn(L, 'ngx.req.set_uri', ['rewrite', 'access']);
  requestState(current().run).uri = uri;
  return 0;
}

export function ngxFunctions(raiseExit: RaiseExit, headersMt: () => number): { ngx: Record<string, HostFunction>; req: Record<string, HostFunction>; resp: Record<string, HostFunction>; host: Record<string, HostFunction> } {
  const run = () => current().run;
  const say = (newline: boolean): HostFunction => (L) => {
    onlyIn(L, newline ? 'ngx.say' : 'ngx.print', ['rewrite', 'access']);
    const s = requestState(run());
    (s.said ??= []).push(joinArgs(L, 1) + (newline ? '\n' : ''));
    lua.lua_pushinteger(L, 1);
    return 1;
  };
  return {
    ngx: {
      say: say(true),
      print: say(false),
      exit: (L) => {
        const status = lauxlib.luaL_checkinteger(L, 1);
        const phase = current().phase;
        if (status >= 200 && (phase === 'rewrite' || phase === 'access')) {
          const s = requestState(run());
          const body = s.said ? s.said.join('') : undefined;
          if (body !== undefined || status < 300) run().response.exit(status, body);
          else run().response.error(status, defaultErrorMessage(status));
        }
        return raiseExit(L);
      },
      redirect: (L) => {
        onlyIn(L, 'ngx.redirect', ['rewrite', 'access']);
        const n = lua.lua_gettop(L);
        if (n !== 1 && n !== 2) return lauxlib.luaL_error(L, toLua('expecting one or two arguments'));
        const bytes: Uint8Array = lauxlib.luaL_checklstring(L, 1);
        const status = n === 2 ? Math.trunc(lauxlib.luaL_checknumber(L, 2)) : 302;
        const reason = REDIRECTS[status];
        if (reason === undefined) {
          return lauxlib.luaL_error(L, toLua('only ngx.HTTP_MOVED_TEMPORARILY, ngx.HTTP_MOVED_PERMANENTLY, ngx.HTTP_PERMANENT_REDIRECT, ngx.HTTP_SEE_OTHER, and ngx.HTTP_TEMPORARY_REDIRECT are allowed'));
        }
        const unsafe = bytes.findIndex(unsafeUriByte);
        if (unsafe !== -1) return lauxlib.luaL_error(L, toLua(`unsafe byte "0x${bytes[unsafe].toString(16).padStart(2, '0')}" in redirect uri "${shownUri(bytes)}"`));
        const uri = Buffer.from(bytes).toString();
        // nginx's own page for the status (Kong sends no 3xx through its error handler)
        const title = `${status} ${reason}`;
        const page = `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>openresty</center>\r\n</body>\r\n</html>\r\n`;
        run().response.exit(status, page, { location: uri, 'content-type': 'text/html' });
        return raiseExit(L);
      },
      log: (L) => {
        const level = lauxlib.luaL_checkinteger(L, 1);
        logAt(LEVEL_TO_LOG(level), joinArgs(L, 2));
        return 0;
      },
      now: (L) => { lua.lua_pushnumber(L, Date.now() / 1000); return 1; },
      time: (L) => { lua.lua_pushinteger(L, Math.floor(Date.now() / 1000)); return 1; },
      encode_base64: (L) => { pushString(L, Buffer.from(lauxlib.luaL_checklstring(L, 1)).toString('base64')); return 1; },
      decode_base64: (L) => { pushValue(L, Buffer.from(checkString(L, 1), 'base64')); return 1; },
      escape_uri: (L) => { pushString(L, escapeUriComponent(lauxlib.luaL_checklstring(L, 1))); return 1; },
      unescape_uri: (L) => {
        const s = checkString(L, 1);
        try { pushString(L, decodeURIComponent(s.replace(/\+/g, ' '))); } catch { pushString(L, s); }
        return 1;
      },
    },
    req: {
      get_headers: (L) => pushHeaders(L, run().request.upstreamHeaders() as Record<string, unknown>, headersMt(), ngxEntryLimit(L, 1)),
      set_header: (L) => {
        onlyIn(L, 'ngx.req.set_header', ['rewrite', 'access']);
        const name = checkString(L, 1).toLowerCase();
        const t = lua.lua_type(L, 2);
        if (t === lua.LUA_TNIL || t === lua.LUA_TNONE) run().request.clearHeader(name);
        else if (t === lua.LUA_TTABLE) {
          const list: string[] = [];
          for (let i = 1; ; i++) {
            lua.lua_rawgeti(L, 2, i);
            const v = optString(L, -1);
            lua.lua_pop(L, 1);
            if (v === undefined) break;
            list.push(v);
          }
          if (list.length === 0) run().request.clearHeader(name);
          else run().request.setHeader(name, list);
        } else run().request.setHeader(name, checkString(L, 2));
        return 0;
      },
      clear_header: (L) => { onlyIn(L, 'ngx.req.clear_header', ['rewrite', 'access']); run().request.clearHeader(checkString(L, 1)); return 0; },
      get_method: (L) => { pushString(L, run().request.method); return 1; },
      get_uri_args: (L) => {
        const first = firstEntries(queryTable(run().request.getQuery()), ngxEntryLimit(L, 1));
        pushValue(L, first.out);
        return pushTruncated(L, first.truncated);
      },
      read_body: () => 0,
      discard_body: () => 0,
      get_body_data: (L) => { pushValue(L, current().body); return 1; },
      get_post_args: (L) => {
        const body = current().body;
        if (body === null) return lauxlib.luaL_error(L, toLua('no request body found; maybe you should turn on lua_need_request_body?'));
        const limit = ngxEntryLimit(L, 1);
        if (limit <= 0) chargeHostWork(L, body.length >> 4);
        const parsed = parseArgs(body.toString(), limit);
        pushValue(L, parsed.args);
        return pushTruncated(L, parsed.truncated);
      },
      set_body_data: (L) => {
        onlyIn(L, 'ngx.req.set_body_data', ['rewrite', 'access']);
        run().request.setBody(Buffer.from(lauxlib.luaL_checklstring(L, 1)));
        return 0;
      },
      set_method: (L) => {
        onlyIn(L, 'ngx.req.set_method', ['rewrite', 'access']);
        const id = lauxlib.luaL_checkinteger(L, 1);
        const name = METHOD_NAMES.get(id);
        if (name === undefined) return lauxlib.luaL_error(L, toLua(`unsupported HTTP method: ${id}`));
        run().request.setMethod(name);
        return 0;
      },
      set_uri: (L) => setUri(L),
      set_uri_args: (L) => {
        onlyIn(L, 'ngx.req.set_uri_args', ['rewrite', 'access']);
        const t = lua.lua_type(L, 1);
        if (t === lua.LUA_TTABLE) run().request.setRawQuery(encodeArgs(L, 1));
        else if (t === lua.LUA_TSTRING || t === lua.LUA_TNUMBER) run().request.setRawQuery(escapeUnsafe(bytesAt(L, 1)));
        else return lauxlib.luaL_argerror(L, 1, toLua(`string, number, or table expected, but got ${luaTypeName(L, 1)}`));
        return 0;
      },
      http_version: (L) => { lua.lua_pushnumber(L, run().host.httpVersion ?? 1.1); return 1; },
      start_time: (L) => { lua.lua_pushnumber(L, run().timings.startedAt / 1000); return 1; },
      is_internal: (L) => { lua.lua_pushboolean(L, false); return 1; },
    },
    resp: {
      get_headers: (L) => {
        const live = (run().response as unknown as { live: Record<string, unknown> | null }).live ?? {};
        return pushHeaders(L, live, headersMt(), ngxEntryLimit(L, 1));
      },
    },
    host: {
      print: (L) => {
        const n = lua.lua_gettop(L);
        const parts: string[] = [];
        for (let i = 1; i <= n; i++) {
          parts.push(fromLua(lauxlib.luaL_tolstring(L, i)));
          lua.lua_pop(L, 1);
        }
        // OpenResty's print logs at NOTICE
        logAt('notice', parts.join('\t'));
        return 0;
      },
      var_get: (L) => { pushValue(L, variable(checkString(L, 1))); return 1; },
      var_set: (L) => {
        const name = checkString(L, 1);
        if (name !== 'upstream_uri') return lauxlib.luaL_error(L, toLua(`variable "${name}" not changeable`));
        onlyIn(L, 'ngx.var.upstream_uri', ['rewrite', 'access']);
        const value = checkString(L, 2);
        const q = value.indexOf('?');
        run().request.setPath(q === -1 ? value : value.slice(0, q));
        run().request.setRawQuery(q === -1 ? '' : value.slice(q + 1));
        return 0;
      },
      get_status: (L) => {
        const s = requestState(run());
        pushValue(L, run().response.getStatus() || s.status || 0);
        return 1;
      },
      set_status: (L) => {
        const status = lauxlib.luaL_checkinteger(L, 1);
        requestState(run()).status = status;
        return 0;
      },
    },
  };
}

// Lua run once per VM: the sandbox environment (Kong's whitelist of globals for untrusted code), strict PDK
// tables that name what Tollgate does not provide, and the environment of request-transformer templates.
export const PRELUDE = String.raw`
local host, strict_paths, requires, mode = ...
local setmetatable, rawset, rawget, pairs, error, type, tostring = setmetatable, rawset, rawget, pairs, error, type, tostring

-- Kong's sandbox whitelist (kong/tools/sandbox/environment/lua.lua), as far as Lua 5.3 has the functions
local WHITELIST = {
  "_VERSION", "assert", "error", "ipairs", "next", "pairs", "pcall", "print", "select", "tonumber", "tostring",
  "type", "xpcall",
  "coroutine.create", "coroutine.resume", "coroutine.running", "coroutine.status", "coroutine.wrap", "coroutine.yield",
  "io.type",
  "math.abs", "math.acos", "math.asin", "math.atan", "math.ceil", "math.cos", "math.deg", "math.exp", "math.floor",
  "math.fmod", "math.huge", "math.log", "math.max", "math.min", "math.modf", "math.pi", "math.rad", "math.random",
  "math.sin", "math.sqrt", "math.tan", "math.tointeger", "math.type", "math.maxinteger", "math.mininteger",
  "os.clock", "os.date", "os.difftime", "os.time",
  "string.byte", "string.char", "string.find", "string.format", "string.gmatch", "string.gsub", "string.len",
  "string.lower", "string.match", "string.rep", "string.reverse", "string.sub", "string.upper",
  "table.concat", "table.insert", "table.move", "table.pack", "table.remove", "table.sort", "table.unpack",
}

local function protect(name, t)
  return setmetatable(t, { __newindex = function(_, k) error(("Cannot modify %s.%s. Protected by the sandbox."):format(name, k), 2) end })
end

local BASE = {}
for _, id in pairs(WHITELIST) do
  local m, f = id:match("^([^.]+)%.(.+)$")
  if m then
    BASE[m] = BASE[m] or {}
    BASE[m][f] = _G[m][f]
  else
    BASE[id] = _G[id]
  end
end
for k, v in pairs(BASE) do if type(v) == "table" then protect(k, v) end end
-- LuaJIT snippets call the 5.1 names; print goes to the error log, as in Kong
BASE.unpack = table.unpack
BASE.print = host.print

local allowed = {}
for _, name in pairs(requires) do allowed[name] = true end
local real_require = require
local function sandbox_require(name)
  if not allowed[name] then error(("require '%s' not allowed within sandbox"):format(tostring(name)), 2) end
  return real_require(name)
end

-- tables of the PDK surface: each visible table is empty and reads through to its contents, so snippets can
-- neither replace a PDK function (the tables are shared by every snippet) nor add names; reading a name
-- Tollgate does not provide is an error naming it.
local function protected(path)
  return function(_, k) error(("Cannot modify %s.%s. Protected by the sandbox."):format(path, tostring(k)), 2) end
end
local contents = {}
for _, path in pairs(strict_paths) do
  local t, real = host.tables[path], {}
  for k, v in pairs(t) do real[k] = v end
  for k in pairs(real) do t[k] = nil end
  -- a callable PDK table (kong.log, kong.log.inspect) carries its function as __call
  local call = real.__call
  real.__call = nil
  setmetatable(real, { __index = function(_, k) error(("%s.%s is not available in Tollgate's PDK"):format(path, tostring(k)), 2) end })
  setmetatable(t, { __index = real, __newindex = protected(path), __call = call and function(_, ...) return call(...) end })
  contents[path] = real
end
local kong, ngx = host.tables.kong, host.tables.ngx

-- ngx.var, ngx.ctx, ngx.status and kong.ctx are views of the running request
local pcall = pcall
setmetatable(host.tables["ngx.var"], {
  __index = function(_, k) return host.var_get(k) end,
  -- errors point at the snippet's line, not at this closure
  __newindex = function(_, k, v) local ok, err = pcall(host.var_set, k, v); if not ok then error(err, 2) end end,
})
local ngx_contents, ngx_protected = contents.ngx, protected("ngx")
setmetatable(ngx, {
  __index = function(_, k)
    if k == "ctx" then return host.request_table("ngx_ctx") end
    if k == "status" then return host.get_status() end
    return ngx_contents[k]
  end,
  __newindex = function(t, k, v)
    if k == "status" then return host.set_status(v) end
    if k == "ctx" then return host.replace_table("ngx_ctx", v) end
    ngx_protected(t, k)
  end,
})
setmetatable(host.tables["kong.ctx"], {
  __index = function(_, k)
    if k == "shared" then return host.request_table("shared") end
    if k == "plugin" then return host.request_table("plugin") end
    error(("kong.ctx.%s is not available in Tollgate's PDK"):format(tostring(k)), 2)
  end,
  __newindex = protected("kong.ctx"),
})


local function new_env()
  if mode == "on" then
    return setmetatable({ kong = kong, ngx = ngx }, { __index = _G })
  end
  local env = {}
  for k, v in pairs(BASE) do env[k] = v end
  env.kong, env.ngx, env.require = kong, ngx, sandbox_require
  env._G = env
  return env
end

-- Kong's template environment: headers, query_params, uri_captures and shared of the running request; in the
-- sandbox only type, kong, ngx and require are there besides them (no string, table, ...); writes fail. One
-- table serves every request: headers and query_params are views that read the running call's snapshot.
local TEMPLATE_LOADERS = { uri_captures = host.tpl_captures, shared = host.tpl_shared }
local TEMPLATE_ENV = setmetatable({
  type = type, kong = kong, ngx = ngx, require = mode == "on" and real_require or sandbox_require,
  headers = host.tpl_headers(), query_params = host.tpl_query(),
}, {
  __index = function(_, k)
    local loader = TEMPLATE_LOADERS[k]
    if loader then return loader() end
    if mode == "on" then return _G[k] end
    return nil
  end,
  __newindex = function() error("This environment is read-only.", 2) end,
})

-- a template value compiled as penlight's template does with '$' and '()': $(expr) renders tostring(expr or '')
local function compile_template(src)
  local parts, s = {}, 1
  for term, executed, e in src:gmatch("()$(%b())()") do
    parts[#parts + 1] = ("%q"):format(src:sub(s, term - 1))
    parts[#parts + 1] = ("__tostring((%s) or '')"):format(executed:sub(2, -2))
    s = e
  end
  parts[#parts + 1] = ("%q"):format(src:sub(s))
  local code = "local __tostring = ...; return function(_ENV) return " .. table.concat(parts, " .. ") .. " end"
  local chunk, err = load(code, "TMP", "t", {})
  if not chunk then return nil, err end
  return chunk(tostring)
end

local function compile_snippet(src, name)
  return load(src, name, "t", new_env())
end

return compile_snippet, compile_template, TEMPLATE_ENV
`;

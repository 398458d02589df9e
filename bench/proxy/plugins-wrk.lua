-- wrk script: spreads requests over ROUTES routes and CONSUMERS keys (one apikey header per request).
local routes = tonumber(os.getenv("ROUTES") or "100")
local consumers = tonumber(os.getenv("CONSUMERS") or "100")
local with_key = os.getenv("WITH_KEY") ~= "0"
local i = 0
request = function()
  i = i + 1
  local headers = {}
  if with_key then headers["apikey"] = "key-" .. (i % consumers) end
  return wrk.format("GET", "/api/v1/r" .. (i % routes) .. "/x", headers)
end

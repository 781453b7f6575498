-- 50 connections of mixed traffic: every kind of request a test suite or a frontend sends, in rotation.
local path = "/enterprise/account-analysis"
local admin = {["sivi-api-key"] = "mock-admin-key", ["content-type"] = "application/json"}
local function with(extra)
  local headers = {}
  for k, v in pairs(admin) do headers[k] = v end
  for k, v in pairs(extra) do headers[k] = v end
  return headers
end
local mix = {
  wrk.format("POST", path, admin, '{"abstractUserId":"281743-2322-34i44sd3-dkfjgdkjf292"}'),
  wrk.format("POST", path, admin, '{"abstractUserId":"nobody-at-all"}'),
  wrk.format("POST", path, admin, '{"workspaceId":"workspace-acme-design"}'),
  wrk.format("POST", path, admin, '{"abstractUserId":""}'),
  wrk.format("POST", path, admin, '{"abstractUserId": '),
  wrk.format("POST", path, {["content-type"] = "application/json"}, '{"abstractUserId":"user-12345"}'),
  wrk.format("POST", path, with({["sivi-api-key"] = "mock-regular-key"}), '{"abstractUserId":"user-12345"}'),
  wrk.format("POST", path, with({prefer = "code=500"}), '{"abstractUserId":"user-12345"}'),
  wrk.format("POST", path, admin, '{"abstractUserId":"server-error-user"}'),
  wrk.format("POST", path, with({prefer = "dynamic=true"}), '{"abstractUserId":"heavy-user-0001"}'),
  wrk.format("GET", path),
}

local threads = {}
function setup(thread) table.insert(threads, thread) end

function init(args)
  n, asked_500, other_5xx = 0, 0, 0
  statuses = {}
end

function request()
  n = n + 1
  return mix[(n % #mix) + 1]
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  -- The two requests that ask for a 500 get the spec's message; any other 5xx is the mock failing.
  if status >= 500 then
    if string.find(body, "Server internal error", 1, true) then asked_500 = asked_500 + 1
    else other_5xx = other_5xx + 1 end
  end
end

function done(summary, latency, requests)
  local asked, other, parts = 0, 0, {}
  local merged = {}
  for _, thread in ipairs(threads) do
    asked = asked + thread:get("asked_500")
    other = other + thread:get("other_5xx")
    for status, count in pairs(thread:get("statuses")) do merged[status] = (merged[status] or 0) + count end
  end
  for status, count in pairs(merged) do table.insert(parts, string.format('"%d": %d', status, count)) end
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "socket_errors": %d, "asked_500": %d, "other_5xx": %d, "p99_us": %d, "statuses": {%s}}\n',
    summary.requests, e.connect + e.read + e.write + e.timeout, asked, other, latency:percentile(99),
    table.concat(parts, ", ")))
end

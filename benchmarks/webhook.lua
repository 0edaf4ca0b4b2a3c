-- Load script for POST /webhook/alertmanager.
--
-- Sends the real Alertmanager delivery in samples/alertmanager-firing.json with the demo
-- webhook token. Two modes, chosen with the MODE environment variable:
--   MODE=unique (default)  every request carries a fresh 16-hex-digit fingerprint, so each one
--                          is a new incident that is really inserted into the inbox;
--   MODE=duplicates        every request carries the sample's own fingerprint, as Alertmanager
--                          does when it re-sends a group: after the first, each is a duplicate.
-- Other environment variables: TOKEN (bearer token), SAMPLE (path of the JSON body),
-- RUN_ID (hex, up to 6 digits; keeps fingerprints of separate runs against one database apart).
--
-- Non-2xx responses are counted per thread and reported by done() as a "non2xx=" line, along
-- with the latency percentiles, so a wrapper can check them.

local mode = os.getenv("MODE") or "unique"
if mode ~= "unique" and mode ~= "duplicates" then
  error("MODE must be 'unique' or 'duplicates', not '" .. mode .. "'")
end
local token = os.getenv("TOKEN") or "demo-webhook-token-not-secret"
local path = "/webhook/alertmanager"

-- The sample lives at <repo>/samples/; this script at <repo>/benchmarks/.
local function default_sample()
  local source = debug.getinfo(1, "S").source
  local dir = source:match("^@(.*)/[^/]*$") or "."
  return dir .. "/../samples/alertmanager-firing.json"
end

local function read_sample()
  local path = os.getenv("SAMPLE") or default_sample()
  local f = assert(io.open(path, "rb"), "cannot open the sample body " .. path)
  local body = f:read("*a")
  f:close()
  return body
end

local headers = {
  ["Authorization"] = "Bearer " .. token,
  ["Content-Type"] = "application/json",
}

-- setup() runs once per thread in the main interpreter; it hands each thread its number.
local threads = {}
local next_id = 0

function setup(thread)
  thread:set("thread_id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

-- Per-thread state (each thread has its own interpreter).
local before, after, fixed_request
local counter = 0
local run_id = 0
non2xx = 0
statuses = ""

function init(args)
  local body = read_sample()
  local s, e = body:find('"fingerprint"%s*:%s*"%x+"')
  assert(s, "the sample has no alert fingerprint")
  local key = body:sub(s, e):match('^"fingerprint"%s*:%s*"')
  before = body:sub(1, s - 1) .. key
  after = '"' .. body:sub(e + 1)
  run_id = tonumber(os.getenv("RUN_ID") or "0", 16) % 0x1000000
  if mode == "duplicates" then
    fixed_request = wrk.format("POST", path, headers, body)
  end
end

function request()
  if fixed_request then return fixed_request end
  counter = counter + 1
  -- thread (2 hex) | run (6 hex) | per-thread counter (8 hex) = 16 lowercase hex digits.
  local fingerprint = string.format("%02x%06x%08x", thread_id % 0x100, run_id, counter % 0x100000000)
  return wrk.format("POST", path, headers, before .. fingerprint .. after)
end

local seen = {}

function response(status, response_headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    if not seen[status] then
      seen[status] = true
      statuses = statuses .. (statuses == "" and "" or ",") .. status
      if non2xx <= 3 then
        io.stderr:write(string.format("non-2xx response %d: %s\n", status, (body or ""):sub(1, 300)))
      end
    end
  end
end

function done(summary, latency, requests)
  local failed, codes, listed = 0, {}, {}
  for _, thread in ipairs(threads) do
    failed = failed + (thread:get("non2xx") or 0)
    for code in (thread:get("statuses") or ""):gmatch("%d+") do
      if not listed[code] then listed[code] = true; table.insert(codes, code) end
    end
  end
  local seconds = summary.duration / 1e6
  local e = summary.errors
  io.write("-- webhook ack (mode=" .. mode .. ") --\n")
  io.write(string.format("requests=%d\n", summary.requests))
  io.write(string.format("duration_s=%.2f\n", seconds))
  io.write(string.format("rps=%.1f\n", summary.requests / seconds))
  for _, p in ipairs({ 50, 90, 99, 99.9 }) do
    io.write(string.format("p%s_ms=%.2f\n", tostring(p):gsub("%.", "_"), latency:percentile(p) / 1000))
  end
  io.write(string.format("max_ms=%.2f\n", latency.max / 1000))
  io.write(string.format("non2xx=%d\n", failed))
  io.write(string.format("non2xx_statuses=%s\n", table.concat(codes, ",")))
  io.write(string.format("socket_errors=%d\n", e.connect + e.read + e.write + e.timeout))
  io.write(string.format("timeouts=%d\n", e.timeout))
end

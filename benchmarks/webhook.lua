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
-- Responses are counted per thread by status (wrk-report.lua) and reported by done() as
-- "ok2xx=" and "non2xx=" lines, along with the latency percentiles, so a wrapper can check them.

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

-- setup(), response() and done(): counting by status and the summary lines.
local here = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."
report_title = "webhook ack (mode=" .. mode .. ")"
dofile(here .. "/wrk-report.lua")

-- Per-thread state (each thread has its own interpreter).
local before, after, fixed_request
local counter = 0
local run_id = 0

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

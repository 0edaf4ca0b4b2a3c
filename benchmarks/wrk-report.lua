-- Shared by the wrk load scripts: counts responses by status class in every thread and prints
-- a machine-readable summary (requests, rps, percentiles, 2xx, non-2xx, socket errors), so a
-- wrapper can check that every acknowledged request was really stored.
--
-- A script loads it with dofile() and then defines request() (and init() if it needs one).

local threads = {}
local next_id = 0

-- setup() runs once per thread in the main interpreter; it hands each thread its number.
function setup(thread)
  thread:set("thread_id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

-- Per-thread counters (each thread has its own interpreter).
ok2xx = 0
non2xx = 0
statuses = ""
local seen = {}

function response(status, headers, body)
  if status >= 200 and status <= 299 then
    ok2xx = ok2xx + 1
    return
  end
  non2xx = non2xx + 1
  if not seen[status] then
    seen[status] = true
    statuses = statuses .. (statuses == "" and "" or ",") .. status
    if non2xx <= 3 then
      io.stderr:write(string.format("non-2xx response %d: %s\n", status, (body or ""):sub(1, 300)))
    end
  end
end

report_title = report_title or "wrk"

function done(summary, latency, requests)
  local ok, failed, codes, listed = 0, 0, {}, {}
  for _, thread in ipairs(threads) do
    ok = ok + (thread:get("ok2xx") or 0)
    failed = failed + (thread:get("non2xx") or 0)
    for code in (thread:get("statuses") or ""):gmatch("%d+") do
      if not listed[code] then listed[code] = true; table.insert(codes, code) end
    end
  end
  local seconds = summary.duration / 1e6
  local e = summary.errors
  io.write("-- " .. report_title .. " --\n")
  io.write(string.format("requests=%d\n", summary.requests))
  io.write(string.format("duration_s=%.2f\n", seconds))
  io.write(string.format("rps=%.1f\n", summary.requests / seconds))
  for _, p in ipairs({ 50, 90, 99, 99.9 }) do
    io.write(string.format("p%s_ms=%.2f\n", tostring(p):gsub("%.", "_"), latency:percentile(p) / 1000))
  end
  io.write(string.format("max_ms=%.2f\n", latency.max / 1000))
  io.write(string.format("ok2xx=%d\n", ok))
  io.write(string.format("non2xx=%d\n", failed))
  io.write(string.format("non2xx_statuses=%s\n", table.concat(codes, ",")))
  io.write(string.format("socket_errors=%d\n", e.connect + e.read + e.write + e.timeout))
  io.write(string.format("timeouts=%d\n", e.timeout))
end

-- Load script for Alertmanager's own POST /api/v2/alerts: the peer that
-- ingest-vs-alertmanager.sh measures AlertHealer against.
--
-- Posts the alert of samples/alertmanager-firing.json (same labels, annotations, startsAt and
-- generatorURL) in the shape the Loki ruler and Prometheus post it: a JSON array of postable
-- alerts. Every request carries a new `pod` label value, so each one is a new alert in
-- Alertmanager's store, as each webhook request is a new incident in AlertHealer's inbox.
-- RUN_ID (hex, up to 6 digits) keeps separate runs apart.

local here = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."
report_title = "alertmanager /api/v2/alerts"
dofile(here .. "/wrk-report.lua")

local path = "/api/v2/alerts"
local headers = { ["Content-Type"] = "application/json" }

local before = '[{"labels":{"alertname":"WhiskerBackendWedged","namespace":"calico-system","pod":"whisker-5b8d6c7f9-'
local after = '","remediation":"alerthealer","severity":"warning"},'
  .. '"annotations":{"description":"The Whisker backend lost its gRPC stream to goldmane:7443 and is not reconnecting.",'
  .. '"runbook_url":"https://example.invalid/runbooks/whisker-wedged",'
  .. '"summary":"whisker-backend whisker-5b8d6c7f9-x2kqp: 14 goldmane connection errors in 11m"},'
  .. '"startsAt":"2026-11-28T12:49:25.264Z",'
  .. '"generatorURL":"http://loki.example.invalid/graph?g0.expr=sum+by+%28namespace%2C+pod%29"}]'

local counter = 0
local run_id = 0

function init(args)
  run_id = tonumber(os.getenv("RUN_ID") or "0", 16) % 0x1000000
end

function request()
  counter = counter + 1
  -- thread (2 hex) | run (6 hex) | per-thread counter (8 hex), as webhook.lua's fingerprints.
  local pod = string.format("%02x%06x%08x", thread_id % 0x100, run_id, counter % 0x100000000)
  return wrk.format("POST", path, headers, before .. pod .. after)
end

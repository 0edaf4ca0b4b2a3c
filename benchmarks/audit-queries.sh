#!/usr/bin/env bash
# GET /audit at a million entries: every filter and combination, a page of 50, against the
# unfiltered newest page measured in the same run (the ratio is the figure; the machine is shared).
#
#   benchmarks/audit-queries.sh                  # 1,000,000 entries, 10 s per query
# Environment: ENTRIES (1000000), DURATION (10s), CONNECTIONS (4), KEEP (1 keeps the directory).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ENTRIES=${ENTRIES:-1000000}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-4}
KEEP=${KEEP:-0}
TOKEN=demo-reader-token-not-secret   # DemoMode.ReaderToken

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
need=()
command -v wrk >/dev/null || need+=(wrk)
command -v sqlite3 >/dev/null || need+=(sqlite3)
if [ ${#need[@]} -gt 0 ]; then
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

work=$(mktemp -d)
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid"; wait "$pid" 2>/dev/null || true; fi
  if [ "$KEEP" = 1 ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

echo "== building (Release)"
dotnet publish "$root/src/AlertHealer" -c Release --use-current-runtime -o "$work/app" -nologo -v quiet >"$work/publish.log" 2>&1 || { cat "$work/publish.log"; exit 1; }
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
url="http://127.0.0.1:$PORT"

start() {
  (cd "$work" && exec "$work/app/AlertHealer" --demo --urls "$url" --AlertHealer:Inbox:WorkerEnabled=false >"$work/service.log" 2>&1) &
  pid=$!
  for _ in $(seq 1 200); do curl -fsS "$url/healthz" >/dev/null 2>&1 && return; sleep 0.1; done
  echo "service did not start"; cat "$work/service.log"; exit 1
}
stop() { kill -TERM "$pid"; wait "$pid" 2>/dev/null || true; pid=""; }

echo "== creating the schema, then $ENTRIES entries (one a minute; a rare failure; a few manual)"
start; stop
db="$work/alerthealer-demo.db"
sqlite3 "$db" <<SQL
PRAGMA journal_mode = WAL;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $ENTRIES)
INSERT INTO audit (time_ms, trigger, policy, alertname, fingerprint, outcome, verification, duplicates, document)
SELECT 1700000000000 + i * 60000,
       CASE WHEN i % 20 = 0 THEN 'manual' ELSE 'webhook' END,
       'whisker', 'WhiskerBackendWedged', printf('%016x', i % 50000),
       CASE WHEN i % 5000 = 0 THEN 'failed' WHEN i % 3 = 0 THEN 'restarted' ELSE 'suppressed-cooldown' END,
       NULL, 0, '{}'
FROM n;
UPDATE audit SET document = json_object(
  'id', id, 'time', strftime('%Y-%m-%dT%H:%M:%SZ', time_ms / 1000, 'unixepoch'), 'trigger', trigger, 'policy', policy,
  'alert', json_object('name', alertname, 'fingerprint', fingerprint, 'startsAt', strftime('%Y-%m-%dT%H:%M:%SZ', time_ms / 1000 - 600, 'unixepoch'),
                       'status', 'firing', 'labels', json_object('alertname', alertname, 'namespace', 'calico-system')),
  'steps', json_array(json_object('name', 'policy', 'result', 'matched', 'detail', 'policy whisker, target calico-system/k8s-app=whisker'),
                      json_object('name', 'backoff', 'result', 'cooldown', 'detail', 'cooling down')),
  'outcome', outcome, 'duplicates', 0, 'dryRun', json('false'));
SQL
start

day_ms=$(( 1700000000000 + (ENTRIES / 2) * 60000 ))
since=$(date -u -d "@$(( day_ms / 1000 ))" +%Y-%m-%dT%H:%M:%SZ)
until=$(date -u -d "@$(( day_ms / 1000 + 86400 ))" +%Y-%m-%dT%H:%M:%SZ)
cursor=$(curl -fsS "$url/audit?limit=50&outcome=restarted" -H "Authorization: Bearer $TOKEN" | python3 -c 'import json,sys; print(json.load(sys.stdin)["nextCursor"])')
queries=(
  "newest|limit=50"
  "window|since=$since&until=$until&limit=50"
  "since|since=$since&limit=50"
  "until|until=$until&limit=50"
  "policy|policy=whisker&limit=50"
  "outcome (rare)|outcome=failed&limit=50"
  "trigger|trigger=manual&limit=50"
  "alertname|alertname=WhiskerBackendWedged&limit=50"
  "fingerprint|fingerprint=000000000000abcd&limit=50"
  "cursor|cursor=$cursor&limit=50"
  "window + rare outcome|since=$since&until=$until&outcome=failed&limit=50"
  "policy + trigger + window|policy=whisker&trigger=manual&since=$since&until=$until&limit=50"
  "policy + rare outcome|policy=whisker&outcome=failed&limit=50"
)

# Warm every query first (JIT, page cache), so the first one measured is not the one that pays.
for q in "${queries[@]}"; do wrk -t1 -c1 -d2s -H "Authorization: Bearer $TOKEN" "$url/audit?${q#*|}" >/dev/null; done

echo "== $(date -u +%FT%TZ) $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-28s %10s %10s %10s %8s\n' query req/s p50 p99 "p99/newest"
base=""
for q in "${queries[@]}"; do
  name=${q%%|*}; query=${q#*|}
  out=$(wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency -H "Authorization: Bearer $TOKEN" "$url/audit?$query")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  ms=$(python3 -c "import sys; v='$p99'; print(float(v[:-2]) if v.endswith('ms') else float(v[:-2])/1000 if v.endswith('us') else float(v[:-1])*1000)")
  [ -z "$base" ] && base=$ms
  bad=$(awk '/Non-2xx/ {print $4}' <<<"$out")
  [ -n "$bad" ] && { echo "$name: $bad non-2xx responses"; exit 1; }
  printf '%-28s %10s %10s %10s %8.2f\n' "$name" "$rps" "$p50" "$p99" "$(python3 -c "print($ms / $base)")"
done

#!/usr/bin/env bash
# Webhook acknowledgement latency: POST /webhook/alertmanager against the Release build in demo
# mode (simulated cluster, local SQLite file, inbox worker running), driven by wrk over loopback.
#
# Passes when p99 < 50 ms and every response was 2xx (and no socket errors or timeouts).
#
#   benchmarks/webhook-ack.sh                       # new incident per request (default)
#   MODE=duplicates benchmarks/webhook-ack.sh       # Alertmanager re-sending one alert
#
# Environment: DURATION (30s), CONNECTIONS (16), THREADS (2), WARMUP (5s), MODE (unique|duplicates),
# P99_LIMIT_MS (50), PORT (a free one is picked), KEEP (1 keeps the temporary directory).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DURATION=${DURATION:-30s}
CONNECTIONS=${CONNECTIONS:-16}
THREADS=${THREADS:-2}
WARMUP=${WARMUP:-5s}
MODE=${MODE:-unique}
P99_LIMIT_MS=${P99_LIMIT_MS:-50}
KEEP=${KEEP:-0}
TOKEN=demo-webhook-token-not-secret   # DemoMode.WebhookToken

case "$MODE" in unique|duplicates) ;; *) echo "MODE must be unique or duplicates" >&2; exit 2 ;; esac

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if ! command -v wrk >/dev/null; then
  echo "installing wrk"
  if ! apt-cache show wrk >/dev/null 2>&1; then as_root apt-get update -qq; fi
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends wrk >/dev/null
fi
command -v curl >/dev/null || { echo "curl is needed to wait for /healthz" >&2; exit 2; }

work=$(mktemp -d)
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  if [ "$KEEP" = 1 ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== building (Release)"
dotnet publish "$root/src/AlertHealer" -c Release --use-current-runtime -o "$work/app" -nologo -v quiet -nodeReuse:false -p:UseSharedCompilation=false >"$work/publish.log" 2>&1 \
  || { cat "$work/publish.log"; exit 1; }

if [ -z "${PORT:-}" ]; then
  PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null) \
    || PORT=$(( 20000 + RANDOM % 20000 ))
fi
url="http://127.0.0.1:$PORT"

# The working directory holds the SQLite file (relative "Data Source=alerthealer-demo.db");
# the content root is the published app, where appsettings.json (the policies) lives.
echo "== starting the service in demo mode on $url (store: $work/run/alerthealer-demo.db)"
mkdir -p "$work/run"
(cd "$work/run" && exec env DOTNET_CLI_TELEMETRY_OPTOUT=1 ASPNETCORE_ENVIRONMENT=Production \
  "$work/app/AlertHealer" --demo --urls "$url" --contentRoot "$work/app") >"$work/service.log" 2>&1 &
pid=$!

for i in $(seq 1 300); do
  if curl -fsS -o /dev/null --max-time 1 "$url/healthz" 2>/dev/null; then break; fi
  if ! kill -0 "$pid" 2>/dev/null; then echo "the service exited:"; cat "$work/service.log"; exit 1; fi
  if [ "$i" = 300 ]; then echo "no /healthz after 30 s:"; cat "$work/service.log"; exit 1; fi
  sleep 0.1
done

# One real delivery first, so a wrong token or body fails loudly instead of as a wall of 401s.
code=$(curl -sS -o "$work/first.json" -w '%{http_code}' -X POST "$url/webhook/alertmanager" \
  -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  --data-binary @"$root/samples/alertmanager-firing.json")
if [ "$code" != 200 ]; then echo "the sample delivery answered $code:"; cat "$work/first.json"; echo; exit 1; fi

# The latency is only as good as the machine is quiet: how busy is it with the service idle?
cpu_ticks() { local _c u n s i w q sq st _r; read -r _c u n s i w q sq st _r </proc/stat; echo "$((u + n + s + q + sq + st)) $((i + w))"; }
read -r busy0 idle0 <<<"$(cpu_ticks)"; sleep 2; read -r busy1 idle1 <<<"$(cpu_ticks)"
other_busy=$(( 100 * (busy1 - busy0) / (busy1 - busy0 + idle1 - idle0 + 1) ))
[ "$other_busy" -lt 20 ] || echo "warning: the machine is ${other_busy}% busy before the run; the numbers will suffer"

lua="$root/benchmarks/webhook.lua"
export TOKEN MODE SAMPLE="$root/samples/alertmanager-firing.json"

echo "== warming up for $WARMUP (JIT, connection pool, SQLite page cache)"
RUN_ID=1 wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" -s "$lua" "$url" >"$work/warmup.txt" 2>&1 \
  || { cat "$work/warmup.txt"; exit 1; }

cmd=(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$lua" "$url")
echo "== measuring: MODE=$MODE ${cmd[*]}"
RUN_ID=2 "${cmd[@]}" | tee "$work/wrk.txt"

get() { sed -n "s/^$1=//p" "$work/wrk.txt" | tail -n1; }
p50=$(get p50_ms); p90=$(get p90_ms); p99=$(get p99_ms); rps=$(get rps)
requests=$(get requests); non2xx=$(get non2xx); socket=$(get socket_errors)
[ -n "$p99" ] && [ -n "$non2xx" ] || { echo "could not read wrk's summary" >&2; exit 1; }

db="$work/run/alerthealer-demo.db"
counts="SELECT 'inbox rows ' || (SELECT COUNT(*) FROM inbox) || ' (duplicates counted ' || (SELECT COALESCE(SUM(duplicates), 0) FROM inbox)
  || '), audit rows ' || (SELECT COUNT(*) FROM audit) || ' (duplicates counted ' || (SELECT COALESCE(SUM(duplicates), 0) FROM audit) || ')';"
rows=""
if command -v sqlite3 >/dev/null; then
  rows=$(sqlite3 -readonly "$db" "$counts" 2>/dev/null || true)
elif command -v python3 >/dev/null; then
  rows=$(python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' "$db" "$counts" 2>/dev/null || true)
fi

pass=1
(( $(awk -v p="$p99" -v l="$P99_LIMIT_MS" 'BEGIN { print (p < l) }') )) || pass=0
[ "$non2xx" = 0 ] || pass=0
[ "$socket" = 0 ] || pass=0

cat <<SUMMARY

== webhook ack summary ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, mode=$MODE, ${THREADS} threads, ${CONNECTIONS} connections, $DURATION)
p50         ${p50} ms
p90         ${p90} ms
p99         ${p99} ms   (limit < ${P99_LIMIT_MS} ms)
requests/s  ${rps}   (${requests} requests)
non-2xx     ${non2xx}
socket errs ${socket}   (connect/read/write errors and timeouts; a timed-out request is not in the percentiles)
cpu busy    ${other_busy}% with the service idle, just before the run (other load on the machine)
${rows:+store       $rows}
result      $([ "$pass" = 1 ] && echo PASS || echo FAIL)
SUMMARY

if grep -qE 'fail|error|exception' -i "$work/service.log"; then
  echo "service log mentions errors (first lines):"
  grep -iE 'fail|error|exception' "$work/service.log" | head -n 5
fi

[ "$pass" = 1 ]

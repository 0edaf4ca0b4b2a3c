#!/usr/bin/env bash
# Memory and start, AlertHealer beside the bare Minimal API (benchmarks/BareIngest), over loopback:
#   start -> /readyz   from launching the process to the first 200 on /readyz (/healthz for bare);
#   idle RSS           VmRSS from /proc/PID/status, IDLE seconds after it became ready, no traffic;
#   first decision     AlertHealer only, in demo mode (simulated cluster): the sample alert is posted
#                      right after readiness; the time from sending it to the DELETE (the audit
#                      entry's action.at, stamped when the DELETE is sent). This is an upper bound
#                      of "ack to DELETE": the worker often sends the DELETE before the client has
#                      even read the 200, so ack to DELETE (also printed) can be zero or negative;
#   RSS after a storm  VmRSS right after wrk -t1 -c16 posted new incidents for STORM.
# The two are started alternately ROUNDS times (A B A B ...); the best of each figure is printed,
# with the load average.
#
#   benchmarks/memory-and-start.sh
#   ROUNDS=5 STORM=30s benchmarks/memory-and-start.sh
#
# Environment: ROUNDS (3), IDLE (5), STORM (20s), KEEP (1 keeps the temporary directory),
# APP_ENV (extra environment for AlertHealer, e.g. "DOTNET_gcServer=1" to compare a setting).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROUNDS=${ROUNDS:-3}
IDLE=${IDLE:-5}
STORM=${STORM:-20s}
KEEP=${KEEP:-0}
APP_ENV=${APP_ENV:-}
WEBHOOK_TOKEN=demo-webhook-token-not-secret   # DemoMode.WebhookToken
READER_TOKEN=demo-reader-token-not-secret     # DemoMode.ReaderToken

for tool in wrk curl python3; do
  command -v "$tool" >/dev/null || { echo "$tool is needed" >&2; exit 2; }
done

work=$(mktemp -d)
pid=""
stop() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  [ -z "$pid" ] || wait "$pid" 2>/dev/null || true
  pid=""
}
cleanup() { stop; if [ "$KEEP" = 1 ]; then echo "kept $work"; else rm -rf "$work"; fi; }
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== building (Release): AlertHealer and the bare Minimal API"
# As the Dockerfile publishes: ReadyToRun for this machine's runtime, framework-dependent.
for project in src/AlertHealer:app benchmarks/BareIngest:bare; do
  dotnet publish "$root/${project%%:*}" -c Release -o "$work/${project##*:}" -nologo -v quiet -nodeReuse:false \
    --use-current-runtime --self-contained false -p:PublishReadyToRun=true \
    -p:UseSharedCompilation=false >"$work/publish.log" 2>&1 || { cat "$work/publish.log"; exit 1; }
done

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
rss_mb() { awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }
now_ms() { date +%s%3N; }

# The first decision: POST the sample, then read the audit log until the restart shows; prints
# the milliseconds from sending the POST to the DELETE (action.at), and from its 200 to the DELETE.
first_decision_ms() {
  python3 - "$1" "$root/samples/alertmanager-firing.json" "$WEBHOOK_TOKEN" "$READER_TOKEN" <<'PY'
import json, sys, time, urllib.request
from datetime import datetime
url, sample, webhook, reader = sys.argv[1:5]
body = open(sample, "rb").read()
post = urllib.request.Request(url + "/webhook/alertmanager", data=body, method="POST",
    headers={"Authorization": "Bearer " + webhook, "Content-Type": "application/json"})
sent = time.time()
with urllib.request.urlopen(post, timeout=10) as r:
    assert r.status == 200, r.status
    acked = time.time()
deadline = acked + 10
while time.time() < deadline:
    get = urllib.request.Request(url + "/audit?limit=1", headers={"Authorization": "Bearer " + reader})
    with urllib.request.urlopen(get, timeout=10) as r:
        items = json.load(r)["items"]
    if items and items[0].get("action"):
        at = datetime.fromisoformat(items[0]["action"]["at"].replace("Z", "+00:00")).timestamp()
        print(f"{(at - sent) * 1000:.1f} {(at - acked) * 1000:.1f} {items[0]['outcome']}")
        sys.exit(0)
    if items:
        print(f"nan nan {items[0]['outcome']}")
        sys.exit(0)
    time.sleep(0.002)
print("nan nan none")
PY
}

results="$work/results.tsv"
printf 'target\tround\tstart_ms\tidle_rss_mb\tpost_to_delete_ms\tack_to_delete_ms\tstorm_rss_mb\tstorm_rps\tloadavg\n' >"$results"
export TOKEN=$WEBHOOK_TOKEN MODE=unique SAMPLE="$root/samples/alertmanager-firing.json"
for round in $(seq 1 "$ROUNDS"); do
  for target in bare alerthealer; do
    dir="$work/$target-$round"; mkdir -p "$dir"
    port=$(free_port); url="http://127.0.0.1:$port"
    started=$(now_ms)
    if [ "$target" = bare ]; then
      (cd "$dir" && exec env DOTNET_CLI_TELEMETRY_OPTOUT=1 dotnet "$work/bare/BareIngest.dll" --urls "$url") >"$dir/service.log" 2>&1 &
      ready=/healthz
    else
      # shellcheck disable=SC2086 # APP_ENV is a list of NAME=value words
      (cd "$dir" && exec env DOTNET_CLI_TELEMETRY_OPTOUT=1 ASPNETCORE_ENVIRONMENT=Production $APP_ENV \
        dotnet "$work/app/AlertHealer.dll" --demo --urls "$url" --contentRoot "$work/app") >"$dir/service.log" 2>&1 &
      ready=/readyz
    fi
    pid=$!
    for i in $(seq 1 3000); do
      curl -fsS -o /dev/null --max-time 1 "$url$ready" 2>/dev/null && break
      kill -0 "$pid" 2>/dev/null || { echo "$target exited:"; cat "$dir/service.log"; exit 1; }
      [ "$i" != 3000 ] || { echo "$target not ready after 30 s"; exit 1; }
      sleep 0.01
    done
    start_ms=$(( $(now_ms) - started ))
    decision=-; after_ack=-
    if [ "$target" = alerthealer ]; then
      read -r decision after_ack outcome <<<"$(first_decision_ms "$url")"
      [ "$outcome" = restarted ] || { echo "the first decision was '$outcome', not restarted"; cat "$dir/service.log"; exit 1; }
    fi
    sleep "$IDLE"
    idle=$(rss_mb "$pid")
    RUN_ID=$(printf '%06x' "$round") wrk -t1 -c16 -d"$STORM" -s "$root/benchmarks/webhook.lua" "$url" >"$dir/wrk.txt" 2>&1 \
      || { cat "$dir/wrk.txt"; exit 1; }
    storm=$(rss_mb "$pid")
    rps=$(sed -n 's/^rps=//p' "$dir/wrk.txt")
    load=$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' '/')
    stop
    echo "== $target round $round: start->ready ${start_ms} ms, idle RSS ${idle} MB, first decision ${decision} ms (${after_ack} ms after the 200), RSS after storm ${storm} MB (${rps} req/s), load $load"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$target" "$round" "$start_ms" "$idle" "$decision" "$after_ack" "$storm" "$rps" "$load" >>"$results"
  done
done

echo
echo "== memory and start ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), best of $ROUNDS alternated starts)"
echo "   load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
awk -F'\t' '
  function lower(key, v) { if (!(key in best) || v + 0 < best[key] + 0) best[key] = v }
  NR > 1 { lower($1 "|start", $3); lower($1 "|idle", $4); if ($5 != "-") lower($1 "|decision", $5); lower($1 "|storm", $7) }
  END {
    printf "\n  %-14s %16s %14s %20s %18s\n", "", "start->ready ms", "idle RSS MB", "POST->DELETE ms", "RSS after storm MB"
    printf "  %-14s %16s %14s %20s %18s\n", "alerthealer", best["alerthealer|start"], best["alerthealer|idle"], best["alerthealer|decision"], best["alerthealer|storm"]
    printf "  %-14s %16s %14s %20s %18s\n", "bare", best["bare|start"], best["bare|idle"], "-", best["bare|storm"]
    printf "\n  idle RSS ratio alerthealer/bare: %.2fx\n", best["alerthealer|idle"] / best["bare|idle"]
  }' "$results"
echo
column -t -s $'\t' "$results" | sed 's/^/   /'

#!/usr/bin/env bash
# Ingest side by side, in one run on one machine, over loopback only:
#   alertmanager        Alertmanager's own POST /api/v2/alerts (Debian's prometheus-alertmanager),
#                       a new alert per request (alertmanager-api.lua);
#   bare                a bare Minimal API that binds the same webhook body and stores nothing
#                       (benchmarks/BareIngest, JIT, ReadyToRun): the framework floor; bare-aot, the
#                       same compiled Native AOT;
#   alerthealer-aot-sqlite  AlertHealer's POST /webhook/alertmanager, the shipped build (Native AOT) in
#                       demo mode, a new incident per request (webhook.lua), stored in SQLite (WAL,
#                       synchronous=FULL);
#   alerthealer-jit-sqlite  the same, the JIT build shipped before (ReadyToRun, framework-dependent).
# The builds are made by benchmarks/publish.sh (PUBLISHED=DIR publishes there and reuses them).
# For each connection count the runs alternate (A B C A B C ...); every run gets a freshly started
# process and store, a warm-up, then the measurement. Prints req/s, p50 and p99 of each target's
# best run (highest req/s) and the shipped build's (alerthealer-aot-sqlite) ratios to each peer,
# among them the JIT build (the aim: AOT req/s >= 0.9x JIT's), and checks that every 2xx
# AlertHealer answered is a row in its inbox.
#
#   benchmarks/ingest-vs-alertmanager.sh
#   TARGETS="alertmanager alerthealer-aot-sqlite" CONNECTIONS_LIST=16 ROUNDS=3 benchmarks/ingest-vs-alertmanager.sh
#
# Environment: TARGETS ("alertmanager bare alerthealer-jit-sqlite alerthealer-aot-sqlite"), CONNECTIONS_LIST
# ("16 64"), THREADS (1), ROUNDS (2), DURATION (20s), WARMUP (5s), PUBLISHED (where the builds go and
# are reused from; default the temporary directory), KEEP (1 keeps the temporary directory).
#
#   alerthealer-aot-postgres, alerthealer-jit-postgres  the same on a throwaway PostgreSQL cluster on
#                       loopback (fsync on), a new database per start:
#                       TARGETS="alertmanager bare alerthealer-jit-sqlite alerthealer-aot-sqlite alerthealer-aot-postgres"
# A target NAME@VAR=VALUE,VAR=VALUE runs NAME with that environment, beside NAME itself, e.g.
# TARGETS="alerthealer-jit-sqlite alerthealer-aot-sqlite alerthealer-aot-sqlite@DOTNET_gcServer=0".
# A target is three small case branches below: how to start it (start_target), which load script
# it gets (lua_for) and how to count what it stored (count_stored; "-" for none checkable).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
here="$root/benchmarks"
# shellcheck source=benchmarks/publish.sh
source "$here/publish.sh"
TARGETS=${TARGETS:-"alertmanager bare alerthealer-jit-sqlite alerthealer-aot-sqlite"}
CONNECTIONS_LIST=${CONNECTIONS_LIST:-"16 64"}
THREADS=${THREADS:-1}
ROUNDS=${ROUNDS:-2}
DURATION=${DURATION:-20s}
WARMUP=${WARMUP:-5s}
KEEP=${KEEP:-0}
TOKEN=demo-webhook-token-not-secret   # DemoMode.WebhookToken
PEER=alerthealer-aot-sqlite           # the target whose ratios to the others are printed: the shipped build

for tool in wrk curl sqlite3 prometheus-alertmanager; do
  command -v "$tool" >/dev/null || { echo "$tool is needed (Debian: wrk, curl, sqlite3, prometheus-alertmanager)" >&2; exit 2; }
done

work=$(mktemp -d)
pub=${PUBLISHED:-$work/published}
mkdir -p "$pub"
pid=""
stop_target() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  [ -z "$pid" ] || wait "$pid" 2>/dev/null || true
  pid=""
}
cleanup() {
  stop_target
  stop_postgres
  if [ "$KEEP" = 1 ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

echo "== publishing (Release) into $pub"
for target in $TARGETS; do
  case "${target%%@*}" in
    bare) publish_app bare-jit "$pub/bare-jit" ;;
    bare-aot) publish_app bare-aot "$pub/bare-aot" ;;
    alerthealer-jit-*) publish_app alerthealer-jit "$pub/alerthealer-jit" ;;
    alerthealer-aot-*) publish_app alerthealer-aot "$pub/alerthealer-aot" ;;
  esac
done

# How AlertHealer's build is started: `dotnet DIR/AlertHealer.dll` (JIT) or `DIR/AlertHealer` (AOT).
alerthealer_command() {
  case "$1" in
    alerthealer-jit-*) echo "dotnet $pub/alerthealer-jit/AlertHealer.dll" ;;
    *) echo "$pub/alerthealer-aot/AlertHealer" ;;
  esac
}

# start_target NAME PORT DIR: starts NAME listening on 127.0.0.1:PORT with its state in DIR, sets
# pid and ready (the path that answers 200 once it takes requests).
start_target() {
  local name=${1%%@*} port=$2 dir=$3 with=()
  [ "$1" = "$name" ] || IFS=',' read -ra with <<<"${1#*@}"
  mkdir -p "$dir"
  case "$name" in
    alertmanager)
      # A route to a receiver with no integrations: alerts are stored and grouped, never sent.
      printf 'route:\n  receiver: blackhole\nreceivers:\n  - name: blackhole\n' >"$dir/alertmanager.yml"
      prometheus-alertmanager --config.file="$dir/alertmanager.yml" --storage.path="$dir/data" \
        --web.listen-address="127.0.0.1:$port" --cluster.listen-address= --log.level=warn >"$dir/service.log" 2>&1 &
      pid=$!; ready=/-/ready ;;
    bare)
      (cd "$dir" && exec env DOTNET_CLI_TELEMETRY_OPTOUT=1 dotnet "$pub/bare-jit/BareIngest.dll" --urls "http://127.0.0.1:$port") \
        >"$dir/service.log" 2>&1 &
      pid=$!; ready=/healthz ;;
    bare-aot)
      (cd "$dir" && exec "$pub/bare-aot/BareIngest" --urls "http://127.0.0.1:$port") >"$dir/service.log" 2>&1 &
      pid=$!; ready=/healthz ;;
    alerthealer-jit-sqlite|alerthealer-aot-sqlite)
      # Demo mode: simulated cluster, demo tokens, the inbox worker deciding every stored alert as
      # in production; the store is alerthealer-demo.db in DIR, on the same disk as the repository.
      local app; app=$(alerthealer_command "$name")
      # shellcheck disable=SC2086 # the command is words
      (cd "$dir" && exec env DOTNET_CLI_TELEMETRY_OPTOUT=1 ASPNETCORE_ENVIRONMENT=Production "${with[@]}" \
        $app --demo --urls "http://127.0.0.1:$port" --contentRoot "$(dirname "${app##* }")") \
        >"$dir/service.log" 2>&1 &
      pid=$!; ready=/healthz ;;
    alerthealer-jit-postgres|alerthealer-aot-postgres)
      # The same, on a throwaway PostgreSQL cluster (fsync on) and a new database per start.
      start_postgres
      local database="bench_$RANDOM$RANDOM" app
      app=$(alerthealer_command "$name")
      runuser -u postgres -- "$pgbin/createdb" -h "$pgdir" -p "$pgport" "$database"
      echo "$database" >"$dir/database"
      # shellcheck disable=SC2086 # the command is words
      (cd "$dir" && exec env DOTNET_CLI_TELEMETRY_OPTOUT=1 ASPNETCORE_ENVIRONMENT=Production "${with[@]}" \
        AlertHealer__Store__Provider=Postgres \
        AlertHealer__Store__ConnectionString="Host=127.0.0.1;Port=$pgport;Database=$database;Username=postgres" \
        $app --demo --urls "http://127.0.0.1:$port" --contentRoot "$(dirname "${app##* }")") \
        >"$dir/service.log" 2>&1 &
      pid=$!; ready=/readyz ;;
    *) echo "unknown target $name" >&2; exit 2 ;;
  esac
}

# shellcheck source=benchmarks/postgres.sh
source "$root/benchmarks/postgres.sh"

lua_for() {
  case "$1" in
    alertmanager) echo "$here/alertmanager-api.lua" ;;
    *) echo "$here/webhook.lua" ;;
  esac
}

# count_stored NAME DIR RUN_ID: how many of this run's requests the target holds durably.
count_stored() {
  case "${1%%@*}" in
    alerthealer-*-sqlite)
      # webhook.lua's fingerprints start with thread (2 hex) + run (6 hex); with one thread, "00".
      sqlite3 -readonly "$2/alerthealer-demo.db" "SELECT COUNT(*) FROM inbox WHERE incident_key LIKE '00$3%';" ;;
    alerthealer-*-postgres)
      runuser -u postgres -- "$pgbin/psql" -h "$pgdir" -p "$pgport" -d "$(cat "$2/database")" -tAc \
        "SELECT COUNT(*) FROM inbox WHERE incident_key LIKE '00$3%';" ;;
    *) echo - ;;
  esac
}

# What one commit costs at least: fsync latency of the disk the store is on (a WAL commit with
# synchronous=FULL is a write and an fsync). Alertmanager keeps alerts in memory and pays none.
fsync_ms() {
  python3 - "$work" <<'PY'
import os, sys, time
path = os.path.join(sys.argv[1], "fsync.probe")
fd = os.open(path, os.O_WRONLY | os.O_CREAT)
lat = []
for _ in range(200):
    os.write(fd, b"x" * 16384)
    t = time.perf_counter(); os.fsync(fd); lat.append((time.perf_counter() - t) * 1000)
os.close(fd); os.remove(path); lat.sort()
print(f"p50 {lat[100]:.2f} ms, p99 {lat[197]:.2f} ms")
PY
}

cpu_ticks() { local _c u n s i w q sq st _r; read -r _c u n s i w q sq st _r </proc/stat; echo "$((u + n + s + q + sq + st)) $((i + w))"; }

fsync_before=$(fsync_ms)
echo "== fsync of 16 KiB on the store's disk: $fsync_before"
results="$work/results.tsv"
printf 'target\tconnections\tround\trps\tp50_ms\tp99_ms\tok2xx\tnon2xx\tsocket_errors\tstored\tbusy_before\tloadavg\n' >"$results"
failures=0
run=0
export TOKEN MODE=unique SAMPLE="$root/samples/alertmanager-firing.json"

for connections in $CONNECTIONS_LIST; do
  for round in $(seq 1 "$ROUNDS"); do
    for target in $TARGETS; do
      run=$((run + 1))
      dir="$work/${target//[@=,]/_}-c$connections-r$round"
      port=$(free_port)
      url="http://127.0.0.1:$port"
      start_target "$target" "$port" "$dir"
      for i in $(seq 1 300); do
        curl -fsS -o /dev/null --max-time 1 "$url$ready" 2>/dev/null && break
        kill -0 "$pid" 2>/dev/null || { echo "$target exited:"; cat "$dir/service.log"; exit 1; }
        [ "$i" != 300 ] || { echo "$target not ready after 30 s:"; cat "$dir/service.log"; exit 1; }
        sleep 0.1
      done
      lua=$(lua_for "$target")
      # Warm-up (JIT, pools, page cache) with its own run id, then the measured run with another.
      warm_id=$(printf '%06x' $((run * 2))); measure_id=$(printf '%06x' $((run * 2 + 1)))
      RUN_ID=$warm_id wrk -t"$THREADS" -c"$connections" -d"$WARMUP" -s "$lua" "$url" >"$dir/warmup.txt" 2>&1 \
        || { cat "$dir/warmup.txt"; exit 1; }
      read -r busy0 idle0 <<<"$(cpu_ticks)"; sleep 1; read -r busy1 idle1 <<<"$(cpu_ticks)"
      busy=$(( 100 * (busy1 - busy0) / (busy1 - busy0 + idle1 - idle0 + 1) ))
      load=$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' '/')
      echo "== run $run: $target, -t$THREADS -c$connections -d$DURATION, round $round (cpu busy before: ${busy}%, load $load)"
      RUN_ID=$measure_id wrk -t"$THREADS" -c"$connections" -d"$DURATION" --latency -s "$lua" "$url" >"$dir/wrk.txt" 2>"$dir/wrk.err" \
        || { cat "$dir/wrk.txt" "$dir/wrk.err"; exit 1; }
      # Stop before counting: a graceful stop lets the last group commit finish.
      stop_target
      get() { sed -n "s/^$1=//p" "$dir/wrk.txt" | tail -n1; }
      rps=$(get rps); p50=$(get p50_ms); p99=$(get p99_ms); ok=$(get ok2xx); non2xx=$(get non2xx); socket=$(get socket_errors)
      stored=$(count_stored "$target" "$dir" "$measure_id")
      echo "   ${rps} req/s, p50 ${p50} ms, p99 ${p99} ms, 2xx ${ok}, non-2xx ${non2xx}, socket errors ${socket}, stored ${stored}"
      if [ "$non2xx" != 0 ]; then echo "   FAIL: $non2xx responses were not 2xx"; head -n 3 "$dir/wrk.err"; failures=$((failures + 1)); fi
      # Requests still in flight when wrk stopped may be committed without wrk seeing their
      # 200, so a store can hold up to one per connection more than wrk counted, never fewer.
      if [ "$stored" != - ] && { [ "$stored" -lt "$ok" ] || [ "$stored" -gt $((ok + connections)) ]; }; then
        echo "   FAIL: $ok requests were answered 2xx but $stored are stored"; failures=$((failures + 1))
      fi
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$target" "$connections" "$round" "$rps" "$p50" "$p99" \
        "$ok" "$non2xx" "$socket" "$stored" "$busy" "$load" >>"$results"
    done
  done
done

echo
echo "== ingest side by side ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), wrk -t$THREADS -d$DURATION, best of $ROUNDS alternated runs)"
echo "   load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "   fsync of 16 KiB on the store's disk: before the runs $fsync_before; after them $(fsync_ms)"
awk -F'\t' -v peer="$PEER" -v targets="$TARGETS" -v conns="$CONNECTIONS_LIST" '
  NR > 1 && ($4 + 0 > best[$1 "|" $2] + 0) { best[$1 "|" $2] = $4; p50[$1 "|" $2] = $5; p99[$1 "|" $2] = $6 }
  END {
    n = split(targets, t, " "); m = split(conns, c, " ")
    for (j = 1; j <= m; j++) {
      printf "\n  -c%s\n  %-24s %12s %10s %10s %14s %14s\n", c[j], "target", "req/s", "p50 ms", "p99 ms", "req/s ratio", "p99 ratio"
      for (i = 1; i <= n; i++) {
        k = t[i] "|" c[j]; pk = peer "|" c[j]
        ratio = (t[i] != peer && best[k] > 0 && best[pk] > 0) ? sprintf("%.2fx", best[pk] / best[k]) : "-"
        p99r = (t[i] != peer && p99[k] > 0 && p99[pk] > 0) ? sprintf("%.2fx", p99[pk] / p99[k]) : "-"
        printf "  %-24s %12.0f %10.2f %10.2f %14s %14s\n", t[i], best[k], p50[k], p99[k], ratio, p99r
      }
      for (i = 1; i <= n; i++) {
        if (t[i] !~ /^alerthealer-aot-/) continue
        jit = t[i]; sub(/-aot-/, "-jit-", jit); a = best[t[i] "|" c[j]]; b = best[jit "|" c[j]]
        if (a > 0 && b > 0)
          printf "  %s / %s req/s: %.2fx (aim >= 0.90x: %s); p99 %.2fx\n", t[i], jit, a / b, (a / b >= 0.9) ? "met" : "MISSED", p99[t[i] "|" c[j]] / p99[jit "|" c[j]]
      }
    }
    printf "\n  ratios: %s divided by each peer (req/s above 1.00x is faster; p99 below 1.00x is better)\n", peer
  }' "$results"
echo
echo "   every run:"
column -t -s $'\t' "$results" | sed 's/^/   /'
[ "$failures" = 0 ] || { echo "FAIL: $failures run(s) failed a check"; exit 1; }

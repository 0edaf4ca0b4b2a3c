#!/usr/bin/env bash
# Memory, start and size: AlertHealer's JIT and Native AOT builds beside their floors, in one run,
# over loopback. Targets (TARGETS), each published in Release by benchmarks/publish.sh:
#   alerthealer-jit   the JIT build shipped before: ReadyToRun, framework-dependent, `dotnet AlertHealer.dll`
#   alerthealer-aot   the shipped build: Native AOT, `./AlertHealer`
#   bare-jit          benchmarks/BareIngest (a CreateBuilder Minimal API binding the webhook body), JIT R2R
#   bare-aot          the same, Native AOT
#   floor-aot         benchmarks/AotFloor: CreateSlimBuilder, Native AOT, referencing KubernetesClient.Aot,
#                     Microsoft.Data.Sqlite and Npgsql; before /readyz it makes one Kubernetes API call
#                     (GET /version, to a loopback stub this script starts) and one SQLite write
# AlertHealer runs in demo mode (simulated cluster, demo tokens, SQLite in the run's directory);
# STORE=Postgres runs it on PostgreSQL instead, STORE=both adds alerthealer-jit-postgres and
# alerthealer-aot-postgres beside the SQLite ones (a throwaway PostgreSQL cluster on loopback, run
# as the postgres user, a new database per start).
#
# For each start:
#   start -> ready     from launching the process to the first 200 on /readyz (/healthz for bare),
#                      polled every 2 ms over a raw socket by a poller started before the target
#                      (with the python interpreter itself: a pyenv shim alone takes 0.3 s);
#   first decision     AlertHealer only: the sample alert is posted right after readiness; the time from
#                      sending it to the DELETE (the audit entry's action.at, stamped when the DELETE
#                      is sent), and from its 200 to the DELETE ("ack to DELETE", often <= 0: the
#                      worker sends the DELETE before the client has read the 200);
#   idle RSS           VmRSS, RssAnon (heap, stacks, GC), RssFile (mapped binary and libraries) from
#                      /proc/PID/status, IDLE seconds after the first decision, no traffic; the
#                      run's directory keeps smaps_rollup and status;
#   RSS after storm    VmRSS right after STORM_ALERTS new alerts no policy matches (deliveries of 200,
#                      8 at a time, as benchmarks/backlog.sh) were all answered 200, and VmHWM (the
#                      peak); not for floor-aot, which has no webhook.
# The targets are started alternately, ROUNDS times (A B C D E A B C D E ...); the best of each
# figure is printed with the load average, every start's figures after it, then the published
# sizes (debug symbols aside) and the Native AOT targets checked against their aims.
#
#   benchmarks/memory-and-start.sh
#   ROUNDS=5 STORE=both PUBLISHED=/tmp/alerthealer-published benchmarks/memory-and-start.sh
#   TARGETS="alerthealer-aot floor-aot" VARIANTS="size=-p:IlcOptimizationPreference=Size;wks=env:DOTNET_gcServer=0" benchmarks/memory-and-start.sh
#
# Environment: ROUNDS (3), IDLE (5), STORM_ALERTS (20000), TARGETS (all five), STORE (Sqlite,
# Postgres or both), PUBLISHED (a directory to publish into and reuse from run to run; default a
# new one under the temporary directory), KEEP (1 keeps the temporary directory), APP_ENV (extra
# environment for AlertHealer, e.g. "DOTNET_gcServer=0"), VARIANTS (more AOT targets, ";"-separated
# NAME=MSBUILD_ARGS, a build of its own, or NAME=env:VAR=VALUE ..., the shipped build with that
# environment; each runs as alerthealer-aot-NAME).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=benchmarks/publish.sh
source "$root/benchmarks/publish.sh"
ROUNDS=${ROUNDS:-3}
IDLE=${IDLE:-5}
STORM_ALERTS=${STORM_ALERTS:-20000}
STORE=${STORE:-Sqlite}
TARGETS=${TARGETS:-"alerthealer-jit alerthealer-aot bare-jit bare-aot floor-aot"}
KEEP=${KEEP:-0}
APP_ENV=${APP_ENV:-}
VARIANTS=${VARIANTS:-}
WEBHOOK_TOKEN=demo-webhook-token-not-secret   # DemoMode.WebhookToken
READER_TOKEN=demo-reader-token-not-secret     # DemoMode.ReaderToken

for tool in curl python3; do
  command -v "$tool" >/dev/null || { echo "$tool is needed" >&2; exit 2; }
done
# The interpreter itself, not a wrapper (a pyenv shim takes 0.3 s to start, longer than a native start).
py=$(python3 -c 'import sys; print(sys.executable)')

work=$(mktemp -d)
pub=${PUBLISHED:-$work/published}
mkdir -p "$pub"
pid=""
stub_pid=""
stop() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  [ -z "$pid" ] || wait "$pid" 2>/dev/null || true
  pid=""
}
cleanup() {
  stop
  [ -z "${poller:-}" ] || kill "$poller" 2>/dev/null || true
  [ -z "$stub_pid" ] || { kill "$stub_pid" 2>/dev/null || true; wait "$stub_pid" 2>/dev/null || true; }
  stop_postgres
  if [ "$KEEP" = 1 ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The targets of the run: STORE decides AlertHealer's store, VARIANTS add AOT builds or settings.
case "$STORE" in
  Sqlite|sqlite) ;;
  Postgres|postgres) TARGETS=$(for t in $TARGETS; do case "$t" in alerthealer-*) echo "$t-postgres" ;; *) echo "$t" ;; esac; done | xargs) ;;
  both) TARGETS="$TARGETS $(for t in $TARGETS; do case "$t" in alerthealer-*) echo "$t-postgres" ;; esac; done | xargs)" ;;
  *) echo "STORE is Sqlite, Postgres or both, not $STORE" >&2; exit 2 ;;
esac
declare -A variant_args=() variant_env=()
if [ -n "$VARIANTS" ]; then
  IFS=';' read -ra specs <<<"$VARIANTS"
  for spec in "${specs[@]}"; do
    name=${spec%%=*}; value=${spec#*=}
    case "$value" in env:*) variant_env[$name]=${value#env:} ;; *) variant_args[$name]=$value ;; esac
    TARGETS="$TARGETS alerthealer-aot-$name"
  done
fi

# What each target runs from: its kind, its published directory, and the variant's environment.
kind_of() { case "$1" in alerthealer-jit*) echo alerthealer-jit ;; alerthealer-aot*) echo alerthealer-aot ;; *) echo "$1" ;; esac; }
variant_of() { local t=${1%-postgres}; case "$t" in alerthealer-aot-*) echo "${t#alerthealer-aot-}" ;; esac; }
dir_of() {
  local kind v; kind=$(kind_of "$1"); v=$(variant_of "$1")
  if [ -n "$v" ] && [ -n "${variant_args[$v]:-}" ]; then echo "$pub/$kind-$v"; else echo "$pub/$kind"; fi
}

echo "== publishing (Release) into $pub"
for target in $TARGETS; do
  kind=$(kind_of "$target"); v=$(variant_of "$target"); out=$(dir_of "$target")
  # shellcheck disable=SC2086 # a variant's MSBuild arguments are words
  if [ -n "$v" ] && [ -n "${variant_args[$v]:-}" ]; then publish_app "$kind" "$out" ${variant_args[$v]}; else publish_app "$kind" "$out"; fi
done

free_port() { "$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
now_ms() { date +%s%3N; }
status_mb() { awk -v k="$2:" '$1 == k { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }

# The Kubernetes API the floor calls at start: GET /version answered with a VersionInfo.
stub_port=$(free_port)
"$py" - "$stub_port" >"$work/stub.log" 2>&1 <<'PY' &
import http.server, json, sys
body = json.dumps({"major": "1", "minor": "31", "gitVersion": "v1.31.0-stub", "gitCommit": "0", "gitTreeState": "clean",
                   "buildDate": "2026-01-01T00:00:00Z", "goVersion": "go1.22", "compiler": "gc", "platform": "linux/amd64"}).encode()
class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        status, payload = (200, body) if self.path.split("?")[0].rstrip("/") == "/version" else (404, b'{"kind":"Status","code":404}')
        self.send_response(status); self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload))); self.end_headers(); self.wfile.write(payload)
    def log_message(self, *args): pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
PY
stub_pid=$!
cat >"$work/kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: stub
  cluster:
    server: http://127.0.0.1:$stub_port
users:
- name: stub
  user:
    token: stub-token
contexts:
- name: stub
  context:
    cluster: stub
    user: stub
current-context: stub
EOF

# shellcheck source=benchmarks/postgres.sh
source "$root/benchmarks/postgres.sh"
case " $TARGETS " in *-postgres\ *) start_postgres ;; esac

# The poller of the ready path, started before the target so that its own start is not counted:
# touches DIR/polling once it polls, then polls PORT's PATH every 2 ms over a raw socket until it
# answers 200 and writes that moment (epoch ms) to DIR/ready_at; gives up after 30 s.
start_poller() {
  "$py" -S - "$@" <<'PY' &
import socket, sys, time
port, path, dir = int(sys.argv[1]), sys.argv[2], sys.argv[3]
request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode()
open(dir + "/polling", "w").close()
deadline = time.time() + 30
while time.time() < deadline:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            s.sendall(request)
            if s.recv(64).startswith(b"HTTP/1.1 200"):
                with open(dir + "/ready_at", "w") as f: f.write(str(round(time.time() * 1000)))
                sys.exit(0)
    except OSError:
        pass
    time.sleep(0.002)
sys.exit(1)
PY
  poller=$!
  until [ -e "$3/polling" ]; do sleep 0.005; done
}
# wait_ready DIR: waits for the poller; prints the milliseconds from the launch (started) to the
# first 200, or fails if the target's process ends first or after 30 s.
wait_ready() {
  while kill -0 "$poller" 2>/dev/null; do
    if ! kill -0 "$pid" 2>/dev/null || grep -q '^[^ ]* ([^)]*) Z' "/proc/$pid/stat" 2>/dev/null; then
      kill "$poller" 2>/dev/null; echo exited; return 1
    fi
    sleep 0.01
  done
  [ -s "$1/ready_at" ] || { echo "not ready after 30 s"; return 1; }
  echo $(( $(cat "$1/ready_at") - started ))
}

# The first decision: POST the sample, then read the audit log until the restart shows; prints
# the milliseconds from sending the POST to the DELETE (action.at), and from its 200 to the DELETE.
first_decision_ms() {
  "$py" - "$1" "$root/samples/alertmanager-firing.json" "$WEBHOOK_TOKEN" "$READER_TOKEN" <<'PY'
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

# The storm: STORM_ALERTS new alerts that no policy matches, in deliveries of 200, 8 at a time;
# prints the seconds until the last 200. Fails on anything but 200.
storm() {
  "$py" - "$1" "$WEBHOOK_TOKEN" "$STORM_ALERTS" "$root/samples/alertmanager-firing.json" "$2" <<'PY'
import json, sys, time, urllib.request, concurrent.futures, datetime
url, webhook, count, sample, run = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
body = json.load(open(sample)); template = body["alerts"][0]
now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")
def delivery(d, n):
    alerts = []
    for i in range(n):
        a = json.loads(json.dumps(template))
        a["fingerprint"] = f"{run}{d:04x}{i:06x}"[:16]
        a["labels"]["alertname"] = "NoisyRuleFromAnotherTeam"
        a["startsAt"] = now
        alerts.append(a)
    return json.dumps(dict(body, alerts=alerts)).encode()
bodies = [delivery(d, min(200, count - d * 200)) for d in range((count + 199) // 200)]
def post(b):
    req = urllib.request.Request(url + "/webhook/alertmanager", b, method="POST",
        headers={"Authorization": "Bearer " + webhook, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=60) as r: return r.status
    except urllib.error.HTTPError as e: return e.code
t0 = time.time()
with concurrent.futures.ThreadPoolExecutor(8) as pool:
    statuses = list(pool.map(post, bodies))
if set(statuses) != {200}: print(f"statuses {sorted(set(statuses))}", file=sys.stderr); sys.exit(1)
print(f"{time.time() - t0:.2f}")
PY
}

# start_target TARGET PORT DIR: launches TARGET on 127.0.0.1:PORT with DIR as its working
# directory; sets pid, ready (the path that answers 200 once it is ready) and started (ms).
start_target() {
  local target=$1 port=$2 dir=$3 kind from v extra=()
  kind=$(kind_of "$target"); from=$(dir_of "$target"); v=$(variant_of "$target")
  local url="http://127.0.0.1:$port"
  case "$target" in
    *-postgres)
      local database="bench_$RANDOM$RANDOM"
      runuser -u postgres -- "$pgbin/createdb" -h "$pgdir" -p "$pgport" "$database"
      extra+=(AlertHealer__Store__Provider=Postgres
              "AlertHealer__Store__ConnectionString=Host=127.0.0.1;Port=$pgport;Username=postgres;Database=$database") ;;
  esac
  # shellcheck disable=SC2206 # APP_ENV and a variant's environment are lists of NAME=value words
  [ -z "$v" ] || [ -z "${variant_env[$v]:-}" ] || extra+=(${variant_env[$v]})
  # shellcheck disable=SC2206
  [ -z "$APP_ENV" ] || case "$kind" in alerthealer-*) extra+=($APP_ENV) ;; esac
  started=$(now_ms)
  case "$kind" in
    alerthealer-jit)
      (cd "$dir" && exec env DOTNET_CLI_TELEMETRY_OPTOUT=1 ASPNETCORE_ENVIRONMENT=Production "${extra[@]}" \
        dotnet "$from/AlertHealer.dll" --demo --urls "$url" --contentRoot "$from") >"$dir/service.log" 2>&1 &
      ready=/readyz ;;
    alerthealer-aot)
      (cd "$dir" && exec env ASPNETCORE_ENVIRONMENT=Production "${extra[@]}" \
        "$from/AlertHealer" --demo --urls "$url" --contentRoot "$from") >"$dir/service.log" 2>&1 &
      ready=/readyz ;;
    bare-jit)
      (cd "$dir" && exec env DOTNET_CLI_TELEMETRY_OPTOUT=1 ASPNETCORE_ENVIRONMENT=Production \
        dotnet "$from/BareIngest.dll" --urls "$url") >"$dir/service.log" 2>&1 &
      ready=/healthz ;;
    bare-aot)
      (cd "$dir" && exec env ASPNETCORE_ENVIRONMENT=Production "$from/BareIngest" --urls "$url") >"$dir/service.log" 2>&1 &
      ready=/healthz ;;
    floor-aot)
      (cd "$dir" && exec env ASPNETCORE_ENVIRONMENT=Production KUBECONFIG="$work/kubeconfig" \
        "$from/AotFloor" --urls "$url") >"$dir/service.log" 2>&1 &
      ready=/readyz ;;
  esac
  pid=$!
}

results="$work/results.tsv"
printf 'target\tround\tstart_ms\tidle_rss_mb\tidle_anon_mb\tidle_file_mb\tpost_to_delete_ms\tack_to_delete_ms\tstorm_s\tstorm_rss_mb\tstorm_peak_mb\tloadavg\n' >"$results"
for round in $(seq 1 "$ROUNDS"); do
  for target in $TARGETS; do
    dir="$work/$target-$round"; mkdir -p "$dir"
    port=$(free_port); url="http://127.0.0.1:$port"
    case "$target" in bare-*) ready=/healthz ;; *) ready=/readyz ;; esac
    start_poller "$port" "$ready" "$dir"
    start_target "$target" "$port" "$dir"
    start_ms=$(wait_ready "$dir") || { echo "$target: $start_ms"; cat "$dir/service.log"; exit 1; }
    wait "$poller" 2>/dev/null || true
    decision=-; after_ack=-
    case "$target" in alerthealer-*)
      read -r decision after_ack outcome <<<"$(first_decision_ms "$url")"
      [ "$outcome" = restarted ] || { echo "$target: the first decision was '$outcome', not restarted"; cat "$dir/service.log"; exit 1; } ;;
    esac
    sleep "$IDLE"
    idle=$(status_mb "$pid" VmRSS); anon=$(status_mb "$pid" RssAnon); file=$(status_mb "$pid" RssFile)
    cat "/proc/$pid/smaps_rollup" >"$dir/smaps_rollup"; cat "/proc/$pid/status" >"$dir/status"
    storm_s=-; storm_rss=-; storm_peak=-
    if [ "$target" != floor-aot ]; then
      storm_s=$(storm "$url" "$(printf '%06x' "$round")") || { echo "$target: the storm failed"; tail -n 20 "$dir/service.log"; exit 1; }
      storm_rss=$(status_mb "$pid" VmRSS); storm_peak=$(status_mb "$pid" VmHWM)
    fi
    load=$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' '/')
    stop
    echo "== $target round $round: start->ready ${start_ms} ms, idle RSS ${idle} MB (anon ${anon}, file ${file}), first decision ${decision} ms (${after_ack} ms after the 200), storm ${storm_s} s, RSS after ${storm_rss} MB (peak ${storm_peak}), load $load"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$target" "$round" "$start_ms" "$idle" "$anon" "$file" \
      "$decision" "$after_ack" "$storm_s" "$storm_rss" "$storm_peak" "$load" >>"$results"
  done
done

sizes="$work/sizes.tsv"
: >"$sizes"
for target in $TARGETS; do
  from=$(dir_of "$target"); kind=$(kind_of "$target")
  case "$kind" in
    alerthealer-jit) binary="$from/AlertHealer.dll" ;; alerthealer-aot) binary="$from/AlertHealer" ;;
    bare-jit) binary="$from/BareIngest.dll" ;; bare-aot) binary="$from/BareIngest" ;; floor-aot) binary="$from/AotFloor" ;;
  esac
  printf '%s\t%s\t%s\n' "$target" "$(published_mb "$from")" "$(file_mb "$binary")" >>"$sizes"
done

echo
echo "== memory, start and size ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/^Mem:/ { print $2 }') GiB, best of $ROUNDS alternated starts)"
echo "   load average at the end: $(cut -d' ' -f1-3 /proc/loadavg); STORE=$STORE; storm $STORM_ALERTS alerts; idle after ${IDLE} s"
echo "   JIT builds need the shared ASP.NET Core runtime beside them: $(shared_runtime_mb) MB (not in their published size)"
awk -F'\t' -v targets="$TARGETS" '
  FILENAME == ARGV[1] { size[$1] = $2; binary[$1] = $3; next }
  function lower(key, v) { if (v == "-" || v == "nan") return; if (!(key in best) || v + 0 < best[key] + 0) best[key] = v }
  FNR > 1 { lower($1 "|start", $3); lower($1 "|idle", $4); lower($1 "|anon", $5); lower($1 "|file", $6)
            lower($1 "|decision", $7); lower($1 "|ack", $8); lower($1 "|storm", $10); lower($1 "|peak", $11) }
  function get(k) { return (k in best) ? best[k] : "-" }
  function check(what, value, limit) {
    if (value == "-") { printf "  %-58s %10s   no figure\n", what, value; return }
    printf "  %-58s %10s   %s (aim <= %s)\n", what, value, (value + 0 <= limit + 0) ? "met" : "MISSED", limit
  }
  END {
    n = split(targets, t, " ")
    printf "\n  %-28s %9s %9s %7s %7s %11s %9s %9s %9s %9s %9s\n", "target", "start ms", "idle RSS", "anon", "file", "POST->DEL", "ack->DEL", "storm RSS", "peak", "publ. MB", "binary MB"
    for (i = 1; i <= n; i++)
      printf "  %-28s %9s %9s %7s %7s %11s %9s %9s %9s %9s %9s\n", t[i], get(t[i] "|start"), get(t[i] "|idle"), get(t[i] "|anon"), get(t[i] "|file"),
        get(t[i] "|decision"), get(t[i] "|ack"), get(t[i] "|storm"), get(t[i] "|peak"), size[t[i]], binary[t[i]]
    if (!("floor-aot|start" in best)) exit
    fs = best["floor-aot|start"]; fi = best["floor-aot|idle"]
    printf "\n  AOT floor: start %s ms, idle RSS %s MB\n", fs, fi
    for (i = 1; i <= n; i++) {
      if (t[i] !~ /^alerthealer-aot/) continue
      printf "\n  %s\n", t[i]
      s = get(t[i] "|start"); r = get(t[i] "|idle")
      check("start -> /readyz, ms", s, 200)
      check("start -> /readyz / floor", (s == "-") ? "-" : sprintf("%.2f", s / fs), 1.3)
      check("idle RSS, MB", r, 60)
      check("idle RSS / floor", (r == "-") ? "-" : sprintf("%.2f", r / fi), 1.25)
      if (t[i] !~ /-postgres$/) {
        check("RSS after the storm, MB", get(t[i] "|storm"), 120)
        check("published app without debug symbols, MB", size[t[i]], 60)
        check("first decision, ack -> DELETE, ms", get(t[i] "|ack"), 50)
      }
    }
  }' "$sizes" "$results"
echo
echo "   every start:"
column -t -s $'\t' "$results" | sed 's/^/   /'

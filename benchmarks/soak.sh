#!/usr/bin/env bash
# Seeded fault soak, longer than the suite's: runs SeededSoakKeepsEveryInvariant with the seed and
# length you pick, and samples the service process every second into a CSV: resident memory,
# open file descriptors, threads and inbox depth (alerthealer_inbox_depth from GET /metrics).
#
#   benchmarks/soak.sh                                        # default seed, 300 s of faults
#   ALERTHEALER_SOAK_SEED=7 ALERTHEALER_SOAK_SECONDS=900 benchmarks/soak.sh
#   REPLICAS=2 ALERTHEALER_SOAK_SEED=7 ALERTHEALER_SOAK_SECONDS=1800 benchmarks/soak.sh   # two replicas on PostgreSQL
#
# Environment: STORE (Sqlite | Postgres), ALERTHEALER_SOAK_SEED (the suite's default seed), ALERTHEALER_SOAK_SECONDS (300),
# OUT (a new directory under /tmp; keeps report.txt, events.log, samples.csv, test.log, the database),
# INTERVAL (1, seconds between samples), REPLICAS (1, or 2: TwoReplicaSoakKeepsEveryInvariant, two
# processes on one PostgreSQL; STORE is then ignored, and each sample also counts the replica's
# connections to PostgreSQL). Exits with the test's status: 0 when every invariant held.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export ALERTHEALER_SOAK_SECONDS=${ALERTHEALER_SOAK_SECONDS:-300}
[ -n "${ALERTHEALER_SOAK_SEED:-}" ] && export ALERTHEALER_SOAK_SEED
STORE=${STORE:-Sqlite}   # or Postgres: a throwaway PostgreSQL server of the run's own
REPLICAS=${REPLICAS:-1}
OUT=${OUT:-$(mktemp -d /tmp/alerthealer-soak-XXXXXX)}
INTERVAL=${INTERVAL:-1}
mkdir -p "$OUT"
export ALERTHEALER_SOAK_DIR="$OUT"
csv="$OUT/samples.csv"
rm -f "$OUT"/service*.status "$OUT"/service*.pgport
if [ "$REPLICAS" = 2 ]; then
  filter="FullyQualifiedName~TwoReplicaSoakKeepsEveryInvariant"; what="two replicas on PostgreSQL"
else
  filter="FullyQualifiedName~SeededSoakKeepsEveryInvariant&DisplayName~$STORE"; what="$STORE"
fi

# Established TCP connections of process $1 to port $2 (its PostgreSQL relay), from /proc.
pg_connections() {
  local inodes port
  inodes=$(ls -l "/proc/$1/fd" 2>/dev/null | sed -n 's/.*socket:\[\([0-9]*\)\]/\1/p' | tr '\n' ' ')
  port=$(printf '%04X' "$2")
  awk -v inodes=" $inodes" -v port="$port" 'NR > 1 { split($3, r, ":"); if (r[2] == port && $4 == "01" && index(inodes, " " $10 " ")) n++ } END { print n + 0 }' /proc/net/tcp
}

echo "== building the tests"
dotnet build "$root/tests/AlertHealer.Tests" -nologo -v quiet >"$OUT/build.log" 2>&1 || { cat "$OUT/build.log"; exit 1; }

echo "== soak on $what: seed ${ALERTHEALER_SOAK_SEED:-default}, ${ALERTHEALER_SOAK_SECONDS}s of faults; files in $OUT"
dotnet test "$root/tests/AlertHealer.Tests" --no-build --filter "$filter" \
  --logger "console;verbosity=normal" >"$OUT/test.log" 2>&1 &
test_pid=$!
trap 'kill "$test_pid" 2>/dev/null' INT TERM

# pid url generation, rewritten by the soak at each (re)start of the service.
# One row per running process per sample; replica is "-" with one replica, pg_connections empty on SQLite.
echo "elapsed_s,generation,pid,rss_kb,fds,threads,inbox_depth,replica,pg_connections" >"$csv"
start=$(date +%s)
while kill -0 "$test_pid" 2>/dev/null; do
  for status_file in "$OUT"/service*.status; do
    [ -f "$status_file" ] || continue
    replica=$(basename "$status_file" .status); replica=${replica#service}; replica=${replica#-}
    if read -r pid url generation <"$status_file" && [ -d "/proc/$pid" ]; then
      rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null)
      threads=$(awk '/^Threads:/ {print $2}' "/proc/$pid/status" 2>/dev/null)
      fds=$(ls "/proc/$pid/fd" 2>/dev/null | wc -l)
      depth=$(curl -fsS --max-time 2 "${url%/}/metrics" 2>/dev/null | awk '/^alerthealer_inbox_depth / {print $2}')
      pg=""
      [ -f "$OUT/service-$replica.pgport" ] && pg=$(pg_connections "$pid" "$(cat "$OUT/service-$replica.pgport")")
      [ -n "$rss" ] && echo "$(( $(date +%s) - start )),$generation,$pid,$rss,$fds,$threads,${depth:-},${replica:--},$pg" >>"$csv"
    fi
  done
  sleep "$INTERVAL"
done
wait "$test_pid"
result=$?

samples=$(( $(wc -l <"$csv") - 1 ))
summary=$(awk -F, 'NR > 1 {
    if ($4 > rss) rss = $4; if ($5 > fds) fds = $5; if ($6 > thr) thr = $6; if ($7 != "" && $7 > depth) depth = $7
    if ($9 != "" && $9 > pg) pg = $9
    last = $0; if ($2 > gen) gen = $2
  } END { printf "max rss %d kB, max fds %d, max threads %d, max inbox depth %d, max connections to PostgreSQL per replica %d, service generations %d\n", rss, fds, thr, depth, pg, gen }' "$csv")

echo
if [ -f "$OUT/report.txt" ]; then sed '/^Event sequence/,$d' "$OUT/report.txt"; else tail -n 40 "$OUT/test.log"; fi
echo
echo "== $samples samples: $summary"
echo "   last sample (elapsed_s,generation,pid,rss_kb,fds,threads,inbox_depth,replica,pg_connections): $(tail -n1 "$csv")"
echo "   samples: $csv"
echo "   events:  $OUT/events.log"
echo "   report:  $OUT/report.txt (with the events around each violation)"
echo "   test:    $OUT/test.log"
echo "== result: $([ "$result" = 0 ] && echo "every invariant held" || echo "FAILED (see above and $OUT/test.log)")"
exit "$result"

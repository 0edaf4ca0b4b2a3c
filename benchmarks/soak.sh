#!/usr/bin/env bash
# Seeded fault soak, longer than the suite's: runs SeededSoakKeepsEveryInvariant with the seed and
# length you pick, and samples the service process every second into a CSV: resident memory,
# open file descriptors, threads and inbox depth (alerthealer_inbox_depth from GET /metrics).
#
#   benchmarks/soak.sh                                        # default seed, 300 s of faults
#   ALERTHEALER_SOAK_SEED=7 ALERTHEALER_SOAK_SECONDS=900 benchmarks/soak.sh
#
# Environment: STORE (Sqlite | Postgres), ALERTHEALER_SOAK_SEED (the suite's default seed), ALERTHEALER_SOAK_SECONDS (300),
# OUT (a new directory under /tmp; keeps report.txt, events.log, samples.csv, test.log, the database),
# INTERVAL (1, seconds between samples). Exits with the test's status: 0 when every invariant held.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export ALERTHEALER_SOAK_SECONDS=${ALERTHEALER_SOAK_SECONDS:-300}
[ -n "${ALERTHEALER_SOAK_SEED:-}" ] && export ALERTHEALER_SOAK_SEED
STORE=${STORE:-Sqlite}   # or Postgres: a throwaway PostgreSQL server of the run's own
OUT=${OUT:-$(mktemp -d /tmp/alerthealer-soak-XXXXXX)}
INTERVAL=${INTERVAL:-1}
mkdir -p "$OUT"
export ALERTHEALER_SOAK_DIR="$OUT"
status_file="$OUT/service.status"
csv="$OUT/samples.csv"
rm -f "$status_file"

echo "== building the tests"
dotnet build "$root/tests/AlertHealer.Tests" -nologo -v quiet >"$OUT/build.log" 2>&1 || { cat "$OUT/build.log"; exit 1; }

echo "== soak on $STORE: seed ${ALERTHEALER_SOAK_SEED:-default}, ${ALERTHEALER_SOAK_SECONDS}s of faults; files in $OUT"
dotnet test "$root/tests/AlertHealer.Tests" --no-build --filter "FullyQualifiedName~SeededSoakKeepsEveryInvariant&DisplayName~$STORE" \
  --logger "console;verbosity=normal" >"$OUT/test.log" 2>&1 &
test_pid=$!
trap 'kill "$test_pid" 2>/dev/null' INT TERM

# pid url generation, rewritten by the soak at each (re)start of the service.
echo "elapsed_s,generation,pid,rss_kb,fds,threads,inbox_depth" >"$csv"
start=$(date +%s)
while kill -0 "$test_pid" 2>/dev/null; do
  if [ -f "$status_file" ] && read -r pid url generation <"$status_file" && [ -d "/proc/$pid" ]; then
    rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null)
    threads=$(awk '/^Threads:/ {print $2}' "/proc/$pid/status" 2>/dev/null)
    fds=$(ls "/proc/$pid/fd" 2>/dev/null | wc -l)
    depth=$(curl -fsS --max-time 2 "${url%/}/metrics" 2>/dev/null | awk '/^alerthealer_inbox_depth / {print $2}')
    [ -n "$rss" ] && echo "$(( $(date +%s) - start )),$generation,$pid,$rss,$fds,$threads,${depth:-}" >>"$csv"
  fi
  sleep "$INTERVAL"
done
wait "$test_pid"
result=$?

samples=$(( $(wc -l <"$csv") - 1 ))
summary=$(awk -F, 'NR > 1 {
    if ($4 > rss) rss = $4; if ($5 > fds) fds = $5; if ($6 > thr) thr = $6; if ($7 != "" && $7 > depth) depth = $7
    last = $0; if ($2 > gen) gen = $2
  } END { printf "max rss %d kB, max fds %d, max threads %d, max inbox depth %d, service generations %d\n", rss, fds, thr, depth, gen }' "$csv")

echo
if [ -f "$OUT/report.txt" ]; then sed '/^Event sequence/,$d' "$OUT/report.txt"; else tail -n 40 "$OUT/test.log"; fi
echo
echo "== $samples samples: $summary"
echo "   last sample (elapsed_s,generation,pid,rss_kb,fds,threads,inbox_depth): $(tail -n1 "$csv")"
echo "   samples: $csv"
echo "   events:  $OUT/events.log"
echo "   report:  $OUT/report.txt (with the events around each violation)"
echo "   test:    $OUT/test.log"
echo "== result: $([ "$result" = 0 ] && echo "every invariant held" || echo "FAILED (see above and $OUT/test.log)")"
exit "$result"

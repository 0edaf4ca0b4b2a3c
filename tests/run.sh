#!/usr/bin/env bash
# The one test command: installs what a fresh machine lacks, runs every test,
# and ends with "N passed, N failed" on a line of its own.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# Debian packages: the real Alertmanager/amtool, promtool and PostgreSQL; Chromium and its driver for the web page.
missing=()
# Debian names the binary prometheus-alertmanager.
command -v prometheus-alertmanager >/dev/null || command -v alertmanager >/dev/null || missing+=(prometheus-alertmanager)
command -v amtool >/dev/null || missing+=(prometheus-alertmanager)
command -v promtool >/dev/null || missing+=(prometheus)
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
command -v chromium >/dev/null || missing+=(chromium)
command -v chromedriver >/dev/null || missing+=(chromium-driver)
# The PostgreSQL tests start throwaway clusters with initdb/pg_ctl (Debian keeps them off PATH).
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || command -v pg_ctl >/dev/null || missing+=(postgresql)
# The fault soak fills the disk for the service with a file size limit (prlimit).
command -v prlimit >/dev/null || missing+=(util-linux)
# The native (AOT) build links with clang against zlib, and strips its symbols with objcopy.
command -v clang >/dev/null || missing+=(clang)
[ -e /usr/include/zlib.h ] || missing+=(zlib1g-dev)
command -v objcopy >/dev/null || missing+=(binutils)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing Debian packages: ${missing[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# The package starts a system Alertmanager on :9093; the tests run their own.
as_root systemctl disable --now prometheus-alertmanager prometheus >/dev/null 2>&1 || true

# Grafana's LogQL grammar, HashiCorp's HCL parser (deploy/terraform) and the OpenAPI validator
# (@apidevtools/swagger-parser), run with node.
for dir in tests/logql tests/hcl tests/openapi; do
  if [ -f "$dir/package.json" ]; then
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) || { echo "npm ci failed in $dir"; echo "0 passed, 1 failed"; exit 1; }
  fi
done

results=$(mktemp -d)
export ALERTHEALER_TEST_LEDGER="$results/kubernetes-requests.jsonl"
# Screenshots of the web page land here.
export ALERTHEALER_ARTIFACTS="$results/artifacts"

# npm audit of the test tools' packages (none of them ships in the image): a high or critical
# advisory fails the run; an advisory endpoint that cannot be reached is said, not taken for a pass.
for dir in tests/logql tests/hcl tests/openapi; do
  [ -f "$dir/package-lock.json" ] || continue
  if ! report=$(cd "$dir" && npm audit --omit=dev --audit-level=high --json 2>/dev/null); then
    if grep -q '"vulnerabilities"' <<<"$report"; then
      (cd "$dir" && npm audit --omit=dev); echo "npm audit: known vulnerabilities in $dir"; echo "0 passed, 1 failed"; exit 1
    fi
    echo "npm audit: WARNING: the advisory endpoint could not be reached; $dir was NOT checked for known vulnerabilities"
  fi
done

# Locked: exactly the packages of the committed packages.lock.json files, or the restore fails.
# Audited: a package with a published vulnerability fails it too (Directory.Build.props).
restore_log="$results/restore.log"
if ! { dotnet tool restore && dotnet restore AlertHealer.sln --locked-mode; } >"$restore_log" 2>&1; then
  cat "$restore_log"; echo "restore failed (a changed lock file, or a vulnerable package: see above)"; echo "0 passed, 1 failed"; exit 1
fi
# NU1900 (unreachable) and NU1905 (no vulnerability data served): nothing was checked; say so.
if grep -q -E 'NU1900|NU1905' "$restore_log"; then
  grep -E 'NU1900|NU1905' "$restore_log" | sed 's/^.*: warning /  /' | sort -u
  echo "NuGet audit: WARNING: no vulnerability data could be read; packages were NOT checked for known vulnerabilities"
else
  echo "NuGet audit: every package checked against the published vulnerabilities"
fi
# The shipped build, as the Dockerfile makes it: Native AOT for linux-x64, published once per run.
# The black-box suites (processes: startup refusals, replicas, the fault soak, TLS, upgrades) start it.
native="$results/native"
if ! dotnet publish src/AlertHealer/AlertHealer.csproj -c Release -r linux-x64 --no-restore -o "$native" >"$results/publish.log" 2>&1; then
  cat "$results/publish.log"; echo "the native build failed (an AOT or trim warning fails it: see above)"; echo "0 passed, 1 failed"; exit 1
fi
echo "native build: $(du -sh --exclude='*.dbg' "$native" | cut -f1) in $native ($(grep -c 'warning IL' "$results/publish.log") AOT/trim warnings)"
export ALERTHEALER_APP="$native/AlertHealer"

# Phase 1: every test; each fake API server appends what AlertHealer asked it for to the ledger.
dotnet test AlertHealer.sln --no-restore --filter "Category!=LeastPrivilege" \
  --logger "trx;LogFileName=suite.trx" --results-directory "$results" --logger "console;verbosity=minimal"
status=$?
# Phase 2: the least-privilege proof reads the whole suite's ledger against deploy/'s Roles.
ALERTHEALER_LEDGER_COMPLETE=1 dotnet test AlertHealer.sln --no-build --filter "Category=LeastPrivilege" \
  --logger "trx;LogFileName=least-privilege.trx" --results-directory "$results" --logger "console;verbosity=minimal"
status=$(( status | $? ))

passed=0; failed=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
done
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "test results and artifacts: $results"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

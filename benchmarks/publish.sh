# Sourced by memory-and-start.sh and ingest-vs-alertmanager.sh: publishes the apps they compare,
# each the way it ships or the way its peer does, in Release, niced.
#
#   publish_app KIND OUT [MSBUILD_ARGS...]
#     alerthealer-jit  src/AlertHealer as the JIT build shipped before Native AOT: ReadyToRun for this
#                      machine's runtime, framework-dependent (dotnet OUT/AlertHealer.dll)
#     alerthealer-aot  src/AlertHealer as it ships now: Native AOT for linux-x64 (OUT/AlertHealer);
#                      MSBUILD_ARGS (e.g. -p:IlcOptimizationPreference=Size) publish a variant
#     bare-jit         benchmarks/BareIngest, ReadyToRun, framework-dependent (dotnet OUT/BareIngest.dll)
#     bare-aot         benchmarks/BareIngest, Native AOT (OUT/BareIngest)
#     floor-aot        benchmarks/AotFloor, Native AOT (OUT/AotFloor)
#
# A directory that already holds the published app is reused (PUBLISHED=DIR in the scripts keeps
# them between runs), so a measurement can start without a build on the machine.
# Builds run on a copy of the sources (OUT's parent directory/tree: the build files at the top,
# src/AlertHealer, benchmarks/BareIngest and benchmarks/AotFloor without bin and obj), so they never
# touch the working tree's bin/ and obj/, which a test run may be using at the same time; the commit
# is passed as SourceRevisionId, as the Dockerfile does. The lock files are the shipped builds' own:
# AlertHealer's is the AOT build's (it lists the ILCompiler package) and BareIngest's the JIT
# build's; the two builds that differ from them in that package restore with a lock file of their
# own beside OUT.

# shellcheck shell=bash
publish_app() {
  local kind=$1 out=$2; shift 2
  local project entry args=()
  case "$kind" in
    alerthealer-jit) project=src/AlertHealer; entry=AlertHealer.dll
      args=(--use-current-runtime --self-contained false -p:PublishReadyToRun=true -p:PublishAot=false
            "-p:NuGetLockFilePath=$out.packages.lock.json") ;;
    alerthealer-aot) project=src/AlertHealer; entry=AlertHealer; args=(-r linux-x64) ;;
    bare-jit) project=benchmarks/BareIngest; entry=BareIngest.dll
      args=(--use-current-runtime --self-contained false -p:PublishReadyToRun=true) ;;
    bare-aot) project=benchmarks/BareIngest; entry=BareIngest
      args=(-r linux-x64 -p:PublishAot=true "-p:NuGetLockFilePath=$out.packages.lock.json") ;;
    floor-aot) project=benchmarks/AotFloor; entry=AotFloor; args=(-r linux-x64) ;;
    *) echo "publish_app: unknown kind $kind" >&2; return 2 ;;
  esac
  [ -f "$out/$entry" ] && return 0
  local tree; tree=$(dirname "$out")/tree
  if [ ! -d "$tree" ]; then
    mkdir -p "$tree/src" "$tree/benchmarks"
    cp "$root"/Directory.Build.props "$root"/Directory.Packages.props "$root"/nuget.config "$tree/"
    for p in src/AlertHealer benchmarks/BareIngest benchmarks/AotFloor; do
      (cd "$root" && tar -c --exclude=./bin --exclude=./obj -C "$p" .) | (mkdir -p "$tree/$p" && tar -x -C "$tree/$p")
    done
  fi
  echo "   publishing $kind${*:+ ($*)} to $out"
  mkdir -p "$out"
  if ! nice -n 10 dotnet publish "$tree/$project" -c Release -o "$out" -nologo -v quiet -nodeReuse:false \
      -p:UseSharedCompilation=false -p:SourceRevisionId="$(git -C "$root" rev-parse HEAD 2>/dev/null || echo unknown)" \
      "${args[@]}" "$@" >"$out.publish.log" 2>&1; then
    cat "$out.publish.log"; rm -rf "$out"; return 1
  fi
}

# published_mb DIR: the published app without debug symbols (*.dbg, *.pdb), in MB (10^6 bytes).
published_mb() { find "$1" -type f ! -name '*.dbg' ! -name '*.pdb' -printf '%s\n' | awk '{ s += $1 } END { printf "%.1f", s / 1e6 }'; }
# file_mb FILE
file_mb() { stat -c %s "$1" | awk '{ printf "%.1f", $1 / 1e6 }'; }
# shared_runtime_mb: the shared frameworks a framework-dependent ASP.NET Core app needs beside it
# (Microsoft.NETCore.App and Microsoft.AspNetCore.App of the running version), which its image carries.
shared_runtime_mb() {
  local base version
  base=$(dirname "$(readlink -f "$(command -v dotnet)")")
  version=$(dotnet --list-runtimes | awk '/^Microsoft.AspNetCore.App/ { v = $2 } END { print v }')
  find "$base/shared/Microsoft.NETCore.App/$version" "$base/shared/Microsoft.AspNetCore.App/$version" -type f -printf '%s\n' 2>/dev/null \
    | awk '{ s += $1 } END { printf "%.1f", s / 1e6 }'
}

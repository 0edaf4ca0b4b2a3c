# AlertHealer container image.
#
# Both base images are pinned by tag AND digest, so a rebuild gets the same
# bytes until the pin is moved on purpose. The digests are those of the
# multi-platform image indexes; they go stale with every .NET patch release.
# Refresh both together (then rebuild and run the tests):
#   docker buildx imagetools inspect mcr.microsoft.com/dotnet/sdk:10.0
#   docker buildx imagetools inspect mcr.microsoft.com/dotnet/runtime-deps:10.0-noble-chiseled
# and copy each "Digest:" line into the FROM below.

# ---- build ------------------------------------------------------------------
FROM mcr.microsoft.com/dotnet/sdk:10.0@sha256:ea8bde36c11b6e7eec2656d0e59101d4462f6bd630730f2c8201ed0572b295d5 AS build
WORKDIR /source

# The native (AOT) compiler links with clang against zlib.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends clang zlib1g-dev \
 && rm -rf /var/lib/apt/lists/*

# Restore in its own layer: it only reruns when a project or package
# version changes, not on every source edit. Locked: exactly the packages
# (and versions, and content hashes) of packages.lock.json, or the build fails;
# NuGet's audit fails it too on a package with a published vulnerability.
COPY Directory.Build.props Directory.Packages.props nuget.config ./
COPY .config/dotnet-tools.json .config/
COPY src/AlertHealer/AlertHealer.csproj src/AlertHealer/packages.lock.json src/AlertHealer/
# Native AOT (PublishAot in the project): one native executable for the image's platform
# (--use-current-runtime: the SDK runs as the target platform), no JIT and no IL to map, so it
# starts and idles small (benchmarks/README.md). Restore fetches the compiler for the runtime.
RUN dotnet tool restore \
 && dotnet restore src/AlertHealer/AlertHealer.csproj --locked-mode --use-current-runtime

# The release: VERSION must be Directory.Build.props' own (the labels below cannot
# disagree with --version); REVISION is the commit, as there is no .git in the context.
ARG VERSION=1.0.0
ARG REVISION=unknown
COPY src/ src/
RUN test "$(dotnet msbuild src/AlertHealer/AlertHealer.csproj -getProperty:Version)" = "$VERSION" \
 || { echo "VERSION=$VERSION is not the version in Directory.Build.props"; exit 1; }
# Any AOT or trim warning fails it (warnings are errors). The debug symbols (*.dbg) stay here.
RUN dotnet publish src/AlertHealer/AlertHealer.csproj -c Release -o /app --no-restore --use-current-runtime \
    -p:SourceRevisionId=$REVISION \
 && rm -f /app/*.dbg
# The SBOM (CycloneDX, JSON) of the packages just restored, shipped beside the app.
RUN dotnet tool run dotnet-CycloneDX src/AlertHealer/AlertHealer.csproj --disable-package-restore \
    --output /app --filename sbom.cdx.json --output-format Json --set-name AlertHealer --set-version "$VERSION"

# An empty data directory, copied into the final image owned by `app`, so a
# plain `docker run -v <volume>:/var/lib/alerthealer` is writable too. The
# chiseled image has no shell to mkdir/chown with.
RUN mkdir -p /staging/data

# ---- final ------------------------------------------------------------------
# Chiseled Ubuntu with only what a native .NET app needs (libc, OpenSSL, certificates): no .NET
# runtime, no shell, no package manager; runs as `app` (1654).
FROM mcr.microsoft.com/dotnet/runtime-deps:10.0-noble-chiseled@sha256:afd8faf9aca00ee69b44b33631665e654e2423e143b6362dffe52c006cd7c4e6 AS final
WORKDIR /app
COPY --from=build /app ./
COPY --from=build --chown=1654:1654 /staging/data/ /var/lib/alerthealer/

# OCI labels: which release this is (.woodpecker/release.yaml passes every argument).
ARG VERSION=1.0.0
ARG REVISION=unknown
ARG CREATED
ARG SOURCE=https://github.com/alerthealer/alerthealer
ARG LICENSES=NOASSERTION
LABEL org.opencontainers.image.title="AlertHealer" \
      org.opencontainers.image.version="$VERSION" \
      org.opencontainers.image.revision="$REVISION" \
      org.opencontainers.image.created="$CREATED" \
      org.opencontainers.image.source="$SOURCE" \
      org.opencontainers.image.licenses="$LICENSES"

# Numeric (APP_UID is 1654 in the base image) so that Kubernetes can verify
# runAsNonRoot without a runAsUser of its own.
USER $APP_UID
EXPOSE 8080
ENV ASPNETCORE_HTTP_PORTS=8080 \
    AlertHealer__Store__ConnectionString="Data Source=/var/lib/alerthealer/alerthealer.db"
VOLUME /var/lib/alerthealer
ENTRYPOINT ["/app/AlertHealer"]

# MusicForge: the `musicforge` executable in a small Debian 12 (bookworm) image.
#
#   docker build -t musicforge:dev .
#   docker build --build-arg WITH_FFMPEG=1 -t musicforge:dev-ffmpeg .   # also the ffmpeg program (demo-library)
#   docker run --rm -p 8080:8080 -e DATABASE_URL=… -e REDIS_URL=… musicforge:dev
#
# Two stages: the build stage has the Swift toolchain and the C libraries' -dev packages; the runtime stage
# has the binary (Swift standard library and Foundation linked in statically) and only the shared
# libraries it loads. Both are Debian 12, so the FFmpeg 5.1 sonames (libavformat.so.59, …) match.

# Build image: the official Swift image on Debian 12. Swift 6.2 is the oldest toolchain that builds this
# package: Package.swift says tools 6.1, but the dependency versions it resolves to (Hummingbird 2.28,
# swift-log 1.16, swift-openapi-generator 1.14, swift-service-lifecycle 2.13, async-http-client 1.37, …)
# declare swift-tools-version 6.2. (Development uses Swift 6.3.)
# Override with --build-arg SWIFT_IMAGE=swift:6.x-bookworm for a newer toolchain; keep it a bookworm
# tag, or the runtime stage's library versions no longer match.
ARG SWIFT_IMAGE=swift:6.2-bookworm

FROM ${SWIFT_IMAGE} AS build

# The C libraries the system-library targets find through pkg-config (Package.swift: CHiredis, CFFmpeg,
# CFFTW, CBLAS), with their headers, and python3 with numpy and pip for converting the tagging weights.
# Versions are not pinned: bookworm's stable updates are what we want.
# hadolint ignore=DL3008
RUN export DEBIAN_FRONTEND=noninteractive \
    && apt-get -q update \
    && apt-get -q install -y --no-install-recommends \
        pkg-config libhiredis-dev libfftw3-dev libopenblas-dev \
        libavformat-dev libavcodec-dev libswresample-dev libavutil-dev \
        python3 python3-numpy python3-pip \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /build

# Dependencies first, in their own layer, so that a source change does not fetch them again.
# Package.resolved is not committed; the bracket makes the copy optional (used when present).
COPY Package.swift Package.resolve[d] ./
RUN if [ -f Package.resolved ]; then swift package resolve --force-resolved-versions; \
    else swift package resolve; fi

# Sources, the manifest's test targets (SwiftPM checks every target's folder even when building one
# product) and openapi.yaml, which the build plugin generates the server from (Sources/Platform links to
# it), so .dockerignore must keep all three.
COPY . .

# Release build of the one product; --static-swift-stdlib links the Swift runtime and Foundation in, so
# the runtime image needs no toolchain. The OpenAPI generator plugin runs as part of this.
# Also staged: Swift's static crash backtracer (readable stack traces in the log if the process ever
# crashes; see SWIFT_BACKTRACE below), and any SwiftPM resource bundles next to the binary (none today:
# the migrations and the OpenAPI document are embedded in code). The binary keeps its symbols so that
# those backtraces name functions.
RUN swift build -c release --static-swift-stdlib --product musicforge \
    && mkdir -p /staging \
    && cp "$(swift build -c release --static-swift-stdlib --product musicforge --show-bin-path)/musicforge" /staging/ \
    && cp /usr/libexec/swift/linux/swift-backtrace-static /staging/ \
    && find -L "$(swift build -c release --show-bin-path)/" -maxdepth 1 -regex '.*\.resources$' -exec cp -Ra {} /staging/ \;

# The tagging network's weights: musicnn 0.1.0's wheel from PyPI (SHA-256 pinned), its checkpoints
# converted to models/musicnn.weights by the same step scripts/run and scripts/test use.
RUN bash -c 'source scripts/lib/common.sh && MUSICFORGE_MODELS=/models mf_ensure_models'

# ---------------------------------------------------------------------------------------------------------
FROM debian:bookworm-slim AS runtime

# 1 also installs the ffmpeg program. Only `musicforge demo-library` runs it (to encode the synthetic
# tracks); `serve`, `worker`, `analyze` and `migrate` decode through the libav* libraries below and never
# execute ffmpeg. It is off by default because it pulls in libavfilter, libavdevice and their many
# dependencies (tens of MB more, and more code to keep patched); build with --build-arg WITH_FFMPEG=1
# for an image that can make demo libraries.
ARG WITH_FFMPEG=0

# Only what the binary loads (readelf -d: libhiredis.so.0.14, libavformat.so.59, libavcodec.so.59,
# libswresample.so.4, libavutil.so.57, libfftw3f.so.3, libopenblas.so.0, libstdc++.so.6 for the Swift runtime),
# ca-certificates for TLS to PostgreSQL and the HTTPS providers, tzdata for Foundation's time zones, and
# curl for the HEALTHCHECK below: the image has no other HTTP client, and `musicforge` has no
# health-probe subcommand. Kubernetes ignores HEALTHCHECK and uses the probes in k8s/; curl is here for
# `docker run` and Compose. libstdc++6 is in bookworm-slim already (apt needs it); naming it documents it.
# Versions are not pinned, so a rebuild picks up Debian's security updates.
# hadolint ignore=DL3008
RUN export DEBIAN_FRONTEND=noninteractive \
    && apt-get -q update \
    && apt-get -q install -y --no-install-recommends \
        libhiredis0.14 \
        libavformat59 libavcodec59 libswresample4 libavutil57 \
        libfftw3-single3 libopenblas0-pthread \
        libstdc++6 \
        ca-certificates tzdata curl \
    && if [ "$WITH_FFMPEG" = "1" ]; then apt-get -q install -y --no-install-recommends ffmpeg; fi \
    && rm -rf /var/lib/apt/lists/*

# A fixed, unprivileged uid and gid (10001), the same numbers k8s/base/deployment.yaml runs as.
RUN groupadd --system --gid 10001 musicforge \
    && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin musicforge

# /usr/local/bin is on PATH; the worker pool starts more of the same binary through /proc/self/exe.
COPY --from=build --chown=root:root /staging/ /usr/local/bin/
# The LLM prompts and the filters schema, read at start when an LLM provider is configured; the tagging
# weights, loaded by each analysis worker.
COPY --chown=root:root prompts/ /usr/local/share/musicforge/prompts/
COPY --from=build --chown=root:root /models/ /usr/local/share/musicforge/models/

# Listen on every interface inside the container (the binary's own default is 127.0.0.1). On a crash,
# print a symbolicated backtrace of every thread to the log instead of waiting for a debugger.
ENV HOST=0.0.0.0 PORT=8080 MUSICFORGE_PROMPTS=/usr/local/share/musicforge/prompts \
    MUSICFORGE_MODELS=/usr/local/share/musicforge/models \
    SWIFT_BACKTRACE=enable=yes,sanitize=yes,threads=all,images=all,interactive=no,swift-backtrace=/usr/local/bin/swift-backtrace-static
EXPOSE 8080

# Numeric, so that Kubernetes' runAsNonRoot can check it without reading /etc/passwd.
USER 10001:10001
WORKDIR /tmp

# Liveness only: readiness (/health/ready) also depends on PostgreSQL and Redis, and a container should
# not turn unhealthy (and be restarted by an orchestrator) because a database is down. Shell form on
# purpose, so that PORT is expanded.
# hadolint ignore=DL3025
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s --retries=3 \
    CMD curl -fsS -o /dev/null "http://127.0.0.1:${PORT}/health/live" || exit 1

# The exec form makes musicforge PID 1, so it receives SIGTERM itself and drains (at most 30 s).
ENTRYPOINT ["musicforge"]
CMD ["serve"]

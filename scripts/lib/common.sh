# Shared by scripts/run, scripts/test and the benchmarks: find or install what MusicForge needs.
# shellcheck shell=bash

say() { printf '%s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

# Debian packages the build and the test harness need (C libraries, servers, tools).
MF_APT_PACKAGES=(
  pkg-config libhiredis-dev libfftw3-dev
  libavformat-dev libavcodec-dev libswresample-dev libavutil-dev
  redis-server postgresql postgresql-client ffmpeg
  python3 python3-pip util-linux curl libopenblas-dev
)

# Installs whatever of MF_APT_PACKAGES is missing (Debian and Ubuntu); elsewhere says what to install.
mf_ensure_system_packages() {
  command -v swift >/dev/null 2>&1 || die "Swift 6 is not installed: install the Swift toolchain from swift.org, then run this again."
  if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
    local need=()
    command -v pkg-config >/dev/null 2>&1 || need+=(pkg-config)
    pkg-config --exists hiredis fftw3f libavformat libavcodec libswresample libavutil 2>/dev/null || need+=("hiredis, fftw and ffmpeg development libraries")
    command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
    command -v initdb >/dev/null 2>&1 || command -v pg_ctl >/dev/null 2>&1 || need+=(postgresql)
    ((${#need[@]} == 0)) || die "This is not a Debian or Ubuntu system: install ${need[*]} with your package manager, then run this again."
    return 0
  fi
  local missing=()
  local package
  for package in "${MF_APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  ((${#missing[@]} == 0)) && return 0
  say "Installing ${missing[*]} with apt-get…"
  local sudo=()
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null 2>&1 || die "Missing packages ${missing[*]}: install them as root with apt-get, then run this again."
    sudo=(sudo)
  fi
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 || die "apt-get update failed."
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2 \
    || die "apt-get install ${missing[*]} failed."
  # Debian starts a system Redis and PostgreSQL on install; MusicForge runs its own, so leave theirs alone.
}

# Installs a Python package for the tools the scripts use (validators, benchmarks), if it is missing.
mf_ensure_python_package() {
  local module=$1 package=$2
  python3 -c "import $module" 2>/dev/null && return 0
  say "Installing $package with pip…"
  python3 -m pip install --quiet --disable-pip-version-check "$package" >&2 2>/dev/null \
    || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages "$package" >&2 \
    || die "pip install $package failed."
}

# The auto-tagging network's weights: musicnn 0.1.0 (ISC licence, Jordi Pons, Music Technology Group,
# Universitat Pompeu Fabra), its MagnaTagATune and Million Song Dataset models converted once from the
# wheel on PyPI to $MUSICFORGE_MODELS/musicnn.weights (default models/ here; about 6 MB).
MF_MUSICNN_WHEEL=musicnn-0.1.0-py3-none-any.whl
MF_MUSICNN_SHA256=f38a4890c648c1ddbb141c5d96d2b0a8cfcd36746002d896989f7b88beb65cfa

# Makes $MUSICFORGE_MODELS/musicnn.weights if it is missing (downloads about 30 MB) and exports MUSICFORGE_MODELS.
mf_ensure_models() {
  export MUSICFORGE_MODELS=${MUSICFORGE_MODELS:-$PWD/models}
  local target="$MUSICFORGE_MODELS/musicnn.weights"
  [[ -f $target ]] && return 0
  mf_ensure_python_package numpy numpy
  say "Converting the musicnn tagging models to $target (once)…"
  local lib work status=0
  lib="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
  work=$(mktemp -d "${TMPDIR:-/tmp}/musicforge-models.XXXXXX")
  _mf_make_models "$lib" "$work" "$target" || status=$?
  rm -rf "$work"
  ((status == 0)) || die "The musicnn weights were not made: see above. (Or put a musicnn.weights in $MUSICFORGE_MODELS yourself.)"
}

_mf_make_models() {
  local lib=$1 work=$2 target=$3 wheel sum
  python3 -m pip download --quiet --disable-pip-version-check --no-deps --only-binary :all: \
    "musicnn==0.1.0" -d "$work/download" >&2 || { say "pip download musicnn==0.1.0 failed."; return 1; }
  wheel="$work/download/$MF_MUSICNN_WHEEL"
  [[ -f $wheel ]] || { say "pip did not download $MF_MUSICNN_WHEEL."; return 1; }
  sum=$(python3 -c 'import hashlib, sys; print(hashlib.sha256(open(sys.argv[1], "rb").read()).hexdigest())' "$wheel")
  [[ $sum == "$MF_MUSICNN_SHA256" ]] \
    || { say "$MF_MUSICNN_WHEEL has SHA-256 $sum, not the expected $MF_MUSICNN_SHA256: refusing it."; return 1; }
  python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' "$wheel" "$work/wheel" \
    || { say "Unpacking $MF_MUSICNN_WHEEL failed."; return 1; }
  mkdir -p "$MUSICFORGE_MODELS" || return 1
  local partial="$MUSICFORGE_MODELS/.musicnn.weights.$$"
  if ! python3 "$lib/convert_musicnn.py" --wheel-dir "$work/wheel" --out "$partial"; then
    rm -f "$partial"
    return 1
  fi
  mv -f "$partial" "$target"
}

# The directory with initdb, pg_ctl and psql: Debian's versioned folder (out of PATH) first.
mf_postgres_bindir() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [[ -z $dir ]] && command -v initdb >/dev/null 2>&1; then dir=$(dirname "$(command -v initdb)"); fi
  [[ -n $dir ]] || die "PostgreSQL's initdb was not found: install postgresql."
  printf '%s\n' "$dir"
}

# A TCP port on 127.0.0.1 that is free now.
mf_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# Throwaway servers for scripts/run and the benchmarks. Each start function records what to stop in
# MF_PIDS / MF_PG_DATA; mf_stop_servers stops it all (call it from an EXIT trap).
MF_PIDS=()
MF_PG_DATA=""

mf_as_postgres() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# Starts redis-server on a free loopback port with its files in DIR; exports REDIS_URL.
mf_start_redis() {
  local dir=$1 port
  port=$(mf_free_port)
  rm -rf "$dir" && mkdir -p "$dir"
  redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$dir" \
    --protected-mode no --daemonize no >"$dir/redis.log" 2>&1 &
  MF_PIDS+=($!)
  for _ in $(seq 100); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.05; done
  redis-cli -p "$port" ping >/dev/null 2>&1 || die "redis-server did not start: see $dir/redis.log."
  export REDIS_URL="redis://127.0.0.1:$port/0"
}

# Starts a fresh PostgreSQL cluster on a free loopback port in DIR with a database `musicforge`;
# exports DATABASE_URL. As root it runs as the postgres user, which must be able to reach DIR.
mf_start_postgres() {
  local dir=$1 port bindir
  port=$(mf_free_port)
  bindir=$(mf_postgres_bindir)
  rm -rf "$dir" && mkdir -p "$dir"
  if [[ $(id -u) -eq 0 ]]; then chown postgres:postgres "$dir"; fi
  MF_PG_DATA="$dir/data"
  mf_as_postgres "$bindir/initdb" -D "$MF_PG_DATA" -U postgres -A trust -E UTF8 --no-locale -N >/dev/null \
    || die "initdb failed."
  mf_as_postgres "$bindir/pg_ctl" -D "$MF_PG_DATA" -l "$dir/postgres.log" -w \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1" start >/dev/null \
    || die "PostgreSQL did not start: see $dir/postgres.log."
  mf_as_postgres "$bindir/psql" -h 127.0.0.1 -p "$port" -U postgres -q -c "CREATE DATABASE musicforge" >/dev/null
  export DATABASE_URL="postgres://postgres@127.0.0.1:$port/musicforge?sslmode=disable"
}

# Waits (up to a minute) until the usage drain has moved every event out of the Redis Stream, so that a
# benchmark starts from a quiet server rather than one still catching up with the previous run.
mf_wait_for_usage_drain() {
  local _
  for _ in $(seq 600); do
    [[ $(redis-cli -u "$REDIS_URL" XLEN musicforge:usage 2>/dev/null || echo 0) -eq 0 ]] && return 0
    sleep 0.1
  done
  say "The usage drain had not caught up after a minute: the next figures are measured next to it."
}

mf_stop_servers() {
  # A second Ctrl-C or TERM must not cut the clean-up short.
  trap '' INT TERM
  local pid
  for pid in "${MF_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  if [[ -n $MF_PG_DATA ]]; then
    mf_as_postgres "$(mf_postgres_bindir)/pg_ctl" -D "$MF_PG_DATA" -m fast stop >/dev/null 2>&1 || true
  fi
}

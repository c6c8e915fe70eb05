# test/lib.sh: shared steps of the demo, the test run and the benchmarks.
# Source it from bash; every function exits the caller on failure.

AZB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
AZB_PG_MAJOR=15

# Debian packages the build, the emulator and the tests need.
azb_install_packages() {
  local need=() p
  for p in postgresql-$AZB_PG_MAJOR postgresql-server-dev-$AZB_PG_MAJOR postgresql-$AZB_PG_MAJOR-cron postgresql-common \
           libcurl4-openssl-dev libcjson-dev libssl-dev curl openssl python3 make gcc ca-certificates; do
    dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
  done
  [ ${#need[@]} -eq 0 ] && return 0
  if [ "$(id -u)" != 0 ]; then
    echo "missing packages: ${need[*]} (run as root to install them)" >&2
    exit 1
  fi
  echo "installing: ${need[*]}"
  apt-get update -qq || exit 1
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" \
    >/dev/null || exit 1
}

# Build and install the extension into the system PostgreSQL.
azb_build_install() {
  make -s -C "$AZB_ROOT" clean >/dev/null 2>&1
  make -s -C "$AZB_ROOT" >/dev/null || { echo "build failed" >&2; exit 1; }
  make -s -C "$AZB_ROOT" install >/dev/null || { echo "install failed" >&2; exit 1; }
}

# Start the emulator in a fresh world-readable directory and export its
# AZB_EMULATOR_* variables.  Extra arguments go to the emulator.
azb_start_emulator() {
  AZB_WORK=$(mktemp -d /tmp/azbilling.XXXXXX)
  chmod 755 "$AZB_WORK"
  "$AZB_ROOT/test/emulator/start.sh" "$AZB_WORK/emu" "$@" >/dev/null || {
    echo "the emulator did not start" >&2; exit 1; }
  set -a
  # shellcheck disable=SC1091
  . "$AZB_WORK/emu/env"
  set +a
  trap azb_stop_emulator EXIT
}

azb_stop_emulator() {
  [ -n "${AZB_WORK:-}" ] || return 0
  "$AZB_ROOT/test/emulator/stop.sh" "$AZB_WORK/emu" >/dev/null 2>&1
  rm -rf "$AZB_WORK"
  AZB_WORK=
}

# Run a command against a throw-away cluster (pg_virtualenv works as root
# too; -t keeps each cluster in its own temporary directory and port, so
# several runs can share a machine).
azb_virtualenv() {
  pg_virtualenv -t -v "$AZB_PG_MAJOR" "$@"
}

# test/lib.sh: shared steps of the demo, the test run and the benchmarks.
# Source it from bash; every function exits the caller on failure.

AZB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# The PostgreSQL major version to build and test against: AZB_PG_MAJOR if
# set, else the newest server installed (/usr/lib/postgresql/NN/bin/postgres),
# else the one the system's "postgresql" package depends on (Debian 12: 15,
# 13: 17), else the newest postgresql-NN that apt knows.
azb_detect_pg_major() {
  local v
  [ "${AZB_PG_MAJOR:-}" = none ] && return 0	# a caller that uses no PostgreSQL here
  if [ -n "${AZB_PG_MAJOR:-}" ]; then
    :
  elif v=$(ls -d /usr/lib/postgresql/*/bin/postgres 2>/dev/null | sed -E 's|.*/postgresql/([0-9]+)/.*|\1|' |
             sort -n | tail -n 1) && [ -n "$v" ]; then
    AZB_PG_MAJOR=$v
  else
    v=$(azb_apt_pg_major)
    if [ -z "$v" ] && [ "$(id -u)" = 0 ]; then
      apt-get update -qq >/dev/null 2>&1
      v=$(azb_apt_pg_major)
    fi
    [ -n "$v" ] || { echo "no PostgreSQL found (set AZB_PG_MAJOR)" >&2; exit 1; }
    AZB_PG_MAJOR=$v
  fi
  export AZB_PG_MAJOR
  # build against that version, whatever pg_config is first on PATH
  export PG_CONFIG=/usr/lib/postgresql/$AZB_PG_MAJOR/bin/pg_config
}

azb_apt_pg_major() {
  local v
  v=$(apt-cache depends postgresql 2>/dev/null | sed -nE 's/^ *Depends: postgresql-([0-9]+)$/\1/p' | head -n 1)
  [ -n "$v" ] || v=$(apt-cache pkgnames postgresql- 2>/dev/null | sed -nE 's/^postgresql-([0-9]+)$/\1/p' |
                     sort -n | tail -n 1)
  echo "$v"
}

azb_detect_pg_major

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

# make in the project, with AZB_COPT (CI: -Werror) added to the C flags.
azb_make() {
  make -s -C "$AZB_ROOT" ${AZB_COPT:+COPT="$AZB_COPT"} "$@"
}

# Build and install the extension into the system PostgreSQL (with
# "incremental", without the clean first).  The build's warnings are shown.
azb_build_install() {
  [ "${1:-}" = incremental ] || azb_make clean >/dev/null 2>&1
  azb_make -j2 >/dev/null || { echo "build failed" >&2; exit 1; }
  azb_make install >/dev/null || { echo "install failed" >&2; exit 1; }
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

# Copy the project's files (the working tree as git sees it, uncommitted
# changes included; without git, the tree minus build products) to DIR.
azb_copy_tree() {
  local dest=$1
  mkdir -p "$dest" || exit 1
  if git -C "$AZB_ROOT" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    (cd "$AZB_ROOT" && git ls-files -z --cached --others --exclude-standard |
       while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
       tar --null -T - -cf -) | tar -C "$dest" -xf - || exit 1
  else
    tar -C "$AZB_ROOT" --exclude=.git --exclude='*.o' --exclude='*.so' --exclude='*.bc' \
      --exclude='build-*' --exclude=results --exclude='regression.*' -cf - . |
      tar -C "$dest" -xf - || exit 1
  fi
}

# Add the last "N passed, N failed" line of a suite's output ($2) to the
# totals azb_passed and azb_failed, and print it under the name $1 (a suite
# that printed no such line counts as one failure).
azb_passed=0
azb_failed=0
azb_count() {
  local name=$1 line p f
  line=$(printf '%s\n' "$2" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -n 1)
  if [[ $line =~ ([0-9]+)\ passed,\ ([0-9]+)\ failed ]]; then
    p=${BASH_REMATCH[1]} f=${BASH_REMATCH[2]}
  else
    p=0 f=1
  fi
  azb_passed=$((azb_passed + p)); azb_failed=$((azb_failed + f))
  printf '%-28s %s passed, %s failed\n' "$name" "$p" "$f"
}

# Run pg_regress suites (default: the Makefile's REGRESS) in the current
# directory against the installed extension in a throw-away cluster, and
# count them: one pass or failure per suite.
azb_regress() {
  local name=$1 out p f args=()
  shift
  [ $# -gt 0 ] && args=("REGRESS=$*")
  out=$(azb_virtualenv make -s installcheck "${args[@]}" 2>&1)
  echo "$out" | grep -E "FAILED|failed \(ignored\)"
  p=$(echo "$out" | grep -cE '\.\.\. ok|^ok ')
  f=$(echo "$out" | grep -cE '\.\.\. FAILED|^not ok ')
  [ "$p" -eq 0 ] && [ "$f" -eq 0 ] && { f=1; echo "$out" | tail -n 20; }
  azb_count "$name" "$p passed, $f failed"
  if [ "$f" -gt 0 ] && [ -f regression.diffs ]; then
    head -n 200 regression.diffs
  fi
}

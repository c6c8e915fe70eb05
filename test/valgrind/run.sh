#!/bin/bash
# test/valgrind/run.sh: the setup, scan and error suites against a PostgreSQL
# whose processes all run under valgrind memcheck, then a report of what
# valgrind found in azbilling_fdw's code: invalid reads/writes, uses of
# uninitialised values, and definite leaks.  Slow (minutes), not part of
# test/run.  Run as root: bash test/valgrind/run.sh [suite ...]
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
cd "$AZB_ROOT"
azb_install_packages
command -v valgrind >/dev/null || { apt-get install -y -qq valgrind >/dev/null || exit 1; }
azb_build_install
azb_start_emulator
suites=("${@:-setup scan errors}")
[ $# -gt 0 ] || suites=(setup scan errors)

bin=$(pg_config --bindir)
dir=$AZB_WORK/pg
logs=$AZB_WORK/vg
mkdir -p "$dir" "$logs"
chown postgres "$dir" "$logs"
port=55432
su postgres -c "$bin/initdb -D $dir -A trust -U postgres >/dev/null" || exit 1
su postgres -c "valgrind --quiet --trace-children=yes --leak-check=full \
  --show-leak-kinds=definite --errors-for-leak-kinds=definite \
  --track-origins=yes --num-callers=30 --log-file=$logs/vg.%p.log \
  $bin/postgres -D $dir -p $port -k /tmp -c shared_buffers=16MB -c max_connections=10 \
  >$logs/postgres.out 2>&1 &"
for _ in $(seq 120); do
  su postgres -c "$bin/pg_isready -q -h /tmp -p $port" && break
  sleep 1
done
export PGHOST=/tmp PGPORT=$port PGUSER=postgres PGDATABASE=postgres
psql -X -q -c "CREATE DATABASE vg" || exit 1
for s in "${suites[@]}"; do
  echo "running sql/$s.sql under valgrind"
  psql -X -q -d vg -f "sql/$s.sql" >"$logs/$s.out" 2>&1
done
su postgres -c "$bin/pg_ctl -D $dir -m fast stop >/dev/null"
sleep 2

# what valgrind saw in our code
ours='azb_|azbilling|scan\.c|decode\.c|http\.c|auth\.c|plan\.c|options\.c|request\.c|catalog\.c|errors\.c|actions\.c|timeparse\.c'
errors=0
for f in "$logs"/vg.*.log; do
  [ -s "$f" ] || continue
  awk -v RS='==[0-9]+== \n' '1' "$f" >/dev/null
  if grep -qE "$ours" "$f"; then
    echo "== $f"
    grep -E "Invalid (read|write)|uninitialised|definitely lost|$ours" "$f" | head -40
    errors=$((errors + 1))
  fi
done
total=$(ls "$logs"/vg.*.log 2>/dev/null | wc -l)
echo "valgrind logs: $total processes; with azbilling_fdw frames: $errors"
cp -r "$logs" /tmp/azb-valgrind-logs 2>/dev/null
echo "logs kept in /tmp/azb-valgrind-logs"
if [ "$errors" -eq 0 ]; then echo "1 passed, 0 failed"; else echo "0 passed, 1 failed"; exit 1; fi

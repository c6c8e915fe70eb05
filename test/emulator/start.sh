#!/bin/bash
# Start the Azure Billing emulator in the background and wait until it is ready.
# usage: test/emulator/start.sh DIR [emulator options...]
#   e.g. test/emulator/start.sh /tmp/azemu --page-size 50 --bulk-transactions 100000
# Prints the env file (shell-sourceable AZB_EMULATOR_* lines) on success.
# The emulator's stdout/stderr go to DIR/emulator.log.
set -euo pipefail
if [[ $# -lt 1 ]]; then
  echo "usage: $0 DIR [--page-size N] [--bulk-transactions N] [--latency-ms N] [--token-lifetime S]" >&2
  exit 2
fi
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
dir=$1
shift
mkdir -p "$dir"
chmod 0755 "$dir"
dir=$(cd "$dir" && pwd)
rm -f "$dir/ready" "$dir/env"
nohup python3 "$here/azure_emulator.py" --dir "$dir" "$@" >"$dir/emulator.log" 2>&1 </dev/null &
pid=$!
chmod 0644 "$dir/emulator.log" 2>/dev/null || true
for _ in $(seq 300); do
  if [[ -f "$dir/ready" ]]; then
    cat "$dir/env"
    exit 0
  fi
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "emulator exited before it was ready; its log:" >&2
    cat "$dir/emulator.log" >&2
    exit 1
  fi
  sleep 0.1
done
echo "emulator not ready after 30 s; its log:" >&2
cat "$dir/emulator.log" >&2
kill "$pid" 2>/dev/null || true
exit 1

#!/bin/bash
# Stop the emulator started with start.sh DIR (only that process, by its pid).
# usage: test/emulator/stop.sh DIR
set -uo pipefail
if [[ $# -ne 1 ]]; then
  echo "usage: $0 DIR" >&2
  exit 2
fi
dir=$1
pid=""
if [[ -f "$dir/env" ]]; then
  pid=$(sed -n 's/^AZB_EMULATOR_PID=//p' "$dir/env")
fi
if [[ -z "$pid" && -f "$dir/pid" ]]; then
  pid=$(cat "$dir/pid")
fi
if [[ -z "$pid" ]]; then
  echo "no emulator pid found in $dir" >&2
  exit 1
fi
if ! kill -0 "$pid" 2>/dev/null; then
  rm -f "$dir/ready"
  exit 0
fi
if [[ -r /proc/$pid/cmdline ]] && ! tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q azure_emulator.py; then
  echo "process $pid is not the emulator; not killing it" >&2
  rm -f "$dir/ready"
  exit 1
fi
kill -TERM "$pid"
for _ in $(seq 100); do
  kill -0 "$pid" 2>/dev/null || { rm -f "$dir/ready"; exit 0; }
  sleep 0.1
done
echo "emulator $pid did not stop after 10 s; killing it" >&2
kill -KILL "$pid" 2>/dev/null
rm -f "$dir/ready"
exit 0

#!/bin/bash
# Build the libFuzzer targets of test/fuzz and run each for a short time
# (FUZZ_SECONDS, 10 by default) on a fresh copy of its seed corpus in a
# temporary directory, so the repository is left as it was.  One pass per
# target that ran its time without a crash, a broken invariant, a leak or a
# timeout.  The last line is "N passed, N failed"; the exit status is 0 only
# if nothing failed.
#
# Needs clang with the libFuzzer runtime (Debian: clang, libclang-rt-14-dev),
# libcjson-dev and libcurl4-openssl-dev; as root it installs what is missing.
# Checks tagged in test/fuzz/known-issues (findings reported but not fixed
# yet) are tolerated through AZB_FUZZ_ALLOW, unless the caller sets
# AZB_FUZZ_ALLOW itself (AZB_FUZZ_ALLOW= makes every check strict).
set -uo pipefail
cd "$(dirname "$0")/../.."

seconds=${FUZZ_SECONDS:-10}
targets=(fuzz_url fuzz_time fuzz_page fuzz_catalog)

fuzzer_works() {
  local dir
  command -v clang >/dev/null 2>&1 || return 1
  dir=$(mktemp -d) || return 1
  printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { return 0; }\n' \
    > "$dir/t.c"
  clang -fsanitize=fuzzer,address,undefined -o "$dir/t" "$dir/t.c" >/dev/null 2>&1
  local rc=$?
  rm -rf "$dir"
  return $rc
}

need=()
fuzzer_works || need+=(clang libclang-rt-14-dev)
for p in libcjson-dev libcurl4-openssl-dev make; do
  dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "FAIL: missing ${need[*]} (run as root to install them)"
    echo "0 passed, ${#targets[@]} failed"
    exit 1
  fi
  echo "installing: ${need[*]}"
  apt-get update -qq >/dev/null 2>&1
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" \
    >/dev/null 2>&1
  if ! fuzzer_works; then
    echo "FAIL: clang cannot build a libFuzzer target"
    echo "0 passed, ${#targets[@]} failed"
    exit 1
  fi
fi

work=$(mktemp -d /tmp/azb-fuzz.XXXXXX) || exit 1
trap 'rm -rf "$work"' EXIT

if ! make -s -C test/fuzz OUT="$work/bin" fuzzers >"$work/build.log" 2>&1; then
  echo "FAIL: the fuzz targets do not build"
  tail -n 30 "$work/build.log"
  echo "0 passed, ${#targets[@]} failed"
  exit 1
fi

if [ -z "${AZB_FUZZ_ALLOW+set}" ] && [ -f test/fuzz/known-issues ]; then
  AZB_FUZZ_ALLOW=$(sed -e 's/#.*//' test/fuzz/known-issues | awk 'NF { print $1 }' | paste -sd, -)
fi
export AZB_FUZZ_ALLOW=${AZB_FUZZ_ALLOW:-}
[ -n "$AZB_FUZZ_ALLOW" ] && echo "known issues tolerated (test/fuzz/known-issues): $AZB_FUZZ_ALLOW"

passed=0
failed=0
for t in "${targets[@]}"; do
  mkdir -p "$work/corpus/$t" "$work/artifacts/$t"
  cp test/fuzz/corpus/"$t"/* "$work/corpus/$t/"
  dict=()
  [ -f "test/fuzz/dict/$t.dict" ] && dict=("-dict=test/fuzz/dict/$t.dict")
  # -timeout is per input and generous: a loaded machine can stall for seconds;
  # the outer timeout only guards against a hang of libFuzzer itself
  timeout $((seconds + 300)) "$work/bin/$t" "${dict[@]}" -max_total_time="$seconds" -timeout=60 \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$work/artifacts/$t/" \
    "$work/corpus/$t" >"$work/$t.log" 2>&1
  rc=$?
  runs=$(grep -oE '^stat::number_of_executed_units: *[0-9]+' "$work/$t.log" | grep -oE '[0-9]+$')
  if [ "$rc" -eq 0 ]; then
    passed=$((passed + 1))
    echo "ok $t: ${runs:-?} inputs in ${seconds}s"
  else
    failed=$((failed + 1))
    echo "FAIL $t (exit $rc)"
    grep -A 3 -E 'INVARIANT BROKEN|ERROR: (AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|libFuzzer)|runtime error' \
      "$work/$t.log" | head -n 12
    for a in "$work/artifacts/$t"/*; do
      [ -f "$a" ] || continue
      echo "  input $(basename "$a") (base64): $(base64 -w0 "$a" | head -c 2000)"
    done
  fi
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

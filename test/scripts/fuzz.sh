#!/bin/bash
# The fuzz targets of test/fuzz, in one of two modes:
#
#   fuzz.sh            (what test/run runs) deterministic replay: each target
#                      built by gcc with AddressSanitizer and UBSan and a
#                      plain main() (test/fuzz/replay_main.c), run once on
#                      every input of its seed corpus (test/fuzz/corpus/) and
#                      of its saved findings (test/fuzz/crashes/, which must
#                      pass now that their bugs are fixed; locale-* ones need
#                      AZB_FUZZ_LOCALE and are left to test/fuzz/README.md).
#                      The same inputs, the same result, every time.
#   fuzz.sh --random   random fuzzing with libFuzzer (clang) for FUZZ_SECONDS
#                      (60 by default) per target, on a fresh copy of its
#                      seed corpus in a temporary directory, so the
#                      repository is left as it was.  The long mode.
#
# One pass per target that ran without a crash, a broken invariant, a leak or
# (random) a timeout.  The last line is "N passed, N failed"; the exit status
# is 0 only if nothing failed.
#
# Needs gcc (replay) or clang with the libFuzzer runtime (random; Debian:
# clang, libclang-rt-dev), libcjson-dev and libcurl4-openssl-dev; as root it
# installs what is missing.  Checks tagged in test/fuzz/known-issues
# (findings reported but not fixed yet) are tolerated through AZB_FUZZ_ALLOW,
# unless the caller sets AZB_FUZZ_ALLOW itself (AZB_FUZZ_ALLOW= makes every
# check strict).
set -uo pipefail
cd "$(dirname "$0")/../.."

mode=replay
case ${1:-} in
  --random) mode=random ;;
  '') ;;
  *) echo "usage: $0 [--random]" >&2; exit 2 ;;
esac
seconds=${FUZZ_SECONDS:-60}
targets=(fuzz_url fuzz_time fuzz_page fuzz_catalog)
sanitize="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"

# can $1 build and run a sanitized program (libFuzzer's, with "fuzzer")?
compiler_works() {
  local cc=$1 san=$2 dir rc
  command -v "$cc" >/dev/null 2>&1 || return 1
  dir=$(mktemp -d) || return 1
  if [ "$mode" = random ]; then
    printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { return 0; }\n' > "$dir/t.c"
  else
    printf 'int main(void) { return 0; }\n' > "$dir/t.c"
  fi
  "$cc" $san -o "$dir/t" "$dir/t.c" >/dev/null 2>&1 && { [ "$mode" = random ] || "$dir/t"; }
  rc=$?
  rm -rf "$dir"
  return $rc
}
if [ "$mode" = random ]; then
  cc=clang cc_pkgs=(clang libclang-rt-dev) cc_san="-fsanitize=fuzzer,address,undefined"
else
  cc=gcc cc_pkgs=(gcc) cc_san=$sanitize
fi

need=()
compiler_works "$cc" "$cc_san" || need+=("${cc_pkgs[@]}")
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
  if ! compiler_works "$cc" "$cc_san"; then
    echo "FAIL: $cc cannot build a sanitized program ($cc_san)"
    echo "0 passed, ${#targets[@]} failed"
    exit 1
  fi
fi

work=$(mktemp -d /tmp/azb-fuzz.XXXXXX) || exit 1
trap 'rm -rf "$work"' EXIT

if [ "$mode" = random ]; then
  build=(fuzzers)
else
  build=(replay REPLAY_CC=gcc "REPLAY_CFLAGS=-g -O1 $sanitize -Wall -Wextra -Wno-unused-parameter")
fi
if ! make -s -C test/fuzz OUT="$work/bin" "${build[@]}" >"$work/build.log" 2>&1; then
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
  if [ "$mode" = replay ]; then
    inputs=("test/fuzz/corpus/$t")
    for f in test/fuzz/crashes/"$t"/*; do
      [ -f "$f" ] || continue
      case $(basename "$f") in
        locale-*) ;;
        *) open=
           # a finding whose bug is still open (a tag in AZB_FUZZ_ALLOW) is not replayed
           IFS=, read -ra tags <<<"$AZB_FUZZ_ALLOW"
           for tag in "${tags[@]}"; do [[ $(basename "$f") == "$tag"-* ]] && open=1; done
           [ -n "$open" ] || inputs+=("$f") ;;
      esac
    done
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
      timeout 600 "$work/bin/${t}_replay" "${inputs[@]}" >"$work/$t.log" 2>&1
    rc=$?
    runs=$(grep -oE '^replayed [0-9]+ inputs' "$work/$t.log" | grep -oE '[0-9]+')
    what="${runs:-?} inputs replayed"
  else
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
    what="${runs:-?} inputs in ${seconds}s"
  fi
  if [ "$rc" -eq 0 ]; then
    passed=$((passed + 1))
    echo "ok $t: $what"
  else
    failed=$((failed + 1))
    echo "FAIL $t (exit $rc)"
    grep -B 1 -A 3 -E 'INVARIANT BROKEN|ERROR: (AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|libFuzzer)|runtime error' \
      "$work/$t.log" | head -n 12
    for a in "$work/artifacts/$t"/*; do
      [ -f "$a" ] || continue
      echo "  input $(basename "$a") (base64): $(base64 -w0 "$a" | head -c 2000)"
    done
  fi
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

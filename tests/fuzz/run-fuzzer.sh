#!/usr/bin/env bash
# run-fuzzer.sh - one fuzz.<target> test. Replays every input in the target's
# regressions directory (each once), then fuzzes for SECONDS from a corpus
# kept in WORKDIR (kept between runs) plus the seed directories. Any crash,
# leak, sanitizer report, timeout or out-of-memory fails the test; the input
# that caused it is left in WORKDIR/artifacts.
# usage: run-fuzzer.sh FUZZER WORKDIR REGRESSIONS SECONDS [SEED_DIR...] [-- FLAG...]
set -euo pipefail

fuzzer=$1 workdir=$2 regressions=$3 seconds=$4
shift 4
seeds=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
  [ -d "$1" ] && seeds+=("$1")
  shift
done
[ $# -gt 0 ] && shift
flags=(-rss_limit_mb=2048 -timeout=10 "$@")

mkdir -p "$workdir/corpus" "$workdir/artifacts"

if [ -d "$regressions" ]; then
  mapfile -t fixed < <(find "$regressions" -type f | sort)
  if [ ${#fixed[@]} -gt 0 ]; then
    echo "replaying ${#fixed[@]} regression inputs from $regressions"
    "$fuzzer" "${flags[@]}" -artifact_prefix="$workdir/artifacts/regression-" "${fixed[@]}"
  fi
fi

echo "fuzzing for ${seconds}s from ${seeds[*]:-no seeds}"
exec "$fuzzer" "${flags[@]}" -max_total_time="$seconds" -print_final_stats=1 \
  -artifact_prefix="$workdir/artifacts/" "$workdir/corpus" "${seeds[@]}"

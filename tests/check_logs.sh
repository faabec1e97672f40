#!/usr/bin/env bash
# check_logs.sh - no log of the test run holds message content.
#
# usage: check_logs.sh STRINGS_FILE LOG_DIR [EXTRA_LOG]...
#
# Greps every file in LOG_DIR (the harness keeps each dlpd log there, with
# those of the milters and of Postfix) and each EXTRA_LOG (ctest's
# LastTest.log.tmp: what the tests of the current run printed) for each
# value listed in STRINGS_FILE (tests/sensitive-strings.txt), and fails
# naming the file and line of every hit (never the value: this output lands
# in ctest's log too). It also fails when LOG_DIR holds no log, so it cannot
# pass by having looked at nothing. ctest runs it after every other test.
set -uo pipefail

strings=${1:?usage: check_logs.sh STRINGS_FILE LOG_DIR [EXTRA_LOG]...}
logdir=${2:?usage: check_logs.sh STRINGS_FILE LOG_DIR [EXTRA_LOG]...}
shift 2

mapfile -t logs < <(find "$logdir" -type f -name '*.log' 2>/dev/null | sort)
if [ "${#logs[@]}" -eq 0 ]; then
  echo "check_logs: no logs in $logdir: did the integration tests run?" >&2
  exit 1
fi
for extra in "$@"; do
  if [ -f "$extra" ]; then logs+=("$extra"); else echo "check_logs: no $extra (skipped)"; fi
done

patterns=$(mktemp) || exit 1
trap 'rm -f "$patterns"' EXIT
grep -v -e '^#' -e '^[[:space:]]*$' "$strings" >"$patterns"
if [ ! -s "$patterns" ]; then
  echo "check_logs: no strings in $strings" >&2
  exit 1
fi

# -F fixed strings, -a binary logs as text; print file:line, not the line.
hits=$(grep -F -a -n -o -f "$patterns" "${logs[@]}" | cut -d: -f1,2 | sort -u)
echo "check_logs: $(wc -l <"$patterns") strings, ${#logs[@]} logs:"
printf '  %s\n' "${logs[@]}"
if [ -n "$hits" ]; then
  echo "check_logs: sensitive values found (file:line):" >&2
  echo "$hits" >&2
  exit 1
fi
echo "check_logs: none found"

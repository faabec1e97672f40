#!/usr/bin/env bash
# quickstart.sh - from a fresh checkout to a running daemon in one command:
# install dependencies, build into ./build, start dlpd on build/dlpd.sock,
# classify the sample messages in examples/ with dlpc, then keep the daemon
# in the foreground until Ctrl-C. --no-serve stops it after the classification.
set -euo pipefail
cd "$(dirname "$0")/.."

serve=1
case "${1:-}" in
  "") ;;
  --no-serve) serve=0 ;;
  -h|--help) echo "usage: scripts/quickstart.sh [--no-serve]"; exit 0 ;;
  *) echo "usage: scripts/quickstart.sh [--no-serve]" >&2; exit 64 ;;
esac

scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DDLP_BUILD_TESTS=OFF
cmake --build build -j"$(nproc)" --target dlpd dlpc

sock=build/dlpd.sock
log=build/dlpd.log
dlpc=(build/clients/dlpc --socket "unix:$sock")
rm -f "$sock"
# The daemon logs to a file so that its lines do not interleave with dlpc's.
build/daemon/dlpd -c examples/dlpd.yaml --listen "unix:$sock" >"$log" 2>&1 &
pid=$!
echo "quickstart: dlpd started (pid $pid), log in $log"

stop() {
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
}
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Wait (at most 30 s) for the daemon to answer.
for _ in $(seq 1 300); do
  if "${dlpc[@]}" --timeout 1000 ping >/dev/null 2>&1; then
    break
  fi
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "quickstart: dlpd exited during start-up; its log:" >&2
    cat "$log" >&2
    exit 1
  fi
  sleep 0.1
done
"${dlpc[@]}" --timeout 1000 ping

echo
echo "== Classifying examples/*.eml (exit status: 0 allow, 1 warn, 2 quarantine, 3 block)"
rc=0
"${dlpc[@]}" scan examples/*.eml || rc=$?
echo "== dlpc exit status: $rc"
echo

if [ "$serve" -eq 0 ]; then
  echo "quickstart: stopping dlpd (--no-serve)"
  exit 0
fi
echo "dlpd is running on unix:$sock (pid $pid, log in $log). Try:"
echo "  build/clients/dlpc --socket unix:$sock scan --json examples/fouo-to-ml.eml"
echo "Press Ctrl-C to stop it."
wait "$pid"

#!/usr/bin/env bash
# run.sh - the whole benchmark in one command: builds a release tree, makes
# the seeded corpus, and runs the same corpus through
#   1. the raw engine in process (Hyperscan over the decoded text, the ceiling),
#   2. dlpd end to end over unix and tcp, at 1..N workers, closed and open loop,
#   3. rspamd (Debian's package) with the same regexes and nothing else,
# then the micro-benchmarks (look-alikes, extraction, compile, start-up,
# memory, idle connections). Writes results.json, summary.md and two PNG
# plots into the output directory, and prints the summary.
#
#   bench/run.sh [-o DIR] [-d SECONDS] [-n MESSAGES] [--no-rspamd]
#
# Everything listens on loopback. Nothing is installed beyond Debian's
# packages (scripts/deps.sh --bench).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
. bench/lib.sh

OUT=build-bench/results
DURATION=10
MESSAGES=1000
RSPAMD=1
while [ $# -gt 0 ]; do
  case "$1" in
    -o) OUT=$2; shift 2 ;;
    -d) DURATION=$2; shift 2 ;;
    -n) MESSAGES=$2; shift 2 ;;
    --no-rspamd) RSPAMD=0; shift ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown option $1" >&2; exit 64 ;;
  esac
done

CORES=$(nproc)
BIN=$ROOT/build-bench
PIDS=()
cleanup() {
  for p in "${PIDS[@]:-}"; do
    [ -n "$p" ] && kill "$p" 2>/dev/null && wait "$p" 2>/dev/null || true
  done
}
trap cleanup EXIT
log() { printf '[bench] %s\n' "$*" >&2; }

free_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 20000))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
}

# ---- build and corpus -----------------------------------------------------
bench_build
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
rm -rf "$OUT/corpus" "$OUT/small" "$OUT/cache" "$OUT/rspamd" "$OUT"/*.json
"$BIN/bench/dlp-gen-corpus" -n "$MESSAGES" -s 1 -o "$OUT/corpus" >/dev/null
mkdir -p "$OUT/small"
find "$OUT/corpus" -name '*.eml' -size -50k -exec ln -s {} "$OUT/small/" \;
CORPUS=("$OUT"/corpus/*.eml)
SMALL=("$OUT"/small/*.eml)
log "corpus: ${#CORPUS[@]} messages, $(du -sh --apparent-size "$OUT/corpus" | cut -f1)" \
  "(${#SMALL[@]} up to 50 KB)"

SOCK=$OUT/dlpd.sock
TCP_PORT=$(free_port)
bench_config "$OUT/dlpd.yaml" "$OUT/cache" bench/run.sh
cat >>"$OUT/dlpd.yaml" <<EOF
listen: [unix:$SOCK, tcp:127.0.0.1:$TCP_PORT]
max_connections: 20000
log_level: warn
EOF

# ---- 1. raw engine ----------------------------------------------------------
log "raw engine: Hyperscan over decoded text, 1 and $CORES threads"
"$BIN/bench/dlp-raw-bench" -c "$OUT/dlpd.yaml" -t "$CORES" -s "$((DURATION / 2 + 1))" --json \
  "${CORPUS[@]}" >"$OUT/raw.json"

# ---- compile time and start-up with a cached database --------------------------
rm -rf "$OUT/cache"
t0=$(date +%s%N)
"$BIN/daemon/dlpd" -c "$OUT/dlpd.yaml" --check >/dev/null 2>&1
compile_ms=$((($(date +%s%N) - t0) / 1000000))

dlpd_pid=
start_dlpd() { # workers; sets dlpd_pid and startup_ms (until the first pong)
  local t0
  t0=$(date +%s%N)
  "$BIN/daemon/dlpd" -c "$OUT/dlpd.yaml" -w "$1" 2>>"$OUT/dlpd.log" &
  dlpd_pid=$!
  PIDS+=("$dlpd_pid")
  until "$BIN/clients/dlpc" --socket "unix:$SOCK" --timeout 100 ping >/dev/null 2>&1; do
    kill -0 "$dlpd_pid" 2>/dev/null || { log "dlpd failed to start"; exit 1; }
    sleep 0.001
  done
  startup_ms=$((($(date +%s%N) - t0) / 1000000))
}
stop_dlpd() { # prints VmHWM in kB
  local hwm
  hwm=$(awk '/VmHWM/ {print $2}' "/proc/$dlpd_pid/status")
  kill -TERM "$dlpd_pid"
  wait "$dlpd_pid" || true
  echo "$hwm"
}

startups=()
for _ in 1 2 3 4 5; do
  start_dlpd "$CORES"
  startups+=("$startup_ms")
  stop_dlpd >/dev/null
done
startup_median=$(printf '%s\n' "${startups[@]}" | sort -n | sed -n 3p)
log "rules compile (dlpd --check, no cache): $compile_ms ms; start-up with cache: median" \
  "$startup_median ms of ${startups[*]}"

# ---- 2. dlpd: workers sweep, unix and tcp, closed loop ------------------------
bench() { "$BIN/bench/dlp-bench" --json "$@"; }
: >"$OUT/workers.json"
for w in $(seq 1 "$CORES"); do
  start_dlpd "$w"
  bench --socket "unix:$SOCK" -c 8 -p 4 -d 2 "${CORPUS[@]}" >/dev/null # warm-up
  for transport in unix tcp; do
    addr="unix:$SOCK"
    [ "$transport" = tcp ] && addr="tcp:127.0.0.1:$TCP_PORT"
    r=$(bench --socket "$addr" -c 8 -p 4 -d "$DURATION" "${CORPUS[@]}")
    echo "{\"workers\":$w,\"transport\":\"$transport\",\"result\":$r}" >>"$OUT/workers.json"
    log "dlpd $w worker(s) $transport: $(jq -r '"\(.msgs_per_s|floor) msgs/s, p99 \(.p99_ms) ms"' <<<"$r")"
  done
  hwm=$(stop_dlpd)
  echo "{\"workers\":$w,\"vmhwm_kb\":$hwm}" >>"$OUT/memory.json"
done

# ---- latency against offered load (messages up to 50 KB) and idle connections --
start_dlpd "$CORES"
max=$(bench --socket "unix:$SOCK" -c 8 -p 4 -d "$DURATION" "${SMALL[@]}")
max_rate=$(jq '.msgs_per_s' <<<"$max")
echo "$max" >"$OUT/small_max.json"
: >"$OUT/latency.json"
for pct in 10 25 50 75 90; do
  rate=$(jq -n "$max_rate * $pct / 100 | floor")
  r=$(bench --socket "unix:$SOCK" -c 16 -p 8 --rate "$rate" -d "$DURATION" "${SMALL[@]}")
  echo "{\"percent\":$pct,\"rate\":$rate,\"result\":$r}" >>"$OUT/latency.json"
  log "open loop at $pct% of max ($rate msgs/s): $(jq -r '"p50 \(.p50_ms) p99 \(.p99_ms) p99.9 \(.p999_ms) ms"' <<<"$r")"
done
idle=$(bench --socket "unix:$SOCK" --idle 10000 -c 8 -p 4 -d "$DURATION" "${CORPUS[@]}" || true)
echo "$idle" >"$OUT/idle.json"
log "with 10,000 idle connections: $(jq -r '"\(.idle_held) held, \(.msgs_per_s|floor) msgs/s"' <<<"$idle")"
hwm_idle=$(stop_dlpd)
echo "{\"workers\":$CORES,\"idle\":10000,\"vmhwm_kb\":$hwm_idle}" >>"$OUT/memory.json"

# ---- 3. rspamd with the same regexes ---------------------------------------------
if [ "$RSPAMD" = 1 ]; then
  RS=$OUT/rspamd
  mkdir -p "$RS/db/hs_cache" "$RS/run" "$RS/log"
  RS_PORT=$(free_port)
  "$BIN/bench/dlp-rspamd-rules" "$ROOT/rules" >"$RS/dlp_rules.lua"
  sed -e "s|@DIR@|$RS|g" -e "s|@PORT@|$RS_PORT|g" -e "s|@WORKERS@|$CORES|g" \
    "$ROOT/bench/rspamd.conf.in" >"$RS/rspamd.conf"
  rspamd -f -i -u "$(id -un)" -g "$(id -gn)" -c "$RS/rspamd.conf" >"$RS/log/stdout" 2>&1 &
  PIDS+=("$!")
  # Ready when Hyperscan's database is compiled and a check answers.
  for _ in $(seq 1 600); do
    ls "$RS"/db/hs_cache/*.hs >/dev/null 2>&1 &&
      "$BIN/bench/dlp-bench" --http "tcp:127.0.0.1:$RS_PORT/checkv2" -c 1 -n 1 \
        "$ROOT/examples/fouo-to-ml.eml" >/dev/null 2>&1 && break
    sleep 0.5
  done
  sleep 3 # the workers load the compiled database
  bench --http "tcp:127.0.0.1:$RS_PORT/checkv2" -c 8 -d 2 "${CORPUS[@]}" >/dev/null || true
  r=$(bench --http "tcp:127.0.0.1:$RS_PORT/checkv2" -c 8 -d "$DURATION" "${CORPUS[@]}" || true)
  echo "$r" >"$OUT/rspamd.json"
  log "rspamd $CORES workers: $(jq -r '"\(.msgs_per_s|floor) msgs/s, p50 \(.p50_ms) ms"' <<<"$r")"
  kill "${PIDS[-1]}" && wait "${PIDS[-1]}" 2>/dev/null || true
fi

# ---- micro-benchmarks -------------------------------------------------------------
log "look-alikes, extraction, rule profile"
"$BIN/bench/dlp-lookalike-bench" --json >"$OUT/lookalike.json"
"$BIN/bench/dlp-extract-bench" -c "$OUT/dlpd.yaml" -s 2 --json >"$OUT/extract.json"
"$BIN/rules/dlp-rules" profile --rules "$ROOT/rules" "${CORPUS[@]:0:200}" >"$OUT/profile.txt"

# ---- summary and plots ------------------------------------------------------------
ROOT=$ROOT OUT=$OUT CORES=$CORES COMPILE_MS=$compile_ms STARTUP_MS=$startup_median \
  RSPAMD=$RSPAMD bash "$ROOT/bench/summary.sh"

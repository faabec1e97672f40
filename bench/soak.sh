#!/usr/bin/env bash
# soak.sh - dlpd under mixed valid and hostile traffic for a long run (not in
# CI). Valid scans arrive open loop at a fixed rate (dlp-bench) while
# dlp-hostile keeps misbehaving beside them and the rules are reloaded
# (SIGHUP) every 20 s. RSS is sampled every 5 s. Passes when every valid
# request was answered without error and RSS over the last quarter of the
# run is no higher than 10% above its level after the first quarter.
#
#   bench/soak.sh [-o DIR] [-m MINUTES] [-r RATE]
#
# Writes soak.json, rss.dat and rss.png into the output directory.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
. bench/lib.sh

OUT=build-bench/soak
MINUTES=10
RATE=300
while [ $# -gt 0 ]; do
  case "$1" in
    -o) OUT=$2; shift 2 ;;
    -m) MINUTES=$2; shift 2 ;;
    -r) RATE=$2; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "soak.sh: unknown option $1" >&2; exit 64 ;;
  esac
done
SECS=$((MINUTES * 60))
BIN=$ROOT/build-bench

bench_build
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
rm -rf "$OUT/corpus"
"$BIN/bench/dlp-gen-corpus" -n 300 -s 2 -o "$OUT/corpus" >/dev/null

SOCK=$OUT/dlpd.sock
bench_config "$OUT/dlpd.yaml" "$OUT/cache" bench/soak.sh
cat >>"$OUT/dlpd.yaml" <<EOF
listen: [unix:$SOCK]
frame_timeout_ms: 2000
log_level: warn
EOF

"$BIN/daemon/dlpd" -c "$OUT/dlpd.yaml" 2>"$OUT/dlpd.log" &
DLPD=$!
trap 'kill $DLPD 2>/dev/null || true' EXIT
until "$BIN/clients/dlpc" --socket "unix:$SOCK" ping >/dev/null 2>&1; do sleep 0.05; done
echo "[soak] dlpd pid $DLPD; $MINUTES min, valid traffic at $RATE msgs/s" >&2

: >"$OUT/rss.dat"
(
  t0=$(date +%s)
  while kill -0 "$DLPD" 2>/dev/null; do
    echo "$(($(date +%s) - t0)) $(awk '/VmRSS/ {print $2}' "/proc/$DLPD/status")" >>"$OUT/rss.dat"
    sleep 5
  done
) &
SAMPLER=$!
(
  while sleep 20; do kill -HUP "$DLPD" 2>/dev/null || break; done
) &
HUPPER=$!

"$BIN/bench/dlp-hostile" --socket "unix:$SOCK" -t 4 -d "$SECS" "$ROOT/examples/fouo-to-ml.eml" \
  >"$OUT/hostile.json" &
HOSTILE=$!
valid=$("$BIN/bench/dlp-bench" --socket "unix:$SOCK" -c 8 -p 8 --rate "$RATE" -d "$SECS" --json \
  "$OUT"/corpus/*.eml || true)
wait "$HOSTILE" || true
kill "$HUPPER" "$SAMPLER" 2>/dev/null || true
stats=$("$BIN/clients/dlpc" --socket "unix:$SOCK" stats --json || echo null)
kill -TERM "$DLPD"
wait "$DLPD" && dlpd_exit=0 || dlpd_exit=$?

n=$(wc -l <"$OUT/rss.dat")
early=$(awk -v n="$n" 'NR >= n/4 && NR < n/4 + 3 {s += $2; k++} END {print int(s / k)}' "$OUT/rss.dat")
late=$(awk -v n="$n" 'NR > n*3/4 {if ($2 > m) m = $2} END {print m}' "$OUT/rss.dat")
sent=$(jq '.answered + .errors' <<<"$valid")
jq -n --argjson valid "$valid" --argjson hostile "$(cat "$OUT/hostile.json")" \
  --argjson stats "$stats" --argjson early "$early" --argjson late "$late" \
  --argjson exit "$dlpd_exit" --argjson minutes "$MINUTES" \
  '{minutes: $minutes, valid: $valid, hostile: $hostile, rss_kb_after_first_quarter: $early,
    rss_kb_max_last_quarter: $late, dlpd_exit: $exit, stats: $stats}' >"$OUT/soak.json"

gnuplot <<EOF
set terminal pngcairo size 800,400
set output "$OUT/rss.png"
set title "dlpd RSS during the soak (valid $RATE msgs/s + hostile traffic + SIGHUP every 20 s)"
set xlabel "seconds"; set ylabel "RSS, MB"; set yrange [0:*]
plot "$OUT/rss.dat" using 1:(\$2/1024) with lines title "VmRSS"
EOF

echo "[soak] valid: $(jq -r '"\(.answered) answered, \(.errors) errors, p99 \(.p99_ms) ms"' <<<"$valid")"
echo "[soak] hostile: $(cat "$OUT/hostile.json")"
echo "[soak] RSS: $((early / 1024)) MB after the first quarter, at most $((late / 1024)) MB in the last quarter; dlpd exit $dlpd_exit"
ok=1
[ "$(jq '.errors' <<<"$valid")" = 0 ] && [ "$sent" -gt 0 ] || ok=0
[ "$late" -le $((early * 11 / 10)) ] || ok=0
[ "$dlpd_exit" = 0 ] || ok=0
if [ "$ok" = 1 ]; then echo "[soak] PASS"; else echo "[soak] FAIL"; exit 1; fi

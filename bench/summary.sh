#!/usr/bin/env bash
# summary.sh - turns the JSON that bench/run.sh wrote into results.json,
# summary.md (the figures beside the targets) and two gnuplot PNGs.
# Called by run.sh with ROOT, OUT, CORES, COMPILE_MS, STARTUP_MS, RSPAMD set.
set -euo pipefail
cd "$OUT"

q() { jq -r "$@"; }
raw_mps=$(q '.hyperscan_all.msgs_per_s' raw.json)
raw_1t_mbs=$(q '.hyperscan.text_mb_per_s' raw.json)
rules_1t_mbs=$(q '.rules.text_mb_per_s' raw.json)
full_1t_mps=$(q '.full.msgs_per_s' raw.json)
decode_1t_mps=$(q '.decode.msgs_per_s' raw.json)
best=$(jq -s "map(select(.workers == $CORES)) | max_by(.result.msgs_per_s)" workers.json)
best_mps=$(q '.result.msgs_per_s' <<<"$best")
best_transport=$(q '.transport' <<<"$best")
one_mps=$(jq -s 'map(select(.workers == 1 and .transport == "unix")) | .[0].result.msgs_per_s' \
  workers.json)
n_mps=$(jq -s "map(select(.workers == $CORES and .transport == \"unix\")) | .[0].result.msgs_per_s" \
  workers.json)
lat50=$(jq -s 'map(select(.percent == 50)) | .[0]' latency.json)
hwm_mb=$(jq -s 'map(.vmhwm_kb) | max / 1024 | floor' memory.json)
idle_held=$(q '.idle_held' idle.json)
idle_mps=$(q '.msgs_per_s' idle.json)
la100k_p99=$(jq -s 'map(select(.protected == 100000)) | .[0].p99_us' lookalike.json)
la1k_p99=$(jq -s 'map(select(.protected == 1000)) | .[0].p99_us' lookalike.json)
if [ "$RSPAMD" = 1 ] && [ -s rspamd.json ]; then
  rs_mps=$(q '.msgs_per_s' rspamd.json)
  rs_p50=$(q '.p50_ms' rspamd.json)
  rs_ratio=$(jq -n "$best_mps / $rs_mps * 10 | floor / 10")
else
  rs_mps=0 rs_p50=0 rs_ratio=0
fi
raw_ratio=$(jq -n "$best_mps / $raw_mps * 1000 | floor / 10")
scaling=$(jq -n "$n_mps / $one_mps * 100 | floor / 100")

verdict() { # condition -> met / missed
  if jq -en "$1" >/dev/null; then echo met; else echo "**missed**"; fi
}
f0() { printf '%.0f' "$1"; }
f1() { printf '%.1f' "$1"; }

{
  echo "# dlpd benchmark, $(date -u +%Y-%m-%d)"
  echo
  echo "Machine: $(lscpu | sed -n 's/^Model name: *//p'), $CORES cores, $(free -g | awk '/Mem:/ {print $2}') GiB;"
  echo "$(. /etc/os-release && echo "$PRETTY_NAME"); Hyperscan $(dpkg-query -W -f='${Version}' libhyperscan5 2>/dev/null || echo '?');" \
    "rspamd $(dpkg-query -W -f='${Version}' rspamd 2>/dev/null || echo 'not run')."
  echo "Corpus: $(q '.messages' raw.json) generated messages (seed 1), $(jq -n "$(q '.mail_bytes' raw.json) / 1e6 | floor") MB;" \
    "load generator and server share the machine."
  echo
  echo "| target | goal | measured | |"
  echo "| --- | --- | --- | --- |"
  if [ "$rs_mps" != 0 ]; then
    echo "| throughput vs rspamd | >= 10x | $(f1 "$rs_ratio")x ($(f0 "$best_mps") vs $(f0 "$rs_mps") msgs/s) | $(verdict "$rs_ratio >= 10") |"
  else
    echo "| throughput vs rspamd | >= 10x | not run (--no-rspamd) | |"
  fi
  echo "| throughput vs raw engine | >= 50% | $raw_ratio% ($(f0 "$best_mps") vs $(f0 "$raw_mps") msgs/s) | $(verdict "$raw_ratio >= 50") |"
  echo "| rule speed, Hyperscan, 1 core | >= 500 MB/s | $(f0 "$raw_1t_mbs") MB/s (with validators: $(f0 "$rules_1t_mbs")) | $(verdict "$raw_1t_mbs >= 500") |"
  echo "| p99 at half of max, <= 50 KB | <= 2 ms | $(q '.result.p99_ms' <<<"$lat50") ms at $(q '.rate' <<<"$lat50") msgs/s | $(verdict "$(q '.result.p99_ms' <<<"$lat50") <= 2") |"
  echo "| scaling 1 -> $CORES workers | ~${CORES}x | ${scaling}x | $(verdict "$scaling >= $CORES * 0.75") |"
  echo "| memory (VmHWM) | <= 150 MB | $hwm_mb MB | $(verdict "$hwm_mb <= 150") |"
  echo "| start-up, cached database | <= 200 ms | $STARTUP_MS ms (compile without cache: $COMPILE_MS ms) | $(verdict "$STARTUP_MS <= 200") |"
  echo "| idle connections held | 10,000 | $idle_held (serving $(f0 "$idle_mps") msgs/s meanwhile) | $(verdict "$idle_held >= 10000") |"
  echo "| look-alike p99, 100,000 domains | <= 5 us | $la100k_p99 us (1,000 domains: $la1k_p99 us) | $(verdict "$la100k_p99 <= 5") |"
  echo
  echo "## Where a message's time goes (one thread)"
  echo
  echo "| stage | msgs/s | MB/s of decoded text |"
  echo "| --- | --- | --- |"
  for s in decode hyperscan rules full; do
    echo "| $s | $(f0 "$(q ".$s.msgs_per_s" raw.json)") | $(f0 "$(q ".$s.text_mb_per_s" raw.json)") |"
  done
  echo
  echo "decode = MIME walk and attachment extraction; hyperscan = the rule database alone;"
  echo "rules = Hyperscan with validators and context; full = dlp_scan, what a worker runs."
  echo
  echo "## dlpd by workers (closed loop, 8 connections x 4 in flight)"
  echo
  echo "| workers | transport | msgs/s | MB/s | p50 ms | p99 ms |"
  echo "| --- | --- | --- | --- | --- | --- |"
  jq -r '"| \(.workers) | \(.transport) | \(.result.msgs_per_s|floor) | \(.result.mb_per_s) | \(.result.p50_ms) | \(.result.p99_ms) |"' workers.json
  echo
  echo "## Latency against offered load (open loop, messages up to 50 KB; max $(f0 "$(q '.msgs_per_s' small_max.json)") msgs/s)"
  echo
  echo "| offered | msgs/s | p50 ms | p90 ms | p99 ms | p99.9 ms | errors |"
  echo "| --- | --- | --- | --- | --- | --- | --- |"
  jq -r '"| \(.percent)% | \(.rate) | \(.result.p50_ms) | \(.result.p90_ms) | \(.result.p99_ms) | \(.result.p999_ms) | \(.result.errors) |"' latency.json
  echo
  echo "rspamd ($CORES workers, 8 connections): $(f0 "$rs_mps") msgs/s, p50 $rs_p50 ms."
  echo
  echo "## Extraction, one thread"
  echo
  echo "| kind | MB/s of text |"
  echo "| --- | --- |"
  jq -r '"| \(.kind) | \(.text_mb_per_s) |"' extract.json
  echo
  echo "## Rules that cost the most (dlp-rules profile, first 200 messages)"
  echo
  echo '```'
  head -12 profile.txt
  echo '```'
} >summary.md

jq -n --slurpfile raw raw.json --slurpfile workers workers.json --slurpfile latency latency.json \
  --slurpfile memory memory.json --slurpfile idle idle.json --slurpfile lookalike lookalike.json \
  --slurpfile extract extract.json \
  --argjson rspamd "$( [ -s rspamd.json ] && cat rspamd.json || echo null)" \
  --argjson compile_ms "$COMPILE_MS" --argjson startup_ms "$STARTUP_MS" \
  '{raw: $raw[0], dlpd_workers: $workers, latency: $latency, memory: $memory, idle: $idle[0],
    lookalike: $lookalike, extract: $extract, rspamd: $rspamd, compile_ms: $compile_ms,
    startup_ms: $startup_ms}' >results.json

# Plots: throughput against workers, latency against offered load.
jq -r 'select(.transport == "unix") | "\(.workers) \(.result.msgs_per_s)"' workers.json >unix.dat
jq -r 'select(.transport == "tcp") | "\(.workers) \(.result.msgs_per_s)"' workers.json >tcp.dat
jq -r '"\(.rate) \(.result.p50_ms) \(.result.p99_ms) \(.result.p999_ms)"' latency.json >latency.dat
gnuplot <<EOF
set terminal pngcairo size 800,500
set output "throughput_workers.png"
set title "dlpd throughput against workers ($CORES cores, same corpus)"
set xlabel "workers"; set ylabel "messages/s"; set logscale y; set key left top
set xrange [0.5:$CORES.5]; set xtics 1
plot "unix.dat" using 1:2 with linespoints title "dlpd, unix", \
     "tcp.dat" using 1:2 with linespoints title "dlpd, tcp", \
     $rs_mps with lines dt 2 title "rspamd, $CORES workers", \
     $raw_mps with lines dt 3 title "raw engine (Hyperscan), $CORES threads"
set output "latency_load.png"
set title "dlpd latency against offered load (open loop, messages up to 50 KB)"
unset logscale; set logscale y; set autoscale x; set xtics auto
set xlabel "offered messages/s"; set ylabel "latency, ms"
plot "latency.dat" using 1:2 with linespoints title "p50", \
     "latency.dat" using 1:3 with linespoints title "p99", \
     "latency.dat" using 1:4 with linespoints title "p99.9"
EOF
cat summary.md
echo
echo "results: $OUT/{summary.md,results.json,throughput_workers.png,latency_load.png}"

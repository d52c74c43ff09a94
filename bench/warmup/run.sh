#!/usr/bin/env bash
# How long the proxy takes to reach its steady state after start: a steady load (smtp-source, [sessions]
# sessions of 4 KB messages, one run after another) into a freshly started proxy relaying to smtp-sink, and
# every [step] seconds the messages delivered per second and the CPU time of the runtime's JIT threads
# (".NET Tiered Com...": tiered compilation, with dynamic PGO). bench/compare warms every path up for longer
# than the JIT keeps compiling here.
#   bench/warmup/run.sh [seconds] [sessions] [step] [-- --Section:Key=value ...]   (defaults 40 20 2)
# Environment variables pass to the proxy, e.g. DOTNET_TieredPGO=0 bench/warmup/run.sh.
# Needs Debian's postfix package (smtp-source, smtp-sink).
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-40}; sessions=${2:-20}; step=${3:-2}; shift $(( $# < 3 ? $# : 3 )); [ "${1:-}" = -- ] && shift
work=$(mktemp -d /tmp/sfp-warmup.XXXX)
. bench/lib.sh
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT

dotnet build -c Release src/SmtpFailoverProxy >/dev/null
start_sink
start_proxy "$sink_port" --Spool:DeliveryConcurrency=32 --Providers:upstream:MaxConnections=16 "$@"

# CPU jiffies of the proxy's threads whose name says tiered compilation.
jit_jiffies() {
  local total=0 task
  for task in /proc/"$proxy_pid"/task/*; do
    if grep -q '^\.NET Tiered' "$task/comm" 2>/dev/null; then total=$((total + $(stat_jiffies "$task/stat"))); fi
  done
  echo "$total"
}

( while true; do smtp-source -d -s "$sessions" -m 5000 -l 4096 -f bench@example.com -t sink@example.com "127.0.0.1:$smtp_port" 2>/dev/null || true; done ) & pids+=($!)
n0=$(sink_count); j0=$(jit_jiffies); c0=$(proxy_cpu); t=0
echo "seconds  delivered/s  proxy CPU us/msg  JIT CPU ms"
while [ "$t" -lt "$seconds" ]; do
  sleep "$step"; t=$((t + step))
  n=$(sink_count); j=$(jit_jiffies); c=$(proxy_cpu)
  printf '%7s  %11s  %16s  %10s\n' "$t" $(( (n - n0) / step )) $(( n > n0 ? (c - c0) * 10000 / (n - n0) : 0 )) $(( (j - j0) * 10 ))
  n0=$n; j0=$j; c0=$c
done

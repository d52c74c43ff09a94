#!/usr/bin/env bash
# Acceptance while the only provider is down: the proxy relays to a port where nothing listens, so every
# delivery attempt fails at once and every message is deferred. SmtpLoad sends 4 KB messages over
# [connections] sessions for [seconds], [rounds] times.
#   bench/outage/run.sh [connections] [seconds] [rounds] [-- --Section:Key=value ...]   (defaults 20 10 3)
# Prints SmtpLoad's line per round (accepted, rate, end of DATA to 250 p50/p99), then what the spool
# holds (messages, state files) and the proxy's CPU per message.
set -euo pipefail
cd "$(dirname "$0")/../.."
connections=${1:-20}; seconds=${2:-10}; rounds=${3:-3}; shift $(( $# < 3 ? $# : 3 )); [ "${1:-}" = -- ] && shift
work=$(mktemp -d /tmp/sfp-outage.XXXX)
. bench/lib.sh
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT

dotnet build -c Release src/SmtpFailoverProxy >/dev/null
dotnet build -c Release bench/load >/dev/null
start_proxy "$(free_port)" "$@" # nothing listens there

cpu0=$(proxy_cpu)
for _ in $(seq 1 "$rounds"); do
  smtp_load "$smtp_port" "$connections" "$seconds" 4096
done
cpu1=$(proxy_cpu)
hwm=$(hwm_mb "$proxy_pid")
queued=$(spool_slots "$work/spool" | cut -d' ' -f1)
echo "spool: $queued messages, $(find "$work/spool/queue" -name '*.state' | wc -l) state files; proxy CPU $(( (cpu1 - cpu0) * 10000 / (queued > 0 ? queued : 1) )) us per message; peak RSS $hwm MB"

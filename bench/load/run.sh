#!/usr/bin/env bash
# Load test: 1,000 concurrent connections sending for a minute through the proxy (spool fsync on) to
# Postfix's smtp-sink, then checks that every accepted message reached the sink.
#   bench/load/run.sh [connections] [seconds] [size]      (defaults 1000 60 4096)
# Needs: apt-get install postfix (for smtp-sink).
set -euo pipefail
cd "$(dirname "$0")/../.."
connections=${1:-1000}; seconds=${2:-60}; size=${3:-4096}
work=$(mktemp -d)
. bench/lib.sh
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
sink_port=$(free_port)

dotnet build -c Release src/SmtpFailoverProxy >/dev/null
dotnet build -c Release bench/load >/dev/null
# -c: a counter of delivered messages ("." received) on stdout.
smtp-sink -c -u nobody 127.0.0.1:"$sink_port" 2048 > "$work/sink.out" 2>&1 & pids+=($!)
start_proxy "$sink_port" --Smtp:MaxConnections=5000 --Smtp:MaxConnectionsPerClient=5000 --Smtp:MaxConcurrentData=5000 \
  --Spool:DeliveryConcurrency=32 --Providers:upstream:MaxConnections=32

ulimit -n "$(ulimit -Hn)" 2>/dev/null || true # the client holds a descriptor per connection (the .NET runtime raises its own limit)
smtp_load "$smtp_port" "$connections" "$seconds" "$size" | tee "$work/load.out"
accepted=$(load_field accepted "$(cat "$work/load.out")")
# Wait for the spool to drain (bounded), then compare with the sink's counter.
for _ in $(seq 1 600); do
  queued=$(curl -s "http://127.0.0.1:$admin_port/status" | grep -o '"queued":[0-9]*' | cut -d: -f2)
  [ "$queued" = "0" ] && break; sleep 0.5
done
sleep 1
delivered=$(tr '\r' '\n' < "$work/sink.out" | grep -o 'mesg=[0-9]*' | tail -1 | cut -d= -f2)
rss=$(grep VmHWM /proc/$proxy_pid/status | awk '{print $2}')
echo "proxy peak RSS: $((rss / 1024)) MB; accepted $accepted, reached the sink $delivered, still queued ${queued:-?}"

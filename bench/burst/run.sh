#!/usr/bin/env bash
# Bursts faster than the upstream takes them: smtp-source sends [messages] 4 KB messages over 20
# sessions to a proxy that relays to smtp-sink over only 2 connections (Spool:DeliveryConcurrency=2), so
# a backlog builds; the script waits until the sink has them all, then sends the next burst.
#   bench/burst/run.sh [messages] [bursts] [-- --Section:Key=value ...]     (defaults 15000 3)
# Per burst: accepted msg/s (smtp-source finished), drained msg/s (the sink has every message), the
# proxy's CPU per message, and the free slots left in spool/slots for the next burst. Needs Debian's postfix
# package (smtp-source, smtp-sink).
set -euo pipefail
cd "$(dirname "$0")/../.."
messages=${1:-15000}; bursts=${2:-3}; shift $(( $# < 2 ? $# : 2 )); [ "${1:-}" = -- ] && shift
work=$(mktemp -d /tmp/sfp-burst.XXXX)
. bench/lib.sh
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT

dotnet build -c Release src/SmtpFailoverProxy >/dev/null
start_sink
start_proxy "$sink_port" --Spool:DeliveryConcurrency=2 --Providers:upstream:MaxConnections=2 "$@"

total=0
for burst in $(seq 1 "$bursts"); do
  cpu0=$(proxy_cpu); t0=$(now)
  smtp-source -d -s 20 -m "$messages" -l 4096 -f bench@example.com -t sink@example.com "127.0.0.1:$smtp_port"
  t1=$(now); total=$((total + messages))
  wait_for_sink "$total" 0.1
  t2=$(now); cpu1=$(proxy_cpu)
  python3 -c "print(f'burst $burst: accepted {$messages/($t1-$t0):.0f} msg/s, drained {$messages/($t2-$t0):.0f} msg/s, proxy CPU {($cpu1-$cpu0)*10000/$messages:.0f} us/msg, free slots $(spool_slots "$work/spool" | cut -d' ' -f2)')"
done

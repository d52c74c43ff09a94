#!/usr/bin/env bash
# Relaying to a distant upstream: smtp-sink behind a forwarder that delays each direction by [delay_ms]
# (a round trip of twice that), the proxy relaying over [connections] connections. [messages] 4 KB
# messages go in at once over 20 sessions (accepted long before they are relayed: a backlog, as in
# front of Gmail); the script times their delivery to the sink.
#   bench/rtt/run.sh [messages] [delay_ms] [connections] [-- --Section:Key=value ...]   (defaults 500 10 1)
# Needs Debian's postfix package (smtp-source, smtp-sink) and python3.
set -euo pipefail
cd "$(dirname "$0")/../.."
messages=${1:-500}; delay=${2:-10}; connections=${3:-1}; shift $(( $# < 3 ? $# : 3 )); [ "${1:-}" = -- ] && shift
work=$(mktemp -d /tmp/sfp-rtt.XXXX)
. bench/lib.sh
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT

dotnet build -c Release src/SmtpFailoverProxy >/dev/null
start_sink; far_port=$(free_port)
python3 bench/rtt/delay_proxy.py "$far_port" "$sink_port" "$delay" & pids+=($!)
start_proxy "$far_port" --Spool:DeliveryConcurrency=32 --Providers:upstream:MaxConnections="$connections" "$@"

# Warm-up: the JIT and the upstream connections.
smtp-source -d -s 5 -m 50 -l 4096 -f bench@example.com -t sink@example.com "127.0.0.1:$smtp_port"
wait_for_sink 50 0.1 60

t0=$(now)
smtp-source -d -s 20 -m "$messages" -l 4096 -f bench@example.com -t sink@example.com "127.0.0.1:$smtp_port"
t1=$(now)
wait_for_sink $((messages + 50)) # after 600 s it says how far the sink got and exits
t2=$(now)
python3 -c "print(f'round trip {2*$delay} ms, {$connections} connection(s): accepted {$messages/($t1-$t0):.0f} msg/s, relayed {$messages/($t2-$t0):.1f} msg/s ({$messages/($t2-$t0)/$connections:.1f} per connection; {1000*($t2-$t0)*$connections/$messages/(2*$delay):.2f} round trips a message)')"

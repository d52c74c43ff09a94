#!/usr/bin/env bash
# Acceptance alone against acceptance while relaying: the same burst of [messages] 4 KB messages from
# smtp-source (20 sessions) into a proxy relaying to smtp-sink, in rounds of two: once while the proxy
# relays, once with smtp-sink stopped (SIGSTOP: its connections stay open and nothing answers, so no
# delivery work competes for the cores). After each burst the sink goes on and the script waits until it
# has every message, so the next burst starts with an empty queue and the slots kept for reuse (made
# during the warm-up).
#   bench/accept/run.sh [messages] [rounds] [-- --Section:Key=value ...]     (defaults 5000 5)
# Per round and as medians: accepted msg/s (smtp-source finished) and the proxy's CPU per message during
# the burst. The difference is what relaying costs acceptance on these cores. Needs Debian's postfix
# package (smtp-source, smtp-sink). WARMUP_SECONDS (default 30) of such rounds come first, unreported.
set -euo pipefail
cd "$(dirname "$0")/../.."
messages=${1:-5000}; rounds=${2:-5}; shift $(( $# < 2 ? $# : 2 )); [ "${1:-}" = -- ] && shift
work=$(mktemp -d /tmp/sfp-accept.XXXX)
. bench/lib.sh
pids=()
sink_pid=
trap '[ -n "$sink_pid" ] && kill -CONT "$sink_pid" 2>/dev/null; kill "${pids[@]}" 2>/dev/null || true' EXIT

dotnet build -c Release src/SmtpFailoverProxy >/dev/null
start_sink
sink_pid=${pids[-1]}
start_proxy "$sink_port" --Spool:DeliveryConcurrency=32 --Providers:upstream:MaxConnections=16 "$@"

total=0
# burst: one burst; sets result to "MSG_PER_S US_PER_MSG" and counts the messages into total (in this
# shell: a $(burst) would count them in a subshell, and the next drain would not wait for them).
burst() {
  local cpu0 cpu1 t0 t1
  cpu0=$(proxy_cpu); t0=$(now)
  smtp-source -d -s 20 -m "$messages" -l 4096 -f bench@example.com -t sink@example.com "127.0.0.1:$smtp_port"
  t1=$(now); cpu1=$(proxy_cpu); total=$((total + messages))
  result=$(python3 -c "print(f'{$messages/($t1-$t0):.0f} {($cpu1-$cpu0)*10000/$messages:.0f}')")
}
show() { read -r rate cpu <<< "$1"; echo "$rate msg/s, $cpu us/msg"; }
drain() { wait_for_sink "$total"; }

# The warm-up runs unreported rounds: the JIT compiles both paths (a backlog's messages are loaded from their
# slots when delivered, a path the relaying bursts hardly take), and the first burst with the sink stopped
# creates the slots a whole burst's backlog needs, which the rounds then reuse (see bench/burst).
end=$((SECONDS + ${WARMUP_SECONDS:-30}))
while [ $SECONDS -lt $end ]; do
  burst; drain
  kill -STOP "$sink_pid"; burst; kill -CONT "$sink_pid"; drain
done

relaying=(); stopped=()
for round in $(seq 1 "$rounds"); do
  burst; drain; a=$result
  kill -STOP "$sink_pid"; burst; kill -CONT "$sink_pid"; drain; b=$result
  relaying+=("$a"); stopped+=("$b")
  echo "round $round: relaying $(show "$a"); upstream stopped $(show "$b")"
done
medians() { show "$(median $(printf '%s\n' "$@" | cut -d' ' -f1)) $(median $(printf '%s\n' "$@" | cut -d' ' -f2))"; }
echo "median: relaying $(medians "${relaying[@]}"); upstream stopped $(medians "${stopped[@]}")"

#!/usr/bin/env bash
# Acceptance alone against acceptance while relaying: the same burst of [messages] 4 KB messages from
# smtp-source (20 sessions) into a proxy relaying to smtp-sink, in rounds of two: once while the proxy
# relays, once with smtp-sink stopped (SIGSTOP: its connections stay open and nothing answers, so no
# delivery work competes for the cores). After each pair the sink goes on and the script waits until it
# has every message, so the next round starts with an empty queue and the slots kept for reuse (a burst
# with the sink stopped during the warm-up creates them).
#   bench/accept/run.sh [messages] [rounds] [-- --Section:Key=value ...]     (defaults 5000 5)
# Per round and as medians: accepted msg/s (smtp-source finished) and the proxy's CPU per message during
# the burst. The difference is what relaying costs acceptance on these cores. Needs Debian's postfix
# package (smtp-source, smtp-sink). WARMUP_SECONDS (default 20) of load come first.
set -euo pipefail
cd "$(dirname "$0")/../.."
messages=${1:-5000}; rounds=${2:-5}; shift $(( $# < 2 ? $# : 2 )); [ "${1:-}" = -- ] && shift
work=$(mktemp -d /tmp/sfp-accept.XXXX)
. bench/lib.sh
now() { date +%s.%N; }
pids=()
sink_pid=
trap '[ -n "$sink_pid" ] && kill -CONT "$sink_pid" 2>/dev/null; kill "${pids[@]}" 2>/dev/null || true' EXIT

dotnet build -c Release src/SmtpFailoverProxy >/dev/null
start_sink
sink_pid=${pids[-1]}
start_proxy "$sink_port" --Spool:DeliveryConcurrency=32 --Providers:upstream:MaxConnections=16 "$@"

total=0
burst() { # prints "MSG_PER_S US_PER_MSG"
  local cpu0 cpu1 t0 t1
  cpu0=$(proxy_cpu); t0=$(now)
  smtp-source -d -s 20 -m "$messages" -l 4096 -f bench@example.com -t sink@example.com "127.0.0.1:$smtp_port"
  t1=$(now); cpu1=$(proxy_cpu); total=$((total + messages))
  python3 -c "print(f'{$messages/($t1-$t0):.0f} {($cpu1-$cpu0)*10000/$messages:.0f}')"
}
drain() {
  local deadline=$((SECONDS + 600))
  until [ "$(sink_count)" -ge "$total" ]; do
    [ $SECONDS -gt $deadline ] && { echo "timeout: the sink has $(sink_count) of $total" >&2; exit 1; }
    sleep 0.05
  done
}

end=$((SECONDS + ${WARMUP_SECONDS:-20}))
while [ $SECONDS -lt $end ]; do burst >/dev/null; done
drain
# One burst with the sink stopped, unreported: it creates the slots a whole burst's backlog needs, which the
# rounds then reuse (creating files is the first burst's cost, see bench/burst).
kill -STOP "$sink_pid"; burst >/dev/null; kill -CONT "$sink_pid"; drain

relaying=(); stopped=()
for round in $(seq 1 "$rounds"); do
  a=$(burst); drain
  kill -STOP "$sink_pid"; b=$(burst); kill -CONT "$sink_pid"; drain
  relaying+=("$a"); stopped+=("$b")
  read -r ar ac <<< "$a"; read -r br bc <<< "$b"
  echo "round $round: relaying $ar msg/s, $ac us/msg; upstream stopped $br msg/s, $bc us/msg"
done
median() { printf '%s\n' "$@" | sort -n | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
echo "median: relaying $(median $(printf '%s\n' "${relaying[@]}" | cut -d' ' -f1)) msg/s, $(median $(printf '%s\n' "${relaying[@]}" | cut -d' ' -f2)) us/msg;" \
  "upstream stopped $(median $(printf '%s\n' "${stopped[@]}" | cut -d' ' -f1)) msg/s, $(median $(printf '%s\n' "${stopped[@]}" | cut -d' ' -f2)) us/msg"

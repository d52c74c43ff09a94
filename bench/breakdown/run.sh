#!/usr/bin/env bash
# Where a relayed message's CPU goes, part by part: the same smtp-source load (20 persistent sessions, 4 KB)
# into smtp-sink (the limit), into diagnostic builds of the proxy that stop after a part (see variants.py:
# never shipped, built into the scratch folder from this checkout's src/), and into the proxy relaying to
# smtp-sink. Per case, medians over the rounds: msg/s, CPU microseconds a message of smtp-source, of the
# server (smtp-sink or the proxy), of smtp-sink behind the proxy, and of the whole machine (kernel threads
# included: the syncs' writeback and journal run there), and the machine's context switches a message.
#   bench/breakdown/run.sh [messages] [rounds]    (defaults 30000, 3; WARMUP_SECONDS=25 of load per proxy first)
# SESSIONS=N: N sessions instead of 20. CONNECTION_PER_MESSAGE=1: smtp-source without -d, each message on a
# connection of its own (connect, greeting, HELO, one transaction, QUIT), as in bench/compare's mode of that name.
set -euo pipefail
cd "$(dirname "$0")/../.."
messages=${1:-30000}; rounds=${2:-3}
work=$(mktemp -d /tmp/sfp-breakdown.XXXX)
. bench/lib.sh
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT

dotnet build -c Release src/SmtpFailoverProxy >/dev/null
declare -A dll=([relaying]=src/SmtpFailoverProxy/bin/Release/net10.0/smtp-proxy.dll)
for variant in protocol spool spool-unsynced; do dll[$variant]=$(build_variant "$variant"); done

# The load, every time: 20 persistent sessions of 4 KB messages (or as SESSIONS and CONNECTION_PER_MESSAGE say).
# load PORT COUNT sends COUNT of them.
# shellcheck disable=SC2206 # $persistent (bench/lib.sh) is -d or nothing
load_command=(smtp-source $persistent -s "${SESSIONS:-20}" -l 4096 -f bench@example.com -t sink@example.com)
echo "load: ${load_command[*]}"
load() { "${load_command[@]}" -m "$2" "127.0.0.1:$1"; }
# source_cpu PORT COUNT: load, printing the CPU seconds smtp-source took.
source_cpu() {
  python3 -c 'import resource, subprocess, sys
subprocess.run(sys.argv[1:], check=True)
r = resource.getrusage(resource.RUSAGE_CHILDREN); print(r.ru_utime + r.ru_stime)' \
    "${load_command[@]}" -m "$2" "127.0.0.1:$1"
}

# measure CASE PORT SERVER_PID [SINK_PID]: one round of $messages; with SINK_PID (the proxy relaying), the round
# ends when the sink has them all. Appends "rate source server sink machine switches" to $work/results-CASE.
measure() {
  local case=$1 port=$2 server=$3 sink=${4:-} sink0=0 sink1=0 counted
  counted=$(sink_count)
  local t0 b0 x0 s0 source t1 b1 x1 s1
  t0=$(now); b0=$(machine_jiffies); x0=$(context_switches); s0=$(stat_jiffies "/proc/$server/stat")
  [ -n "$sink" ] && sink0=$(stat_jiffies "/proc/$sink/stat")
  source=$(source_cpu "$port" "$messages")
  [ -n "$sink" ] && wait_for_sink $((counted + messages)) 0.02
  t1=$(now); b1=$(machine_jiffies); x1=$(context_switches); s1=$(stat_jiffies "/proc/$server/stat")
  [ -n "$sink" ] && sink1=$(stat_jiffies "/proc/$sink/stat")
  python3 -c "n = $messages; print(f'{n / ($t1 - $t0):.0f} {$source * 1e6 / n:.1f} {($s1 - $s0) * 1e4 / n:.1f} {($sink1 - $sink0) * 1e4 / n:.1f} {($b1 - $b0) * 1e4 / n:.1f} {($x1 - $x0) / n:.1f}')" >> "$work/results-$case"
}

sent=0
warm_up() { # PORT
  local end=$((SECONDS + ${WARMUP_SECONDS:-25}))
  while [ $SECONDS -lt $end ]; do
    load "$1" 5000
    sent=$((sent + 5000))
  done
}

cases=(limit protocol spool-unsynced spool relaying)
for round in $(seq 1 "$rounds"); do
  for case in "${cases[@]}"; do
    start_sink; sink_pid=${pids[-1]}
    if [ "$case" = limit ]; then
      load "$sink_port" 5000 # its first run
      measure limit "$sink_port" "$sink_pid"
    else
      proxy_dll=${dll[$case]} start_proxy "$sink_port"
      sent=0; warm_up "$smtp_port"
      if [ "$case" = relaying ]; then
        wait_for_sink "$sent"
        measure "$case" "$smtp_port" "$proxy_pid" "$sink_pid"
      else
        measure "$case" "$smtp_port" "$proxy_pid"
      fi
      kill "$proxy_pid"; wait "$proxy_pid" 2>/dev/null || true
    fi
    kill "$sink_pid"; wait "$sink_pid" 2>/dev/null || true
    echo "round $round, $case: $(tail -1 "$work/results-$case")"
  done
done

echo
printf '%-15s %11s %11s %11s %11s %11s %11s\n' case msg/s smtp-source server sink machine switches
for case in "${cases[@]}"; do
  printf '%-15s' "$case"
  for column in 1 2 3 4 5 6; do printf ' %11s' "$(median $(cut -d' ' -f$column "$work/results-$case"))"; done
  echo
done
echo "(CPU in microseconds a message; server = smtp-sink for the limit, else the proxy; sink = smtp-sink behind the proxy;"
echo " switches: the machine's context switches a message)"

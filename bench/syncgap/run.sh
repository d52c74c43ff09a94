#!/usr/bin/env bash
# The sync's gap: a lone session's fdatasync takes longer in the proxy than bench/disk's back to back. Each
# call taken apart at the block layer and the scheduler (perf: the fdatasync system call, block requests
# issued and completed, wake-ups and switches; bench/syncgap/calls.py), and its disk time grouped by the
# pause before it: first the proxy (Release) relaying to smtp-sink under `smtp-source -d -s 1` (its syncs
# come about 800 us apart at 1,000 msg/s), then loop.py syncing one slot-sized file with sleeps of each of
# PAUSES microseconds in turn (default 0,100,200,400,800). The recording goes to tmpfs (/dev/shm), so that
# its own writes are not the disk's.
# CONNECTION_PER_MESSAGE=1: smtp-source without -d, each message on a connection of its own (the proxy's
# thread-pool workers then spin beside the sync, bench/RESULTS.md "2026-12-03, a later session").
#   bench/syncgap/run.sh [seconds]    (default 3 s of recording for the proxy, twice that for the loop;
#                                      root; linux-perf, postfix, python3)
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-3}
work=$(mktemp -d /tmp/sfp-syncgap.XXXX)
recording=$(mktemp -d /dev/shm/sfp-syncgap.XXXX)
pauses=${PAUSES:-0,100,200,400,800}
. bench/lib.sh # machine, start_sink, start_proxy, sink_count, now
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; rm -rf "$recording" "$work"' EXIT

events=(-e syscalls:sys_enter_fdatasync -e syscalls:sys_exit_fdatasync -e block:block_rq_issue
  -e block:block_rq_complete -e sched:sched_wakeup -e sched:sched_switch)
# record SECONDS: records the events over the whole machine for SECONDS.
record() { perf record -q -a "${events[@]}" -o "$recording/data" -- sleep "$1" >/dev/null 2>&1; }
# take_apart NAME THREADS: prints the recorded calls of THREADS (comma-separated thread ids).
take_apart() {
  echo "== $1"
  perf script -i "$recording/data" 2>/dev/null | python3 bench/syncgap/calls.py "$2"
}

dotnet build -c Release src/SmtpFailoverProxy >/dev/null
echo "$(machine) seconds=$seconds folder=$work ($(df -T "$work" | awk 'NR==2{print $2}'))"
start_sink
start_proxy "$sink_port"
# shellcheck disable=SC2086 # $persistent (bench/lib.sh) is -d or nothing
send() { smtp-source $persistent -s 1 -m "$1" -l 4096 -f bench@example.com -t sink@example.com "127.0.0.1:$smtp_port"; }
send "${WARMUP:-20000}"
send 100000000 2>/dev/null & load=$!
pids+=("$load")
sleep 1 # the load's first second (its connection and first messages) is not recorded
before=$(sink_count); started=$(now)
record "$seconds"
rate=$(python3 -c "print(round(($(sink_count) - $before) / ($(now) - $started)))")
kill "$load"
sessions="1 persistent session"; [ -n "$persistent" ] || sessions="1 session, a connection per message"
take_apart "proxy, $sessions, $rate msg/s delivered under the recording" "$(ls "/proc/$proxy_pid/task" | paste -sd,)"
python3 bench/syncgap/loop.py "$work/slot" "$pauses" & loop=$!
pids+=("$loop")
sleep 1 # nor the loop's first second
record $((seconds * 2))
kill "$loop"
take_apart "loop, sleeps of $pauses us in turn" "$loop"

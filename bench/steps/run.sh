#!/usr/bin/env bash
# Where one message's time goes when it comes alone: one client (bench/steps/client.py) sends one message at a
# time, each on a connection of its own, and times every step from its command to its reply. Four servers,
# each with its own folder, all started first and then taken in turn within every round:
#   smtp-sink    Postfix's sink, the no-relay limit's server
#   neither      the proxy with its spool written but not synced, and nothing relayed (the "spool-unsynced"
#                diagnostic build of bench/breakdown/variants.py, never shipped)
#   synced       the proxy with its spool synced and nothing relayed (the "spool" diagnostic build)
#   relaying     the proxy as shipped, relaying to smtp-sink
# Then bench/disk's fdatasync of one slot-sized write alone, on the same file system, for comparison with
# "synced" minus "neither" in the content step (the sync as the proxy makes it: the hand-over to the
# committing thread and back included).
#   bench/steps/run.sh [messages] [rounds]    (defaults 2000 3; WARMUP messages, default 3000, to each first)
# Prints the medians over the rounds of each step's median, in microseconds. Needs Debian's postfix package
# (smtp-sink) and python3.
set -euo pipefail
cd "$(dirname "$0")/../.."
messages=${1:-2000}; rounds=${2:-3}
root=$(mktemp -d /tmp/sfp-steps.XXXX)
work=$root
. bench/lib.sh
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT

dotnet build -c Release src/SmtpFailoverProxy >/dev/null
neither_dll=$(build_variant spool-unsynced)
synced_dll=$(build_variant spool)
start_sink
declare -A port=([smtp-sink]=$sink_port)
for server in neither synced relaying; do
  work=$root/$server; mkdir -p "$work"
  case $server in neither) proxy_dll=$neither_dll ;; synced) proxy_dll=$synced_dll ;; relaying) unset proxy_dll ;; esac
  start_proxy "$sink_port"
  port[$server]=$smtp_port
done
work=$root

servers=(smtp-sink neither synced relaying)
for server in "${servers[@]}"; do python3 bench/steps/client.py "${port[$server]}" "${WARMUP:-3000}" >/dev/null; done
for round in $(seq 1 "$rounds"); do
  for server in "${servers[@]}"; do
    python3 bench/steps/client.py "${port[$server]}" "$messages" > "$work/round-$server"
    cat "$work/round-$server" >> "$work/results-$server"
    echo "round $round, $server: $(cat "$work/round-$server")"
  done
done

echo
echo "$(machine) messages=$messages rounds=$rounds (medians, microseconds from a command to its reply)"
printf '%-10s %8s %8s %8s %8s %8s %8s %8s %8s\n' server connect EHLO MAIL RCPT DATA content QUIT total
for server in "${servers[@]}"; do
  printf '%-10s' "$server"
  total=0
  for column in 1 2 3 4 5 6 7; do
    value=$(median $(cut -d' ' -f$column "$work/results-$server"))
    printf ' %8s' "$value"
    total=$(python3 -c "print($total + $value)")
  done
  printf ' %8s\n' "$total"
done
echo "(connect: from the connect call to the whole 220; content: from sending the 4 KB message and its dot to the 250;"
echo " QUIT: to the server's close)"
echo "one slot-sized write and fdatasync alone, on this file system (bench/disk/run.sh 1000, p50 and p90 us):"
bash bench/disk/run.sh 1000 "$root/disk" | awk '$1 == "fdatasync-each" && $2 == 1 {print "  " $3 " and " $4}'

#!/usr/bin/env bash
# Two builds or settings of the proxy side by side, judged in alternating runs: A and B each relay to a
# smtp-sink of their own, and each round sends one burst of [messages] 4 KB messages over [sessions]
# sessions (smtp-source -d) to A, B, B and A in turn, waiting after each until its sink has them all, so a
# fast or slow minute of the host falls on both sides alike. WARMUP_SECONDS (default 25) of bursts per
# side come first, unreported (the JIT tiers up for 12 to 15 s of load).
#   bench/ab/run.sh [messages] [sessions] [rounds] [-- --Section:Key=value ...]   (defaults 10000 20 4)
# A side is a build and an environment: DLL_A / DLL_B (default the Release build, built first),
# ENV_A / ENV_B (space-separated VAR=value, for that side's proxy alone). The arguments after -- reach
# both. Both run the benchmark's 32 deliveries and 16 connections. Per burst and as medians per side:
# accepted msg/s (smtp-source finished), end to end msg/s (the sink has them all), the proxy's CPU a
# message and the machine's (every process, /proc/stat), in us; then one 10 s SmtpLoad run per side
# (end of DATA to 250, p50 / p99) and the peak RSS. Needs Debian's postfix package (smtp-source, smtp-sink).
# CONNECTION_PER_MESSAGE=1 drops smtp-source's -d, as in bench/compare: a connection for every message.
#   DLL_B=/tmp/other/smtp-proxy.dll bench/ab/run.sh
#   ENV_B="DOTNET_GCDynamicAdaptationMode=0" bench/ab/run.sh 10000 20 8
set -euo pipefail
cd "$(dirname "$0")/../.."
messages=${1:-10000}; sessions=${2:-20}; rounds=${3:-4}; shift $(( $# < 3 ? $# : 3 )); [ "${1:-}" = -- ] && shift
base=$(mktemp -d /tmp/sfp-ab.XXXX)
pids=(); trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
work=$base
. bench/lib.sh

dotnet build -c Release src/SmtpFailoverProxy >/dev/null
dotnet build -c Release bench/load >/dev/null
declare -A port pid folder
for side in A B; do
  work=$base/$side; mkdir -p "$work"; folder[$side]=$work
  dll_var=DLL_$side; env_var=ENV_$side
  proxy_dll=${!dll_var:-src/SmtpFailoverProxy/bin/Release/net10.0/smtp-proxy.dll}
  read -r -a proxy_env <<< "${!env_var:-}"
  start_sink
  start_proxy "$sink_port" --Spool:DeliveryConcurrency=32 --Providers:upstream:MaxConnections=16 "$@"
  port[$side]=$smtp_port; pid[$side]=$proxy_pid
  echo "$side: ${proxy_dll}${proxy_env[*]:+ with ${proxy_env[*]}}"
done

# burst SIDE: one burst to SIDE; prints "ACCEPTED END_TO_END PROXY_US MACHINE_US".
burst() {
  work=${folder[$1]}; proxy_pid=${pid[$1]}
  local before c0 m0 t0 t1 t2 c1 m1
  before=$(sink_count); c0=$(proxy_cpu); m0=$(machine_jiffies); t0=$(now)
  smtp-source $persistent -s "$sessions" -m "$messages" -l 4096 -f bench@example.com -t sink@example.com "127.0.0.1:${port[$1]}"
  t1=$(now)
  wait_for_sink $((before + messages)) 0.02
  t2=$(now); c1=$(proxy_cpu); m1=$(machine_jiffies)
  python3 -c "print(f'{$messages/($t1-$t0):.0f} {$messages/($t2-$t0):.0f} {($c1-$c0)*1e4/$messages:.0f} {($m1-$m0)*1e4/$messages:.0f}')"
}

for side in A B; do
  end=$((SECONDS + ${WARMUP_SECONDS:-25}))
  while [ $SECONDS -lt $end ]; do burst $side > /dev/null; done
done
declare -A results
for r in $(seq 1 "$rounds"); do
  for side in A B B A; do
    x=$(burst $side) || exit 1 # the subshell stops when the sink does not get them all
    results[$side]+="$x"$'\n'
    read -r accepted e2e proxy_us machine_us <<< "$x"
    echo "round $r $side: accepted $accepted msg/s, end to end $e2e msg/s, proxy $proxy_us us, machine $machine_us us a message"
  done
done
# side_median SIDE FIELD: the median of one field over SIDE's bursts.
side_median() { median $(printf '%s' "${results[$1]}" | awk -v i="$2" 'NF {print $i}'); }
for side in A B; do
  work=${folder[$side]}; before=$(sink_count)
  load=$(smtp_load "${port[$side]}" "$sessions" 10 4096)
  # That side's backlog reaches its sink before the other side is measured.
  wait_for_sink $((before + $(load_field accepted "$load"))) 0.1
  echo "$side medians of $((2 * rounds)) bursts: accepted $(side_median $side 1) msg/s, end to end $(side_median $side 2) msg/s, proxy $(side_median $side 3) us, machine $(side_median $side 4) us a message; $(echo "$load" | grep -o 'p50=[^ ]* p99=[^ ]*'); peak RSS $(hwm_mb "${pid[$side]}") MB"
done

#!/usr/bin/env bash
# The SES path, process by process: smtp-source sends [bursts] bursts of [messages] 4 KB messages over 20
# sessions to a proxy that relays them through the SES provider to the local SES sandbox; after each burst
# the script waits until the sandbox has them all. Then [latency_runs] runs of SmtpLoad's 20 sessions (15 s
# each, the backlog delivered before the next).
#   bench/ses/run.sh [messages] [bursts] [latency_runs] [-- --Section:Key=value ...]   (defaults 5000 8 3)
# Per burst: accepted msg/s (smtp-source finished), end to end msg/s (the sandbox has them all), and the CPU
# a message of the proxy, of the sandbox and of the whole machine, in us; per latency run, SmtpLoad's line
# (end of DATA to 250, p50 / p99). The sandbox keeps nothing, as in compare/ (SesSandbox:Store=false); with
# SANDBOX_STORE=1 it stores each message in SANDBOX_DIR (default /dev/shm; give a folder on the spool's file
# system to see what its files cost there). The proxy runs 32 deliveries, as in compare/. Needs Debian's
# postfix package (smtp-source).
set -euo pipefail
cd "$(dirname "$0")/../.."
messages=${1:-5000}; bursts=${2:-8}; latency_runs=${3:-3}; shift $(( $# < 3 ? $# : 3 )); [ "${1:-}" = -- ] && shift
work=$(mktemp -d /tmp/sfp-ses.XXXX)
. bench/lib.sh
sandbox_work=$(sandbox_scratch ses)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; rm -rf "$sandbox_work"' EXIT

dotnet build -c Release src/SmtpFailoverProxy >/dev/null
dotnet build -c Release bench/load >/dev/null
proxy_dll=${proxy_dll:-src/SmtpFailoverProxy/bin/Release/net10.0/smtp-proxy.dll}
sandbox_port=$(free_port)
dotnet "$proxy_dll" ses-sandbox --port "$sandbox_port" --SesSandbox:Path="$sandbox_work/box" --SesSandbox:MaxSendRate=1000000 \
  --SesSandbox:Store="$([ "${SANDBOX_STORE:-0}" = 1 ] && echo true || echo false)" > "$work/sandbox.log" 2>&1 &
sandbox_pid=$!; pids+=("$sandbox_pid")
# Port 0: start_proxy's SMTP provider, left out of the routing.
start_proxy 0 --Routing:Order:0=ses --Providers:ses:Type=ses --Providers:ses:Region=ap-northeast-2 \
  --Providers:ses:ServiceUrl="http://127.0.0.1:$sandbox_port" --Providers:ses:AccessKeyId=sandbox \
  --Providers:ses:SecretAccessKey=sandbox-secret --Spool:DeliveryConcurrency=32 "$@"
wait_http "http://127.0.0.1:$sandbox_port/_sandbox"
sent() { sandbox_sent "$sandbox_port"; }

echo "$(machine) messages=$messages bursts=$bursts sandbox store=${SANDBOX_STORE:-0} in $(dirname "$sandbox_work")"
total=0
for burst in $(seq 1 "$bursts"); do
  p0=$(proxy_cpu); s0=$(stat_jiffies "/proc/$sandbox_pid/stat"); m0=$(machine_jiffies); t0=$(now)
  smtp-source -d -s 20 -m "$messages" -l 4096 -f bench@example.com -t sink@example.com "127.0.0.1:$smtp_port"
  t1=$(now); total=$((total + messages))
  wait_for_count sent "$total" 0.02
  t2=$(now); p1=$(proxy_cpu); s1=$(stat_jiffies "/proc/$sandbox_pid/stat"); m1=$(machine_jiffies)
  python3 -c "n = $messages; print(f'burst $burst: accepted {n/($t1-$t0):.0f}, end to end {n/($t2-$t0):.0f} msg/s; CPU us/msg: proxy {($p1-$p0)*1e4/n:.0f}, sandbox {($s1-$s0)*1e4/n:.0f}, machine {($m1-$m0)*1e4/n:.0f}')"
done
for run in $(seq 1 "$latency_runs"); do
  load=$(smtp_load "$smtp_port" 20 15 4096); echo "latency $run: $load"
  total=$((total + $(load_field accepted "$load")))
  wait_for_count sent "$total" 0.1
done

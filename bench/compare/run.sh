#!/usr/bin/env bash
# The same load, three ways, on loopback, to Postfix's smtp-sink:
#   1. limit:   smtp-source -> smtp-sink                              (no relay at all)
#   2. postfix: smtp-source -> Postfix smart host (disk queue) -> smtp-sink
#   3. proxy:   smtp-source -> smtp-proxy (spool, fsync on) -> smtp-sink      (SMTP provider)
# (The SES path through the SES sandbox is not measured here yet.)
#   bench/compare/run.sh [messages] [sessions] [size] [repeats]     (defaults 5000 20 4096 3)
# Needs root and Debian's postfix package (smtp-source, smtp-sink, postfix); it reconfigures the system
# Postfix instance for the run and restores main.cf and master.cf afterwards. Prints medians and ratios.
set -euo pipefail
cd "$(dirname "$0")/../.."
messages=${1:-5000}; sessions=${2:-20}; size=${3:-4096}; repeats=${4:-3}
work=$(mktemp -d /tmp/sfp-compare.XXXX)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
cpu_jiffies() { awk '/^cpu /{print $2+$3+$4+$7+$8}' /proc/stat; }
now() { date +%s.%N; }
sink_count() { tr '\r' '\n' < "$1" | grep -o 'mesg=[0-9]*' | tail -1 | cut -d= -f2; }
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; declare -F restore_postfix >/dev/null && restore_postfix' EXIT

dotnet build -c Release src/SmtpFailoverProxy >/dev/null
dotnet build -c Release bench/load >/dev/null

# One run: start a fresh sink, push $messages with smtp-source to $1 (host:port), wait for the sink.
# Prints: accept_rate e2e_rate cpu_seconds
run_once() {
  local target=$1 sink_port=$2 sink_out=$3
  local before_sink; before_sink=$(sink_count "$sink_out"); before_sink=${before_sink:-0}
  local cpu0; cpu0=$(cpu_jiffies)
  local t0; t0=$(now)
  smtp-source -d -s "$sessions" -m "$messages" -l "$size" -f bench@example.com -t sink@example.com "$target"
  local t1; t1=$(now)
  local deadline=$((SECONDS + 300))
  while :; do
    local n; n=$(sink_count "$sink_out"); n=${n:-0}
    [ $((n - before_sink)) -ge "$messages" ] && break
    [ $SECONDS -gt $deadline ] && { echo "timeout: sink has $((n - before_sink))" >&2; break; }
    sleep 0.05
  done
  local t2; t2=$(now)
  local cpu1; cpu1=$(cpu_jiffies)
  python3 -c "print(f'{$messages/($t1-$t0):.0f} {$messages/($t2-$t0):.0f} {($cpu1-$cpu0)/100:.1f}')"
}

sink_port=$(free_port)
smtp-sink -c -u nobody 127.0.0.1:"$sink_port" 4096 > "$work/sink.out" 2>&1 & pids+=($!)
sleep 0.5

# --- Postfix smart host: the system instance, reconfigured for the run and restored afterwards
# (Postfix refuses private config directories that the default main.cf does not list).
pf_port=$(free_port)
cp /etc/postfix/main.cf "$work/main.cf.orig"; cp /etc/postfix/master.cf "$work/master.cf.orig"
restore_postfix() { postfix stop >/dev/null 2>&1 || true; cp "$work/main.cf.orig" /etc/postfix/main.cf; cp "$work/master.cf.orig" /etc/postfix/master.cf; }
postconf -e "inet_interfaces = 127.0.0.1" "inet_protocols = ipv4" "mydestination =" "mynetworks = 127.0.0.0/8" \
  "relayhost = [127.0.0.1]:$sink_port" "smtpd_relay_restrictions = permit_mynetworks, reject" \
  "default_destination_concurrency_limit = $sessions" "smtp_connection_cache_on_demand = yes"
sed -i "s/^smtp      inet  n       -       y       -       -       smtpd/127.0.0.1:$pf_port inet n - y - - smtpd/" /etc/postfix/master.cf
postfix stop >/dev/null 2>&1 || true
postfix start >/dev/null
for _ in $(seq 1 100); do (echo > /dev/tcp/127.0.0.1/$pf_port) 2>/dev/null && break; sleep 0.1; done

# --- The proxy, relaying to the sink through the SMTP provider.
px_port=$(free_port); px_admin=$(free_port)
echo '{}' > "$work/empty.json"
dotnet src/SmtpFailoverProxy/bin/Release/net10.0/smtp-proxy.dll --config "$work/empty.json" \
  --Smtp:Listen=127.0.0.1:"$px_port" --Admin:Listen=127.0.0.1:"$px_admin" \
  --Spool:Path="$work/spool" --State:Path="$work/state" --Spool:DeliveryConcurrency=32 \
  --Routing:Order:0=sink --Providers:sink:Type=smtp --Providers:sink:Host=127.0.0.1 --Providers:sink:Port="$sink_port" \
  --Providers:sink:Security=None --Providers:sink:MaxConnections=16 --Serilog:MinimumLevel:Default=Warning > "$work/proxy.log" 2>&1 & pids+=($!)
proxy_pid=$!
until curl -sf "http://127.0.0.1:$px_admin/health" >/dev/null; do sleep 0.2; done

declare -A results
for path in limit postfix proxy; do
  case $path in
    limit) target=127.0.0.1:$sink_port ;;
    postfix) target=127.0.0.1:$pf_port ;;
    proxy) target=127.0.0.1:$px_port ;;
  esac
  for r in $(seq 1 "$repeats"); do
    results[$path,$r]=$(run_once "$target" "$sink_port" "$work/sink.out")
    echo "$path run $r: accept/s e2e/s cpu-s = ${results[$path,$r]}"
  done
done

# Latency, end of DATA to 250, under the same number of sessions (SmtpLoad, 15 s).
lat_proxy=$(dotnet bench/load/bin/Release/net10.0/SmtpLoad.dll --port "$px_port" --connections "$sessions" --seconds 15 --size "$size" | grep -o 'p50=[^ ]* p99=[^ ]*')
lat_postfix=$(dotnet bench/load/bin/Release/net10.0/SmtpLoad.dll --port "$pf_port" --connections "$sessions" --seconds 15 --size "$size" | grep -o 'p50=[^ ]* p99=[^ ]*')
lat_limit=$(dotnet bench/load/bin/Release/net10.0/SmtpLoad.dll --port "$sink_port" --connections "$sessions" --seconds 15 --size "$size" | grep -o 'p50=[^ ]* p99=[^ ]*')
rss=$(grep VmHWM /proc/$proxy_pid/status | awk '{print int($2/1024)}')

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
col() { local path=$1 i=$2; for r in $(seq 1 "$repeats"); do echo "${results[$path,$r]}" | awk -v i="$i" '{print $i}'; done; }
echo
echo "messages=$messages sessions=$sessions size=$size repeats=$repeats cores=$(nproc)"
printf '%-8s %12s %12s %10s  %s\n' path "accept msg/s" "e2e msg/s" "cpu s" "end-of-DATA->250"
for path in limit postfix proxy; do
  lat=lat_$path
  printf '%-8s %12s %12s %10s  %s\n' "$path" "$(median $(col $path 1))" "$(median $(col $path 2))" "$(median $(col $path 3))" "${!lat}"
done
pa=$(median $(col proxy 1)); pe=$(median $(col proxy 2)); fa=$(median $(col postfix 1)); fe=$(median $(col postfix 2)); la=$(median $(col limit 1)); le=$(median $(col limit 2))
python3 -c "print(f'proxy/postfix: accept {$pa/$fa:.2f}x, e2e {$pe/$fe:.2f}x; proxy/limit: accept {$pa/$la:.2f}, e2e {$pe/$le:.2f}; proxy peak RSS $rss MB')"

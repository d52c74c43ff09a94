#!/usr/bin/env bash
# The same load, four ways, on loopback:
#   limit:   smtp-source -> smtp-sink                                        (no relay at all)
#   postfix: smtp-source -> Postfix smart host (disk queue) -> smtp-sink
#   proxy:   smtp-source -> smtp-proxy (spool, fsync on) -> smtp-sink         (SMTP provider)
#   ses:     smtp-source -> smtp-proxy (spool, fsync on) -> local SES sandbox (SES provider, SESv2 HTTP API)
# in three scenarios: 20 sessions x 4 KB, 1 session x 4 KB, 20 sessions x 200 KB. Then the end-of-DATA to
# 250 latency under 20 sessions, and the SES pacing check (a backlog sent at the account's MaxSendRate).
#   bench/compare/run.sh [messages] [sessions] [size] [repeats]     (defaults 5000 20 4096 3)
# The 1-session scenario sends [messages] too (a fifth until 2026-12-01: a run of 0.15 s for the limit,
# where smtp-source's start and connection weighed); the 200 KB one a fifth. Every path is warmed up first with the
# three scenarios' loads, over and over for WARMUP_SECONDS (default 20): the proxy's JIT tiers up for 12 to
# 15 s of load; Postfix has nothing to warm, but gets the same.
# CONNECTION_PER_MESSAGE=1 drops smtp-source's -d: every message then comes on a connection of its own
# (connect, greeting, HELO, the transaction, QUIT), as an application that opens one per mail sends it.
# Needs root and Debian's postfix package (smtp-source, smtp-sink, postfix); it reconfigures the system
# Postfix instance for the run and restores main.cf and master.cf afterwards. Each round runs the four paths
# one after another. Prints medians, their ratios, and the ratios round by round.
set -euo pipefail
cd "$(dirname "$0")/../.."
messages=${1:-5000}; sessions=${2:-20}; size=${3:-4096}; repeats=${4:-3}
pacing_rate=${PACING_RATE:-50}
# PROXY_DEFAULTS=1 runs the proxies with the default deliveries (8) and connections (4) instead of 32 and 16.
deliveries=(--Spool:DeliveryConcurrency=32); connections=(--Providers:sink:MaxConnections=16)
[ "${PROXY_DEFAULTS:-0}" = 1 ] && deliveries=() && connections=()
work=$(mktemp -d /tmp/sfp-compare.XXXX)
# The SES sandbox of the scenarios and the latency run keeps nothing (SesSandbox:Store=false: each send checked,
# counted and answered), as smtp-sink keeps nothing: storing each message cost it about 50 us of the 2 cores a
# message even on tmpfs, and the SES path's p99 9.3 to 10.6 ms against 5.5 to 6.3 (2026-12-03,
# bench/RESULTS.md). The pacing check's sandbox keeps its messages, for their ReceivedAt times, on tmpfs
# (sandbox_scratch: SANDBOX_DIR, default /dev/shm), as SES keeps them on machines of its own: on the spool's
# file system every syncfs of the proxy also wrote the sandbox's new files out.
. bench/lib.sh # persistent, free_port, start_sink, wait_listening, sink_count, now, median, wait_http, sandbox_sent, sandbox_scratch, machine_jiffies
sandbox_work=$(sandbox_scratch compare)
ses_count() { sandbox_sent "$ses_sandbox"; }
# arrived: how far the function named by $counter has grown since $before (both the caller's locals).
arrived() { echo $(($($counter) - before)); }
pids=()
trap 'kill "${pids[@]}" ${sampler_pid:-} 2>/dev/null || true; rm -rf "$sandbox_work"; declare -F restore_postfix >/dev/null && restore_postfix' EXIT

dotnet build -c Release src/SmtpFailoverProxy >/dev/null
dotnet build -c Release bench/load >/dev/null
proxy_dll=src/SmtpFailoverProxy/bin/Release/net10.0/smtp-proxy.dll
echo '{}' > "$work/empty.json"

# One run: push $2 messages of $4 bytes over $3 sessions with smtp-source to $1 (host:port) and wait until
# the counter $5 (a function) has grown by $2. Prints: accept_rate e2e_rate cpu_seconds. Called in a
# command substitution, it stops only its subshell when the messages do not all arrive: callers add || exit.
run_once() {
  local target=$1 count=$2 sess=$3 bytes=$4 counter=$5
  local before; before=$($counter)
  local cpu0; cpu0=$(machine_jiffies)
  local t0; t0=$(now)
  smtp-source $persistent -s "$sess" -m "$count" -l "$bytes" -f bench@example.com -t sink@example.com "$target"
  local t1; t1=$(now)
  wait_for_count arrived "$count" 0.02 # after 600 s it says how many arrived and stops the run
  local t2; t2=$(now)
  local cpu1; cpu1=$(machine_jiffies)
  python3 -c "print(f'{$count/($t1-$t0):.0f} {$count/($t2-$t0):.0f} {($cpu1-$cpu0)/100:.1f}')"
}

start_sink; sink_pid=${pids[-1]}

# --- Postfix smart host: the system instance, reconfigured for the run and restored afterwards
# (Postfix refuses private config directories that the default main.cf does not list).
pf_port=$(free_port)
cp /etc/postfix/main.cf "$work/main.cf.orig"; cp /etc/postfix/master.cf "$work/master.cf.orig"
restore_postfix() { postfix stop >/dev/null 2>&1 || true; cp "$work/main.cf.orig" /etc/postfix/main.cf; cp "$work/master.cf.orig" /etc/postfix/master.cf; }
postconf -e "inet_interfaces = 127.0.0.1" "inet_protocols = ipv4" "mydestination =" "mynetworks = 127.0.0.0/8" \
  "relayhost = [127.0.0.1]:$sink_port" "smtpd_relay_restrictions = permit_mynetworks, reject" \
  "default_destination_concurrency_limit = $sessions" "smtp_connection_cache_on_demand = yes" "message_size_limit = 52428800"
sed -i "s/^smtp      inet  n       -       y       -       -       smtpd/127.0.0.1:$pf_port inet n - y - - smtpd/" /etc/postfix/master.cf
postfix stop >/dev/null 2>&1 || true
postfix start >/dev/null
wait_listening "$pf_port"
# Postfix is many processes that come and go: their proportional set sizes (PSS: each shared page counted
# once over all of them), summed, sampled every 0.2 s; the peak.
postfix_rss_kb() {
  local master total=0 p v; master=$(tr -d ' ' < "$(postconf -h queue_directory)/pid/master.pid")
  for p in $master $(pgrep -P "$master"); do v=$(awk '/^Pss:/{print $2}' "/proc/$p/smaps_rollup" 2>/dev/null); total=$((total + ${v:-0})); done
  echo "$total"
}
# Sampled only while Postfix is under load: the sampler spawns a dozen processes every 0.2 s, which took
# CPU from whichever path was being measured.
sampler_pid=
start_postfix_sampler() {
  ( peak=$(cat "$work/postfix-peak" 2>/dev/null || echo 0)
    while sleep 0.2; do r=$(postfix_rss_kb); if [ "$r" -gt "$peak" ]; then peak=$r; echo "$peak" > "$work/postfix-peak"; fi; done ) &
  sampler_pid=$!
}
stop_postfix_sampler() { kill "$sampler_pid" 2>/dev/null || true; wait "$sampler_pid" 2>/dev/null || true; sampler_pid=; }
# Around each path's work: the sampler runs for Postfix's.
begin_path() { if [ "$1" = postfix ]; then start_postfix_sampler; fi; }
end_path() { if [ -n "$sampler_pid" ]; then stop_postfix_sampler; fi; }

# --- The proxy, relaying to the sink through the SMTP provider.
px_port=$(free_port); px_admin=$(free_port)
dotnet "$proxy_dll" --config "$work/empty.json" \
  --Smtp:Listen=127.0.0.1:"$px_port" --Admin:Listen=127.0.0.1:"$px_admin" \
  --Spool:Path="$work/spool" --State:Path="$work/state" ${deliveries[@]+"${deliveries[@]}"} \
  --Routing:Order:0=sink --Providers:sink:Type=smtp --Providers:sink:Host=127.0.0.1 --Providers:sink:Port="$sink_port" \
  --Providers:sink:Security=None ${connections[@]+"${connections[@]}"} --Serilog:MinimumLevel:Default=Warning > "$work/proxy.log" 2>&1 & pids+=($!)
proxy_pid=$!

# --- The SES sandbox (SESv2 HTTP API, SigV4 checked) and a proxy sending to it through the SES provider.
# start_ses NAME MAX_SEND_RATE STORE: sets ${NAME}_pid (the proxy), ${NAME}_sandbox, ${NAME}_port (SMTP) and
# ${NAME}_admin; STORE (true or false) is the sandbox's SesSandbox:Store.
start_ses() {
  local name=$1 rate=$2 store=$3 sandbox port admin
  sandbox=$(free_port); port=$(free_port); admin=$(free_port)
  dotnet "$proxy_dll" ses-sandbox --port "$sandbox" --SesSandbox:Path="$sandbox_work/$name" --SesSandbox:MaxSendRate="$rate" \
    --SesSandbox:Store="$store" > "$work/$name-sandbox.log" 2>&1 & pids+=($!)
  dotnet "$proxy_dll" --config "$work/empty.json" \
    --Smtp:Listen=127.0.0.1:"$port" --Admin:Listen=127.0.0.1:"$admin" \
    --Spool:Path="$work/spool-$name" --State:Path="$work/state-$name" ${deliveries[@]+"${deliveries[@]}"} \
    --Routing:Order:0=ses --Providers:ses:Type=ses --Providers:ses:Region=ap-northeast-2 \
    --Providers:ses:ServiceUrl="http://127.0.0.1:$sandbox" --Providers:ses:AccessKeyId=sandbox --Providers:ses:SecretAccessKey=sandbox-secret \
    --Serilog:MinimumLevel:Default=Warning > "$work/proxy-$name.log" 2>&1 & pids+=($!)
  printf -v "${name}_pid" %s "$!"
  printf -v "${name}_sandbox" %s "$sandbox"; printf -v "${name}_port" %s "$port"; printf -v "${name}_admin" %s "$admin"
}
# A MaxSendRate far above what the machine can do, so the pacer never holds these runs back.
start_ses ses 1000000 false
wait_http "http://127.0.0.1:$px_admin/health"; wait_http "http://127.0.0.1:$ses_admin/health"

paths=(limit postfix proxy ses)
target_of() { case $1 in limit) echo "127.0.0.1:$sink_port";; postfix) echo "127.0.0.1:$pf_port";; proxy) echo "127.0.0.1:$px_port";; ses) echo "127.0.0.1:$ses_port";; esac; }
counter_of() { [ "$1" = ses ] && echo ses_count || echo sink_count; }

scenarios=("${sessions}x$((size / 1024))KB $sessions $messages $size" "1x$((size / 1024))KB 1 $messages $size" "${sessions}x200KB $sessions $((messages / 5)) 204800")

# The runtime's JIT goes on compiling for 12 to 15 s of load after start (tiered compilation with dynamic
# PGO: bench/warmup/run.sh, the JIT threads' CPU time under a steady 20-session load). Three rounds of the first
# scenario, the warm-up until 2026-12-01, were 3 to 4 s of load and left the proxy measured half
# compiled. Each path now runs the three scenarios' loads over and over for WARMUP_SECONDS (default 20),
# so the runs measure the steady state of a proxy that has been up for a while, as in service.
for path in "${paths[@]}"; do
  begin_path "$path"
  warm_until=$((SECONDS + ${WARMUP_SECONDS:-20}))
  while [ $SECONDS -lt $warm_until ]; do
    for scenario in "${scenarios[@]}"; do
      read -r name sess count bytes <<< "$scenario"
      run_once "$(target_of $path)" "$count" "$sess" "$bytes" "$(counter_of $path)" > /dev/null
    done
  done
  end_path
  echo "warmed up: $path"
done
# Interleaved: each round runs every path once, one right after another, so a fast or slow minute of the
# host (the limit alone ran 13,000 to 23,000 msg/s across one evening) falls on all paths of that round
# alike, instead of on one path's runs and not the others'. Until 2026-12-02 each path ran its repeats
# in a row.
declare -A results
for scenario in "${scenarios[@]}"; do
  read -r name sess count bytes <<< "$scenario"
  for r in $(seq 1 "$repeats"); do
    for path in "${paths[@]}"; do
      begin_path "$path"
      results[$name,$path,$r]=$(run_once "$(target_of $path)" "$count" "$sess" "$bytes" "$(counter_of $path)") || exit 1
      end_path
      echo "$name $path run $r: accept/s e2e/s cpu-s = ${results[$name,$path,$r]}"
    done
  done
done

# Latency, end of DATA to 250, under the same number of sessions (SmtpLoad, 15 s). Each path's backlog
# is delivered before the next path is measured, so no path pays for another's queue.
declare -A latency
for path in "${paths[@]}"; do
  port=$(target_of $path); port=${port##*:}
  counter=$(counter_of $path); before=$($counter)
  begin_path "$path"
  load=$(smtp_load "$port" "$sessions" 15 "$size")
  latency[$path]=$(echo "$load" | grep -o 'p50=[^ ]* p99=[^ ]*')
  accepted=$(load_field accepted "$load")
  wait_for_count arrived "$accepted" 0.2
  end_path
done
rss="limit (smtp-sink) $(hwm_mb "$sink_pid") MB, postfix (PSS of master and children, summed) $(( $(cat "$work/postfix-peak" 2>/dev/null || echo 0) / 1024 )) MB, proxy $(hwm_mb "$proxy_pid") MB, proxy to SES $(hwm_mb "$ses_pid") MB (the sandbox not counted)"

# SES pacing: a sandbox whose account says MaxSendRate=$pacing_rate, a backlog of 10 seconds' worth, and
# the send times the sandbox recorded (ReceivedAt): the achieved rate and the most sends in any 1 s window.
start_ses pace "$pacing_rate" true
wait_http "http://127.0.0.1:$pace_admin/health"
# Warm both processes (their first requests JIT-compile), then forget those messages.
smtp-source -d -s 5 -m 20 -l "$size" -f bench@example.com -t sink@example.com "127.0.0.1:$pace_port"
pace_sent() { sandbox_sent "$pace_sandbox"; }
wait_for_count pace_sent 20 0.2 60
curl -s -X DELETE "http://127.0.0.1:$pace_sandbox/_sandbox/messages" > /dev/null
pace_count=$((pacing_rate * 10))
smtp-source -d -s "$sessions" -m "$pace_count" -l "$size" -f bench@example.com -t sink@example.com "127.0.0.1:$pace_port"
wait_for_count pace_sent $((pace_count + 20)) 0.2 120
pacing=$(python3 - "$sandbox_work/pace" "$pacing_rate" <<'EOF'
import json, os, sys
from datetime import datetime
folder, rate = sys.argv[1], float(sys.argv[2])
times = sorted(datetime.fromisoformat(json.load(open(os.path.join(folder, f)))["ReceivedAt"]).timestamp()
               for f in os.listdir(folder) if f.endswith(".json"))
achieved = (len(times) - 1) / (times[-1] - times[0])
j, most = 0, 0
for i, t in enumerate(times):
    while times[j] <= t - 1.0: j += 1
    most = max(most, i - j + 1)
print(f"MaxSendRate {rate:g}/s: {len(times)} sent, achieved {achieved:.2f}/s ({achieved / rate:.1%}), most in any 1 s window {most}")
EOF
)

col() { local name=$1 path=$2 i=$3; for r in $(seq 1 "$repeats"); do echo "${results[$name,$path,$r]}" | awk -v i="$i" '{print $i}'; done; }
echo
echo "$(machine) messages=$messages sessions=$sessions size=$size repeats=$repeats connection per message=${CONNECTION_PER_MESSAGE:-0} proxy defaults=${PROXY_DEFAULTS:-0} (medians)"
for scenario in "${scenarios[@]}"; do
  read -r name sess count bytes <<< "$scenario"
  echo
  echo "$name ($count messages)"
  printf '  %-8s %12s %12s %8s\n' path "accept msg/s" "e2e msg/s" "cpu s"
  for path in "${paths[@]}"; do
    printf '  %-8s %12s %12s %8s\n' "$path" "$(median $(col $name $path 1))" "$(median $(col $name $path 2))" "$(median $(col $name $path 3))"
  done
  python3 - "$(median $(col $name limit 1))" "$(median $(col $name limit 2))" "$(median $(col $name postfix 1))" "$(median $(col $name postfix 2))" \
    "$(median $(col $name proxy 1))" "$(median $(col $name proxy 2))" "$(median $(col $name ses 1))" "$(median $(col $name ses 2))" <<'EOF'
import sys
la, le, fa, fe, pa, pe, sa, se = map(float, sys.argv[1:])
print(f"  proxy/postfix: accept {pa/fa:.2f}x, e2e {pe/fe:.2f}x; proxy/limit: accept {pa/la:.2f}, e2e {pe/le:.2f}; ses/postfix: accept {sa/fa:.2f}x, e2e {se/fe:.2f}x")
EOF
  # The same ratios round by round (its paths measured minutes apart at most): how far the host moved them.
  by_round=()
  for r in $(seq 1 "$repeats"); do
    by_round+=("$(python3 -c 'import sys; l, f, p = (s.split() for s in sys.argv[1:]); print(f"{float(p[0])/float(l[0]):.2f} / {float(p[1])/float(l[1]):.2f}, {float(p[1])/float(f[1]):.2f}x")' \
      "${results[$name,limit,$r]}" "${results[$name,postfix,$r]}" "${results[$name,proxy,$r]}")")
  done
  printf '  by round, proxy/limit accept / e2e, proxy/postfix e2e:'; printf ' [%s]' "${by_round[@]}"; echo
done
echo
echo "end of DATA -> 250, $sessions sessions, ${size} bytes (SmtpLoad, 15 s):"
for path in "${paths[@]}"; do printf '  %-8s %s\n' "$path" "${latency[$path]}"; done
echo "peak RSS: $rss"
echo "SES pacing: $pacing"

# Sourced by the bench scripts: a free loopback port, smtp-sink, and the proxy (Release) relaying to one SMTP upstream.
# Run from the repository root, with $work set to a scratch folder and a pids array for the EXIT trap.

# machine: the date, the cores and how idle cores sleep (the cpuidle driver, and haltpoll's guest_halt_poll_ns where
# there is one), for a result's first line: every 1-session figure moves with it (bench/RESULTS.md, "The host's idle cores").
machine() {
  local idle halt=/sys/module/haltpoll/parameters/guest_halt_poll_ns
  idle=$(cat /sys/devices/system/cpu/cpuidle/current_driver 2>/dev/null || echo none)
  [ -r "$halt" ] && idle="$idle guest_halt_poll_ns=$(cat "$halt")"
  echo "$(date -u +%F) cores=$(nproc) cpuidle=$idle"
}

# smtp_load PORT CONNECTIONS SECONDS SIZE: bench/load's SmtpLoad against 127.0.0.1:PORT (the script builds it first:
# dotnet build -c Release bench/load); prints its line: connections=... accepted=N errors=N rate=N msg/s p50=...ms
# p99=...ms max=...ms
smtp_load() { dotnet bench/load/bin/Release/net10.0/SmtpLoad.dll --port "$1" --connections "$2" --seconds "$3" --size "$4"; }
# load_field NAME LINE: one field of SmtpLoad's line, e.g. load_field accepted "$load".
load_field() { echo "$2" | grep -o "$1=[^ ]*" | cut -d= -f2; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# persistent: smtp-source's -d (each session sends its messages one after another on one connection), or nothing
# when CONNECTION_PER_MESSAGE=1 asks for a connection for every message; for `smtp-source $persistent ...`.
persistent=-d; [ "${CONNECTION_PER_MESSAGE:-0}" = 1 ] && persistent=

# sink_count: the messages smtp-sink -c has counted so far ($work/sink.out). It appends "... mesg=N\r" for every
# message, so the file grows by megabytes over a run: only its tail is read. (Reading it whole took up to half a
# second of CPU per look late in a run, on the machine being measured, and made every end-to-end time a
# look late.)
sink_count() { local n; n=$(tail -c 200 "$work/sink.out" | tr '\r' '\n' | grep -o 'mesg=[0-9]*' | tail -1 | cut -d= -f2); echo "${n:-0}"; }

# wait_until LIMIT PAUSE COMMAND...: returns 0 once COMMAND succeeds, trying every PAUSE seconds; 1 after
# LIMIT seconds without. The waits below are it, with what each says when it gives up (and exits).
wait_until() {
  local deadline=$((SECONDS + $1)) pause=$2; shift 2
  until "$@"; do
    [ $SECONDS -gt $deadline ] && return 1
    sleep "$pause"
  done
}

# wait_for_count COUNTER COUNT [PAUSE] [LIMIT]: returns once the function COUNTER prints COUNT or more, looking
# every PAUSE seconds (default 0.05); after LIMIT seconds (default 600) it says how far COUNTER got and exits.
count_reached() { [ "$($1)" -ge "$2" ]; } # count_reached COUNTER COUNT
wait_for_count() {
  wait_until "${4:-600}" "${3:-0.05}" count_reached "$1" "$2" || { echo "timeout: $1 says $($1) of $2" >&2; exit 1; }
}

# wait_for_sink COUNT [PAUSE]: wait_for_count with sink_count.
wait_for_sink() { wait_for_count sink_count "$@"; }

# wait_http URL: returns once URL answers with a success (after 60 s it says so and exits).
wait_http() { wait_until 60 0.2 curl -sf -o /dev/null "$1" || { echo "no answer from $1" >&2; exit 1; }; }

# sandbox_sent PORT: how many messages the local SES sandbox on PORT has taken (0 before it answers).
sandbox_sent() { local n; n=$(curl -s "http://127.0.0.1:$1/_sandbox" | grep -o '"Sent":[0-9]*' | cut -d: -f2); echo "${n:-0}"; }

# sandbox_scratch NAME: a new folder for a local SES sandbox's messages under SANDBOX_DIR (default /dev/shm, tmpfs,
# as SES keeps them on machines of its own; $work where that folder is missing); prints its path. The caller
# removes it at exit: tmpfs is memory.
sandbox_scratch() {
  local root=${SANDBOX_DIR:-/dev/shm}; [ -d "$root" ] || root=$work
  mktemp -d "$root/sfp-$1-sandbox.XXXX"
}

now() { date +%s.%N; } # seconds since the epoch, to the nanosecond

# median VALUE...: the middle value, or the mean of the middle two for an even count.
median() { printf '%s\n' "$@" | sort -n | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }

# stat_jiffies STAT_FILE: the user + system CPU jiffies in a /proc/.../stat file, its fields counted from the
# parenthesis that closes the name (a thread's name may hold spaces). proxy_cpu: the proxy's, so far.
stat_jiffies() { sed 's/.*) //' "$1" | awk '{print $12 + $13}'; }
proxy_cpu() { stat_jiffies "/proc/$proxy_pid/stat"; }
# machine_jiffies: the CPU jiffies every process and kernel thread has used so far, over all cores (/proc/stat's
# user, nice, system, irq and softirq; not idle, iowait, nor steal, the time the host ran someone else).
machine_jiffies() { awk '/^cpu /{print $2 + $3 + $4 + $7 + $8}' /proc/stat; }
# hwm_mb PID: the process's peak RSS (VmHWM) so far, in whole MB.
hwm_mb() { awk '/VmHWM/{print int($2/1024)}' "/proc/$1/status"; }
# context_switches: the machine's context switches so far (/proc/stat's ctxt), every process and thread.
context_switches() { awk '/^ctxt/{print $2}' /proc/stat; }

# start_sink [BACKLOG]: Postfix's smtp-sink on a free port (sink_port), counting messages into $work/sink.out
# (see sink_count); BACKLOG is its listen queue (default 4096). Returns once it listens.
start_sink() {
  sink_port=$(free_port)
  smtp-sink -c -u nobody 127.0.0.1:"$sink_port" "${1:-4096}" > "$work/sink.out" 2>&1 &
  pids+=($!)
  wait_listening "$sink_port"
}
# wait_listening PORT: returns once a connection to 127.0.0.1:PORT is taken (after 10 s it says so and exits).
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; } # port_open PORT
wait_listening() {
  wait_until 10 0.05 port_open "$1" || { echo "nothing listens on 127.0.0.1:$1" >&2; exit 1; }
}

# start_proxy UPSTREAM_PORT [--Section:Key=value ...]: starts the proxy (the Release build, or $proxy_dll when
# set) with an empty config file, its spool and state under $work, relaying to 127.0.0.1:UPSTREAM_PORT (plain
# SMTP) as provider "upstream"; the arguments after the port come last and override. The variables of the
# array proxy_env (VAR=value), when set, reach the proxy alone. Sets smtp_port, admin_port and proxy_pid,
# and returns once /health answers.
start_proxy() {
  local upstream_port=$1; shift
  smtp_port=$(free_port); admin_port=$(free_port)
  echo '{}' > "$work/empty.json"
  env ${proxy_env[@]+"${proxy_env[@]}"} dotnet "${proxy_dll:-src/SmtpFailoverProxy/bin/Release/net10.0/smtp-proxy.dll}" --config "$work/empty.json" \
    --Smtp:Listen=127.0.0.1:"$smtp_port" --Admin:Listen=127.0.0.1:"$admin_port" \
    --Spool:Path="$work/spool" --State:Path="$work/state" \
    --Routing:Order:0=upstream --Providers:upstream:Type=smtp --Providers:upstream:Host=127.0.0.1 \
    --Providers:upstream:Port="$upstream_port" --Providers:upstream:Security=None \
    --Serilog:MinimumLevel:Default=Warning "$@" > "$work/proxy.log" 2>&1 &
  proxy_pid=$!
  pids+=("$proxy_pid")
  until curl -sf "http://127.0.0.1:$admin_port/health" >/dev/null; do
    kill -0 "$proxy_pid" 2>/dev/null || { echo "the proxy did not start:" >&2; cat "$work/proxy.log" >&2; exit 1; }
    sleep 0.2
  done
}

# build_variant VARIANT: a diagnostic build of the proxy (see bench/breakdown/variants.py; never shipped) from this
# checkout's src/, in $work/src/VARIANT and $work/bin/VARIANT; prints its DLL's path.
build_variant() {
  local variant=$1
  mkdir -p "$work/src/$variant"
  cp Directory.Build.props BannedSymbols.txt "$work/src/$variant/"
  tar -c --exclude=bin --exclude=obj src/SmtpFailoverProxy | tar -x -C "$work/src/$variant"
  # Each step returns on failure: errexit does not reach into the $(build_variant ...) that calls this, and a
  # variant whose edit failed must stop the benchmark rather than run the shipped code under the variant's name.
  python3 bench/breakdown/variants.py "$variant" "$work/src/$variant/src/SmtpFailoverProxy" >&2 || return 1
  dotnet build -c Release "$work/src/$variant/src/SmtpFailoverProxy" -o "$work/bin/$variant" >/dev/null || return 1
  echo "$work/bin/$variant/smtp-proxy.dll"
}

# spool_slots SPOOL_PATH: prints "QUEUED FREE", the slots of spool/slots/ whose header says queued (SFP4 Q)
# and those kept for reuse (anything else: marked free, or never written).
spool_slots() {
  python3 - "$1/slots" <<'PY'
import os, sys
queued = free = 0
for entry in os.scandir(sys.argv[1]):
    if not entry.name.endswith(".slot"): continue
    with open(entry.path, "rb") as f:
        if f.read(6) == b"SFP4 Q": queued += 1
        else: free += 1
print(queued, free)
PY
}

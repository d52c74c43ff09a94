#!/usr/bin/env bash
# Memory: issue 6's two RSS targets, and the same large-message case through the SES provider.
#   bench/memory/run.sh [connections] [size] [ses_size]     (defaults 1000 52428800 40000000)
# 1. idle:    [connections] connections to a fresh proxy, each greeted and past EHLO, all held open at once;
#             the proxy's RSS before, with all of them open, and its peak (VmHWM): the whole process.
# 2. big:     one [size]-byte message (smtp-source -l) in through SMTP and out to smtp-sink, on a fresh proxy
#             warmed up with a 4 KB and a 1 MB message; VmHWM before it and once the sink has it.
# 3. ses-big: the same through the SES provider to the local SES sandbox (SES takes raw messages up to 40 MB).
# Needs: apt-get install postfix (smtp-sink, smtp-source), python3.
set -euo pipefail
cd "$(dirname "$0")/../.."
connections=${1:-1000}; size=${2:-52428800}; ses_size=${3:-40000000}
work=$(mktemp -d)
. bench/lib.sh
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true # the client holds a descriptor per connection (the .NET runtime raises its own limit)

dotnet build -c Release src/SmtpFailoverProxy >/dev/null
proxy_dll=src/SmtpFailoverProxy/bin/Release/net10.0/smtp-proxy.dll
status_mb() { awk -v key="$2:" '$1 == key {printf "%.1f", $2 / 1024}' "/proc/$1/status"; } # status_mb PID VmRSS|VmHWM
stop_proxy() { kill "$proxy_pid"; wait "$proxy_pid" 2>/dev/null || true; }
# Big enough for the largest message, and room for a thousand connections from one address.
limits=(--Smtp:MaxMessageSize=$((size > ses_size ? size + 1048576 : ses_size + 1048576))
        --Smtp:MaxConnections=$((connections + 100)) --Smtp:MaxConnectionsPerClient=$((connections + 100)))
# send SIZE PORT: one message of SIZE bytes over one session.
send() { smtp-source -s 1 -m 1 -l "$1" -f bench@example.com -t sink@example.com "127.0.0.1:$2"; }

start_sink

# --- 1. idle connections
start_proxy "$sink_port" "${limits[@]}"
send 4096 "$smtp_port"; wait_for_sink 1
rss_before=$(status_mb "$proxy_pid" VmRSS)
# The client opens every connection, reads the greeting, says EHLO and reads the reply, then says "open" and
# holds them all until its stdin closes.
idle_client=$(cat <<'PY'
import socket, sys
port, count = int(sys.argv[1]), int(sys.argv[2])
def reply(f):
    while True:
        line = f.readline()
        if not line: raise SystemExit("closed by the proxy")
        if line[3:4] != b"-": return line
held = []
for _ in range(count):
    s = socket.create_connection(("127.0.0.1", port))
    f = s.makefile("rb")
    if not reply(f).startswith(b"220"): raise SystemExit("no 220 greeting")
    s.sendall(b"EHLO bench.example\r\n")
    if not reply(f).startswith(b"250"): raise SystemExit("EHLO refused")
    held.append((s, f))
print("open", len(held), flush=True)
sys.stdin.read()
PY
)
coproc idle { python3 -c "$idle_client" "$smtp_port" "$connections"; }
read -r word open_count <&"${idle[0]}" || { echo "the idle client failed" >&2; exit 1; }
[ "$word" = open ] || { echo "the idle client said: $word" >&2; exit 1; }
rss_open=$(status_mb "$proxy_pid" VmRSS); hwm_open=$(status_mb "$proxy_pid" VmHWM)
idle_in=${idle[1]}; eval "exec $idle_in>&-"; wait "$idle_PID" 2>/dev/null || true
stop_proxy
echo "idle: $open_count connections greeted and past EHLO; proxy RSS $rss_before MB before, $rss_open MB with them open, peak (VmHWM) $hwm_open MB (target: under 150 MB); $(awk -v a="$rss_before" -v b="$rss_open" -v n="$open_count" 'BEGIN {printf "%.1f", (b - a) * 1024 / n}') KB a connection"

# --- 2. and 3. one large message: the peak before and after
# big LABEL PORT COUNTER BYTES: warms the path with a 4 KB and a 1 MB message, then sends one of BYTES.
big() {
  local label=$1 port=$2 counter=$3 bytes=$4 base before after
  base=$($counter)
  send 4096 "$port"; send 1048576 "$port"
  wait_for_count "$counter" $((base + 2)) 0.05 300
  before=$(status_mb "$proxy_pid" VmHWM)
  send "$bytes" "$port"
  wait_for_count "$counter" $((base + 3)) 0.05 300
  after=$(status_mb "$proxy_pid" VmHWM)
  echo "$label: one $bytes-byte message; proxy peak RSS $before MB before, $after MB after: +$(awk -v a="$before" -v b="$after" 'BEGIN {printf "%.1f", b - a}') MB (target: under 16 MB)"
}

start_proxy "$sink_port" "${limits[@]}"
big big "$smtp_port" sink_count "$size"
stop_proxy

sandbox_port=$(free_port)
dotnet "$proxy_dll" ses-sandbox --port "$sandbox_port" --SesSandbox:Path="$work/sandbox" > "$work/sandbox.log" 2>&1 & pids+=($!)
wait_http "http://127.0.0.1:$sandbox_port/_sandbox"
ses_sent() { sandbox_sent "$sandbox_port"; }
start_proxy "$sink_port" "${limits[@]}" --Routing:Order:0=ses --Providers:ses:Type=ses --Providers:ses:Region=ap-northeast-2 \
  --Providers:ses:ServiceUrl="http://127.0.0.1:$sandbox_port" --Providers:ses:AccessKeyId=sandbox \
  --Providers:ses:SecretAccessKey=sandbox-secret
big ses-big "$smtp_port" ses_sent "$ses_size"
stop_proxy
rm -rf "$work"

#!/usr/bin/env bash
# Plain sessions beside TLS handshakes: SmtpLoad's 20 plain sessions (4 KB messages, end of DATA to 250)
# for [seconds], alone and then while [threads] clients do STARTTLS handshakes in a loop (storm.py), to a
# proxy relaying to smtp-sink with a self-signed RSA 2048 certificate. Prints SmtpLoad's line for each and
# the handshakes per second.
#   bench/tls/run.sh [seconds] [threads] [rounds] [-- --Section:Key=value ...]   (defaults 10 4 3)
# Needs Debian's postfix package (smtp-sink), openssl and python3.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-10}; threads=${2:-4}; rounds=${3:-3}; shift $(( $# < 3 ? $# : 3 )); [ "${1:-}" = -- ] && shift
work=$(mktemp -d /tmp/sfp-tls.XXXX)
. bench/lib.sh
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT

dotnet build -c Release src/SmtpFailoverProxy >/dev/null
dotnet build -c Release bench/load >/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/key.pem" -out "$work/cert.pem" -days 2 -subj /CN=localhost 2>/dev/null
start_sink
start_proxy "$sink_port" --Spool:DeliveryConcurrency=32 --Providers:upstream:MaxConnections=16 \
  --Smtp:TlsCertificate="$work/cert.pem" --Smtp:TlsKey="$work/key.pem" "$@"
load() { smtp_load "$smtp_port" 20 "$1" 4096 | grep -o 'rate=[^ ]*\|p50=[^ ]*\|p99=[^ ]*\|max=[^ ]*' | tr '\n' ' '; }

# Warm-up: the JIT, for both kinds of work.
load 15 > /dev/null
python3 bench/tls/storm.py "$smtp_port" "$threads" 5 > /dev/null
for r in $(seq 1 "$rounds"); do
  echo "round $r, plain alone:       $(load "$seconds")"
  python3 bench/tls/storm.py "$smtp_port" "$threads" $((seconds + 2)) > "$work/storm" & storm=$!
  sleep 1
  line=$(load "$seconds")
  wait "$storm"
  echo "round $r, beside handshakes: $line $(cat "$work/storm")"
done

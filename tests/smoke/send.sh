#!/usr/bin/env bash
# Smoke test with swaks against a running proxy: tests/smoke/send.sh [host:port] [to]
# Exits non-zero unless the proxy answers 250 with a queue id.
set -euo pipefail
server=${1:-127.0.0.1:2525}
to=${2:-user@example.com}
out=$(swaks --server "$server" --from "smoke@example.com" --to "$to" \
  --header "Subject: smtp-proxy smoke test $(date -u +%FT%TZ)" --body "Sent by tests/smoke/send.sh" 2>&1) || { echo "$out"; exit 1; }
echo "$out" | grep -E "^<-  250 2\.0\.0 OK queued as [0-9A-F]{32}$" || { echo "$out"; echo "no queue id in the reply"; exit 1; }

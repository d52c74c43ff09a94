#!/usr/bin/env bash
# Fuzz the SMTP command parser, address parser, DATA reader and session with AFL++ and SharpFuzz.
#   bench/fuzz/run.sh [seconds]          (default 600)
# Needs: apt-get install afl++ ; dotnet tool install SharpFuzz.CommandLine --tool-path ~/.sharpfuzz
# Findings land in bench/fuzz/findings/ (not committed); copy crashers to
# tests/SmtpFailoverProxy.Tests/Fuzz/crashers/ so the regression tests replay them for ever.
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-600}
sharpfuzz=${SHARPFUZZ:-$HOME/.sharpfuzz/sharpfuzz}
dotnet build -c Release -o out >/dev/null
"$sharpfuzz" out/smtp-proxy.dll            # instrument our assembly only
# dotnet is not an AFL-compiled binary: SharpFuzz instruments the managed code instead.
export AFL_SKIP_BIN_CHECK=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1
timeout --signal=INT "$seconds" afl-fuzz -i corpus -o findings -t 5000 -m none -- dotnet out/SmtpFailoverProxy.Fuzz.dll || true
echo "crashes: $(find findings -path '*crashes/id*' | wc -l), hangs: $(find findings -path '*hangs/id*' | wc -l)"

#!/usr/bin/env bash
# Native messaging host benchmarks (issue 3, item 7):
#   1. session.heartbeat round trips through the real host binary -> local
#      API -> daemon -> durable commit -> reply, 10,000 messages on one port
#      (p50, p99, events/s), and the same with the daemon down;
#   2. host process start to its first reply (hello), with and without the
#      daemon;
#   3. the daemon's idle RSS and wake-ups (idle.sh).
# Usage: bench/nativemsg/run.sh            (from the repository root)
#        IDLE_WINDOW=300 bench/nativemsg/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
go test -count=1 -run '^$' -bench 'BenchmarkHostHeartbeat' -benchtime 10000x ./e2e/nativemsg
go test -count=1 -run '^$' -bench 'BenchmarkHostStart' -benchtime 200x ./e2e/nativemsg
bench/nativemsg/idle.sh

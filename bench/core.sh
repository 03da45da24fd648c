#!/usr/bin/env bash
# Runs the core benchmarks whose results are in README:
#   (a) durable single-event commits, (b) 30-day stats over 500,000 sessions,
#   (c) export of those sessions, in-process and as a `worktimed` process
#       (elapsed time and peak RSS), (d) the integrity checks at open,
#   (e) `sessions --limit 3`.
# The 500,000-session history is generated once, in one transaction, and
# shared by every step.
set -euo pipefail
cd "$(dirname "$0")/.."

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export WORKTIME_BENCH_DIR="$work/cache"
mkdir -p "$WORKTIME_BENCH_DIR"

echo "== machine: $(nproc) cores, $(awk '/model name/ {sub(/.*: /, ""); print; exit}' /proc/cpuinfo), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== (a) durable events"
go test -run '^$' -bench DurableEvents -benchtime 3000x ./internal/tracker/ | grep -E '^Benchmark'
echo "== (b) stats, (c) export"
go test -run '^$' -bench 'Stats30Days|Export' -benchtime 5x ./internal/tracker/ | grep -E '^Benchmark'
echo "== (d) integrity checks at open, at the daemon's start and in doctor"
go test -run '^$' -bench OpenCheck -benchtime 10x ./internal/localdb/benchdata/ | grep -E '^Benchmark'
echo "== (e) sessions --limit 3"
go test -run '^$' -bench SessionsLimit3 -benchtime 2000x ./internal/tracker/ | grep -E '^Benchmark'
echo "== (c) worktimed export as a process"
bench/export-rss.sh "$work/rss"

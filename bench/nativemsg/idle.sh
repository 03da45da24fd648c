#!/usr/bin/env bash
# Measures an idle `worktimed run`: resident memory (VmRSS from
# /proc/PID/status) once it has settled, and how often any of its threads
# wakes up: the sum of voluntary and involuntary context switches of every
# thread (/proc/PID/task/*/status) over IDLE_WINDOW seconds (default 180,
# long enough to include the Go runtime's forced GC every two minutes).
# No session is active and sync is not configured, as after a fresh install.
set -euo pipefail
cd "$(dirname "$0")/../.."
window="${IDLE_WINDOW:-180}"
tmp="$(mktemp -d)"
pid=""
cleanup() {
	if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
	rm -rf "$tmp"
}
trap cleanup EXIT
go build -o "$tmp/worktimed" ./cmd/worktimed
mkdir -p "$tmp/home"
WORKTIME_HOME="$tmp/home" "$tmp/worktimed" run -log-level warn &
pid=$!
# Wait until the local API answers.
for _ in $(seq 1 100); do
	if WORKTIME_HOME="$tmp/home" "$tmp/worktimed" status >/dev/null 2>&1; then break; fi
	sleep 0.1
done
switches() {
	local total=0 n
	for f in /proc/"$pid"/task/*/status; do
		n=$(awk '/^(voluntary|nonvoluntary)_ctxt_switches/ {s += $2} END {print s}' "$f" 2>/dev/null || echo 0)
		total=$((total + n))
	done
	echo "$total"
}
sleep 5
before=$(switches)
sleep "$window"
after=$(switches)
rss_kb=$(awk '/^VmRSS/ {print $2}' /proc/"$pid"/status)
threads=$(ls /proc/"$pid"/task | wc -l)
wakeups=$((after - before))
echo "daemon idle RSS: $((rss_kb / 1024)) MiB (${rss_kb} kB), threads: ${threads}"
echo "context switches over ${window}s idle: ${wakeups} ($(awk -v w="$wakeups" -v s="$window" 'BEGIN {printf "%.2f", w * 60 / s}') per minute)"

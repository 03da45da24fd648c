#!/usr/bin/env bash
# Benchmark (c) as the user sees it: `worktimed export` of the 500,000-session
# history, measured from outside the process (elapsed time and peak RSS with
# GNU time). Usage: bench/export-rss.sh [WORK_DIR]
# WORK_DIR keeps the generated history between runs (default: a temp dir,
# removed at the end); with WORKTIME_BENCH_DIR set, the history cached there
# by the Go benchmarks is reused.
set -euo pipefail
cd "$(dirname "$0")/.."

work="${1:-}"
cleanup=""
if [ -z "$work" ]; then
  work="$(mktemp -d)"
  cleanup="$work"
fi
trap '[ -n "$cleanup" ] && rm -rf "$cleanup"' EXIT

if [ ! -x /usr/bin/time ]; then
  echo "export-rss: /usr/bin/time is missing (apt-get install time)" >&2
  exit 1
fi

CGO_ENABLED=0 go build -o "$work/worktimed" ./cmd/worktimed
go run ./bench/gen -home "$work/home" ${WORKTIME_BENCH_DIR:+-cache "$WORKTIME_BENCH_DIR"}

for format in json csv; do
  /usr/bin/time -f "%e %M %U %S" -o "$work/time.txt" \
    "$work/worktimed" --home "$work/home" export --format "$format" >"$work/out.$format"
  read -r elapsed rss_kb user sys <"$work/time.txt"
  lines=$(wc -l <"$work/out.$format")
  rows=$(( lines - 1 ))            # the CSV header
  [ "$format" = json ] && rows=$(( lines - 2 ))  # the brackets
  awk -v f="$format" -v n="$rows" -v e="$elapsed" -v u="$user" -v s="$sys" -v r="$rss_kb" 'BEGIN {
    printf "export %-4s %7d sessions  %6.2f s elapsed  %5.2f s cpu  peak RSS %5.1f MB\n", f, n, e, u + s, r / 1024 }'
done

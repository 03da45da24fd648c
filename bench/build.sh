#!/usr/bin/env bash
# The size of worktimed (as `make worktimed` builds it, and stripped with
# -ldflags='-s -w'), how many cloudflare-go packages it compiles, and the
# time of a cold build: one with an empty, private build cache (GOCACHE in a
# temporary directory), so the shared cache is neither used nor cleaned.
# Modules must already be downloaded (scripts/setup.sh); the worker bundle is
# embedded when scripts/bundle-worker.sh has made it.
# Usage: bench/build.sh            (from anywhere in the repository)
set -euo pipefail
cd "$(dirname "$0")/.."
export CGO_ENABLED=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

mb() { awk -v b="$1" 'BEGIN { printf "%.1f MB (%d bytes)", b / 1e6, b }'; }

go build -o "$tmp/worktimed" ./cmd/worktimed
go build -ldflags='-s -w' -o "$tmp/worktimed-stripped" ./cmd/worktimed
echo "worktimed:                    $(mb "$(stat -c %s "$tmp/worktimed")")"
echo "worktimed, -ldflags='-s -w':  $(mb "$(stat -c %s "$tmp/worktimed-stripped")")"
echo "packages compiled:            $(go list -deps ./cmd/worktimed | wc -l), of them cloudflare-go: $(go list -deps ./cmd/worktimed | grep -c cloudflare-go)"

# Wall time depends on what else the machine runs; CPU time (user + sys,
# summed over the compiler processes) much less so.
echo "load average before the cold build: $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/time -f "cold build: %e s wall, %U s user + %S s sys CPU, %M KB peak RSS of the largest process" \
  env GOCACHE="$tmp/gocache" go build -o "$tmp/cold" ./cmd/worktimed

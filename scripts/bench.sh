#!/usr/bin/env bash
# `make bench`: every benchmark whose results are in README. Long (tens of
# minutes on a 2-core machine); not part of `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."
export CI=true WRANGLER_SEND_METRICS=false CLOUDFLARE_CF_FETCH_ENABLED=false PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

section() { echo; echo "######## $*"; }

section "build: worktimed's size and a cold build (private build cache)"
bench/build.sh
section "core: durable events, stats and export over 500,000 sessions"
bench/core.sh
section "native messaging host: heartbeat round trips, host start, daemon idle"
bench/nativemsg/run.sh
section "sync engine alone (in-memory server)"
go test -run '^$' -bench EnginePush -benchtime 1x ./internal/syncer
section "sync: 100,000 offline sessions to the worker in local workerd"
go test -run '^$' -bench Sync100k -benchtime 1x -timeout 30m ./e2e/sync
section "cost and capacity: one active user-day through two daemons and the worker, at the spec's prices; D1 databases and \$/month for 500-500,000 users from the same run's measurements"
WORKTIME_COST_SESSIONS=20000 go test -count=1 -v -run 'TestCostPerUserDay|TestCapacityModel' -timeout 30m ./e2e/cost
section "worker: push of 500 sessions, daily stats"
(cd worker && npm run bench)
section "extension: heartbeat round trips from the service worker"
(cd extension && npm run bench)
section "dashboard: stats call and tray refresh against a real daemon"
go test -run '^$' -bench . -benchmem ./app/
section "cloud: idempotent deploy re-run against the API fake"
go test -run '^$' -bench DeployRerun -benchtime 300x ./internal/cloud/

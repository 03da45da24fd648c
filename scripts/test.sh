#!/usr/bin/env bash
# Runs every test of the project; `make test` calls it after scripts/setup.sh.
# Each suite runs even when an earlier one failed; the exit code is non-zero if
# any failed, and the summary names them.
set -uo pipefail
cd "$(dirname "$0")/.."
export CI=true WRANGLER_SEND_METRICS=false CLOUDFLARE_CF_FETCH_ENABLED=false PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

failed=()
suite() {
  local name=$1; shift
  echo
  echo "==> $name"
  local t0=$SECONDS
  if "$@"; then
    echo "==> $name: ok ($((SECONDS - t0))s)"
  else
    echo "==> $name: FAILED ($((SECONDS - t0))s)"
    failed+=("$name")
  fi
}

suite "worker bundle (embedded in worktimed)" scripts/bundle-worker.sh
# go.mod lists what the code imports (direct requires are not marked
# indirect) and go.sum nothing stale: -diff only prints what tidy would
# change, and fails if anything.
suite "go.mod and go.sum are tidy" go mod tidy -diff
suite "daemon builds without cgo" env CGO_ENABLED=0 go build -o /dev/null ./cmd/worktimed
suite "go vet" go vet ./...
suite "go test" go test -count=1 -timeout 20m ./...
suite "worker (vitest in workerd)" bash -c 'cd worker && npm test'
suite "worker bundles offline" bash -c 'cd worker && npx --no-install wrangler deploy --dry-run --outdir "$(mktemp -d)" >/dev/null'
suite "extension (unit + real Chromium end-to-end)" bash -c 'cd extension && npm test'
suite "dashboard (frontend, dev build in Chromium, real window under Xvfb)" scripts/test-dashboard.sh

echo
if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED: ${failed[*]}"
  exit 1
fi
echo "all suites passed"

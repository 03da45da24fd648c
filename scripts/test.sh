#!/usr/bin/env bash
# Runs every test of the project; `make test` calls it after setup.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== go vet / go test"
go vet ./...
go test -count=1 ./...

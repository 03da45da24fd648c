# worktime: `make run` starts the local stack, `make test` runs every test.
SHELL := /bin/bash
export CI := true
export WRANGLER_SEND_METRICS := false
export CLOUDFLARE_CF_FETCH_ENABLED := false
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

GO ?= go
BIN := bin

.PHONY: all setup build worktimed worker-bundle extension dashboard run test bench clean

all: build

## setup: apt packages (when missing), Go modules, npm ci in each JS project
setup:
	@scripts/setup.sh

## worker-bundle: the worker bundle and migrations that worktimed embeds
worker-bundle:
	@scripts/bundle-worker.sh

## worktimed: the daemon and CLI, one static binary (no cgo)
worktimed:
	CGO_ENABLED=0 $(GO) build -o $(BIN)/worktimed ./cmd/worktimed

## extension: the unpacked extension and its zip (extension/dist/)
extension:
	cd extension && npm run package

## dashboard: the Wails dashboard with its tray (needs cgo, GTK and WebKitGTK 4.1)
dashboard:
	cd frontend && npm run build
	$(GO) build -tags desktop,production,webkit2_41 -o $(BIN)/worktime-dashboard .

build: setup worker-bundle worktimed extension dashboard

run: setup worker-bundle worktimed
	@scripts/run.sh

test: setup
	@scripts/test.sh

bench: setup worker-bundle
	@scripts/bench.sh

clean:
	rm -rf $(BIN) .run

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
worker-bundle: setup
	@scripts/bundle-worker.sh

## worktimed: the daemon and CLI, one static binary (no cgo), carrying the worker bundle
worktimed: worker-bundle
	CGO_ENABLED=0 $(GO) build -o $(BIN)/worktimed ./cmd/worktimed

## extension: the unpacked extension and its zip (extension/dist/)
extension: setup
	cd extension && npm run package

## dashboard: the Wails dashboard with its tray (needs cgo, GTK and WebKitGTK 4.1)
dashboard: setup
	cd frontend && npm run build
	$(GO) build -tags desktop,production,webkit2_41 -o $(BIN)/worktime-dashboard .

build: worktimed extension dashboard

run: worktimed
	@scripts/run.sh

test: setup
	@scripts/test.sh

bench: worker-bundle
	@scripts/bench.sh

clean:
	rm -rf $(BIN) .run

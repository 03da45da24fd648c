# worktime: `make run` starts the local stack, `make test` runs every test.
SHELL := /bin/bash
export CI := true
export WRANGLER_SEND_METRICS := false
export CLOUDFLARE_CF_FETCH_ENABLED := false
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

GO ?= go
BIN := bin

.PHONY: all setup build worktimed run test test-go test-worker test-extension test-dashboard bench clean

all: build

setup:
	@scripts/setup.sh

worktimed:
	CGO_ENABLED=0 $(GO) build -o $(BIN)/worktimed ./cmd/worktimed

build: setup worktimed

run: build
	@scripts/run.sh

test: setup
	@scripts/test.sh

test-go:
	$(GO) vet ./...
	$(GO) test ./...

bench: setup
	@scripts/bench.sh

clean:
	rm -rf $(BIN)

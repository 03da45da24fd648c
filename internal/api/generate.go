package api

// The TypeScript form of these types (internal/api/api.gen.ts, which the
// dashboard, the extension and the worker import) and the dashboard's own
// types (frontend/src/types.ts) are generated from these types and the
// dashboard's bound methods; run `go generate ./internal/api` after
// changing either.
//go:generate go run ./cmd/tsgen

package api

// The dashboard's TypeScript types (frontend/src/types.ts) are generated
// from these types and the dashboard's bound methods; run
// `go generate ./internal/api` after changing either.
//go:generate go run ./cmd/tsgen

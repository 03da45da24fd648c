// Package cloud stands up, inspects and removes a user's own worktime
// backend on their Cloudflare account with cloudflare-go v6: `worktimed
// cloud deploy`, `status`, `usage` and `destroy`.
//
// The backend's users are spread over one or more D1 databases (shards,
// shards.go): deploy creates, migrates and binds them; a deploy never
// removes one. Usage reads Cloudflare's GraphQL Analytics API, which
// cloudflare-go does not wrap, with the same token and 429 handling.
//
// The Worker's bundle, its wrangler configuration and its D1 migrations are
// embedded in the binary (bundle/, filled by scripts/bundle-worker.sh), so a
// binary deploys exactly the worker it was built with. Deploy reads before
// it writes at every step: a re-run changes nothing, a run interrupted
// anywhere completes on the next, and --dry-run makes only read calls.
// Migrations are recorded in wrangler's d1_migrations table so wrangler and
// worktimed agree about what is applied. The API token comes only from
// CLOUDFLARE_API_TOKEN and never reaches output, files or errors.
package cloud

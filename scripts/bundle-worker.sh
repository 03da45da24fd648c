#!/usr/bin/env bash
# Builds the Worker bundle (`npm run bundle` = wrangler deploy --dry-run) and
# copies what `worktimed cloud deploy` uploads into internal/cloud/bundle/,
# which the Go build embeds:
#
#   worker.js      the Worker as one ES module
#   version        the worker's package.json version
#   worker.json    wrangler.jsonc as plain JSON (bindings, vars, compatibility date,
#                  placement, observability, Cron Triggers)
#   migrations/    worker/migrations/NNNN_*.sql
#
# Needs `cd worker && npm ci` first. Run it before `go build` / `go test`.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
out="$root/internal/cloud/bundle"
export CI=true WRANGLER_SEND_METRICS=false CLOUDFLARE_CF_FETCH_ENABLED=false

if [ ! -x worker/node_modules/.bin/wrangler ]; then
  echo "bundle-worker: worker/node_modules is missing: run 'cd worker && npm ci' (or make setup) first" >&2
  exit 1
fi

dist=$(mktemp -d)
trap 'rm -rf "$dist"' EXIT
(cd worker && npx --no-install wrangler deploy --dry-run --outdir "$dist" >"$dist/wrangler.log" 2>&1) || {
  cat "$dist/wrangler.log" >&2
  echo "bundle-worker: wrangler deploy --dry-run failed" >&2
  exit 1
}

# The bundle must be one module: deploy uploads exactly one file.
mapfile -t modules < <(cd "$dist" && find . -type f \( -name '*.js' -o -name '*.mjs' -o -name '*.wasm' \) | sort)
if [ "${#modules[@]}" -ne 1 ]; then
  echo "bundle-worker: want exactly one module in the bundle, got: ${modules[*]:-none}" >&2
  exit 1
fi

tmp=$(mktemp -d "$out/.tmp-XXXXXX")
cp "$dist/${modules[0]}" "$tmp/worker.js"
(cd worker && node -p 'require("./package.json").version') >"$tmp/version"
(cd worker && node --input-type=module -e '
import { createRequire } from "node:module";
const require = createRequire(process.cwd() + "/package.json");
const { rawConfig } = require("wrangler").experimental_readRawConfig({ config: "wrangler.jsonc" });
const keep = ["name", "compatibility_date", "compatibility_flags", "vars", "d1_databases", "kv_namespaces", "ratelimits", "placement", "observability", "triggers"];
process.stdout.write(JSON.stringify(Object.fromEntries(keep.filter((k) => k in rawConfig).map((k) => [k, rawConfig[k]])), null, 2) + "\n");
') >"$tmp/worker.json"
mkdir "$tmp/migrations"
cp worker/migrations/[0-9][0-9][0-9][0-9]_*.sql "$tmp/migrations/"

# Replace the generated files in one go; the README and .gitignore stay.
rm -rf "$out/worker.js" "$out/version" "$out/worker.json" "$out/migrations"
mv "$tmp/worker.js" "$tmp/version" "$tmp/worker.json" "$tmp/migrations" "$out/"
rmdir "$tmp"
echo "bundle-worker: internal/cloud/bundle/worker.js $(wc -c <"$out/worker.js") bytes, version $(cat "$out/version"), $(ls "$out/migrations" | wc -l) migration(s)"

#!/usr/bin/env bash
# `make run`: the whole local stack. Starts the worker in local workerd (local
# D1 and KV under .run/worker), then the daemon with its own home under
# .run/home, configured to sync to that worker, signs in with the worker's
# development sign-in, tracks one session and shows it in the local stats and
# on the server. Leaves both running until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

export CI=true WRANGLER_SEND_METRICS=false CLOUDFLARE_CF_FETCH_ENABLED=false
export WORKTIME_HOME="$root/.run/home"
bin="$root/bin/worktimed"
mkdir -p "$WORKTIME_HOME" "$root/.run/worker"

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 0' INT TERM

echo "==> starting the worker in local workerd (state in .run/worker)"
coproc WORKER { exec node worker/scripts/start-local.mjs --persist-to "$root/.run/worker" --var DEV_LOGIN=1 2>"$root/.run/worker.log"; }
pids+=("$WORKER_PID")
url=""
while IFS= read -r -t 60 line <&"${WORKER[0]}"; do
  case "$line" in WORKTIME_WORKER_URL=*) url=${line#WORKTIME_WORKER_URL=}; break ;; esac
done
if [ -z "$url" ]; then
  echo "the worker did not start; see .run/worker.log" >&2
  exit 1
fi
echo "    worker at $url"

if [ ! -f "$WORKTIME_HOME/config.toml" ]; then
  printf '[sync]\nserver_url = "%s"\ninterval = "1m"\n' "$url" >"$WORKTIME_HOME/config.toml"
else
  # The worker may have a new port: keep the config pointing at it.
  sed -i "s|^server_url = .*|server_url = \"$url\"|" "$WORKTIME_HOME/config.toml"
fi

echo "==> starting the daemon (home in .run/home)"
"$bin" run >"$root/.run/daemon.log" 2>&1 &
pids+=("$!")
for _ in $(seq 50); do "$bin" status >/dev/null 2>&1 && break; sleep 0.1; done

echo "==> signing in with the local worker's development sign-in"
"$bin" login --server "$url" --dev-user dev --no-browser

echo "==> tracking 25 minutes on worktime/worktime#1"
start=$(date -u -d '-25 minutes' +%Y-%m-%dT%H:%M:%SZ)
echo "\$ worktimed track start --repo worktime/worktime --pr 1 --at $start"
"$bin" track start --repo worktime/worktime --pr 1 --at "$start"
echo "\$ worktimed track stop"
"$bin" track stop
echo "\$ worktimed stats --days 1"
"$bin" stats --days 1
echo "\$ worktimed sync"
"$bin" sync
echo "\$ worktimed status"
"$bin" status
echo "==> the same day as the server sees it (GET /api/stats/daily?days=1)"
token=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).token)' "$WORKTIME_HOME/credentials.json")
node -e '
const [url, token] = process.argv.slice(1);
fetch(url + "/api/stats/daily?days=1", { headers: { authorization: "Bearer " + token } })
  .then((r) => r.json()).then((j) => console.log(JSON.stringify(j, null, 2)));
' "$url" "$token"

cat <<EOF

worktime is running:
  worker  $url   (local D1/KV in .run/worker, log .run/worker.log)
  daemon  WORKTIME_HOME=.run/home (log .run/daemon.log)
Try, in another terminal:
  WORKTIME_HOME=$WORKTIME_HOME $bin track start --repo OWNER/NAME --pr N
  WORKTIME_HOME=$WORKTIME_HOME $bin stats
Press Ctrl-C to stop both.
EOF
wait "${pids[@]}"

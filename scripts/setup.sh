#!/usr/bin/env bash
# Installs everything the build and the tests need on a Debian machine:
# system packages (when missing), Go modules and each JavaScript project's
# locked dependencies. Safe to run again; it only does what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_packages=(
  chromium firefox-esr xvfb xauth dbus-x11 imagemagick x11-utils openssl curl time
  libgtk-3-dev libwebkit2gtk-4.1-dev pkg-config gnome-keyring dbus
)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

go mod download

export CI=true WRANGLER_SEND_METRICS=false CLOUDFLARE_CF_FETCH_ENABLED=false PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
for dir in worker extension frontend e2e; do
  [ -f "$dir/package-lock.json" ] || continue
  stamp="$dir/node_modules/.worktime-lock"
  if [ -f "$stamp" ] && cmp -s "$dir/package-lock.json" "$stamp"; then continue; fi
  echo "setup: npm ci in $dir"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  cp "$dir/package-lock.json" "$stamp"
done

#!/usr/bin/env bash
# Tests the desktop dashboard (after `cd frontend && npm ci`):
#   1. the frontend's unit tests (vitest) and its production build;
#   2. the Wails builds: production (desktop,production,webkit2_41) and
#      development (dev,webkit2_41), plus worktimed;
#   3. under a private D-Bus session and Xvfb, against a real worktimed on a
#      temporary home holding known sessions:
#      - the browser-driven end-to-end test (frontend/e2e, playwright-core in
#        Debian's Chromium against the dev build's server);
#      - the real window of the production build, with a tray host (the
#        StatusNotifierWatcher of Debian's haskell-status-notifier-item-utils):
#        screenshots of every view into test-artifacts/ (views opened with
#        Alt+1…5 through xdotool), the tray over D-Bus (menu present,
#        Activate shows the window), closing hides the window, and a second
#        launch shows the first instance;
#      - then without a tray host (as on stock GNOME): --hidden is ignored,
#        the window says once that closing quits, and closing quits.
# The Go tests of app/ run with `go test ./...`.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

if [ "${1:-}" != "--in-session" ]; then
  echo "== dashboard: frontend unit tests"
  (cd frontend && npx vitest run)
  echo "== dashboard: frontend build"
  (cd frontend && npm run build --silent)
  echo "== dashboard: builds"
  mkdir -p bin test-artifacts
  CGO_ENABLED=0 go build -o bin/worktimed ./cmd/worktimed
  go build -tags desktop,production,webkit2_41 -o bin/worktime-dashboard .
  go build -tags dev,webkit2_41 -o bin/worktime-dashboard-dev .
  echo "== dashboard: e2e and real window under Xvfb"
  exec dbus-run-session -- xvfb-run -a -s '-screen 0 1280x800x24' "$0" --in-session
fi

# ---- inside dbus-run-session + xvfb-run ----
WORK=$(mktemp -d /tmp/wtdash.XXXXXX)
export WORKTIME_HOME=$WORK/home
export WORKTIME_BIN=$ROOT/bin/worktimed
export EXPORT_DIR=$WORK/exports
# WebKitGTK paints nothing under Xvfb with accelerated compositing.
export WEBKIT_DISABLE_COMPOSITING_MODE=1
# The dashboard finds worktimed on PATH when it has to start it.
export PATH=$ROOT/bin:$PATH
mkdir -p "$WORKTIME_HOME" "$EXPORT_DIR"
printf 'time_zone = "UTC"\n' > "$WORKTIME_HOME/config.toml"

pids=()
passed=0
failed=0
ok() { echo "ok   - $1"; passed=$((passed + 1)); }
bad() { echo "FAIL - $1"; failed=$((failed + 1)); }

# daemons_of_home lists the worktimed processes serving our temporary home
# (the dashboard may have started one itself).
daemons_of_home() {
  local p
  for p in /proc/[0-9]*; do
    [ -r "$p/cmdline" ] || continue
    if tr '\0' ' ' < "$p/cmdline" 2>/dev/null | grep -q "^$WORKTIME_BIN run" &&
      tr '\0' '\n' < "$p/environ" 2>/dev/null | grep -qx "WORKTIME_HOME=$WORKTIME_HOME"; then
      echo "${p#/proc/}"
    fi
  done
}

cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in $(daemons_of_home); do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

# wait_for CMD...: retries CMD for up to 30 s (the things waited for here are
# other processes' windows and sockets, which give no signal of their own).
wait_for() {
  local i
  for i in $(seq 1 120); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.25
  done
  return 1
}

start_daemon() {
  "$WORKTIME_BIN" run >>"$WORK/worktimed.log" 2>&1 &
  DAEMON_PID=$!
  pids+=("$DAEMON_PID")
  wait_for test -S "$WORKTIME_HOME/worktimed.sock"
}

# Known sessions: two days ago, yesterday, across a midnight, 40 days ago
# and today (between midnight and now, whatever the hour).
seed() {
  local now midnight
  now=$(date -u +%s)
  midnight=$(date -u -d "$(date -u +%F)" +%s)
  at() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }
  track() { "$WORKTIME_BIN" track start --repo "$1" --pr "$2" --at "$(at "$3")" >/dev/null && "$WORKTIME_BIN" track stop --at "$(at "$4")" >/dev/null; }
  track acme/api 12 $((midnight - 2 * 86400 + 10 * 3600)) $((midnight - 2 * 86400 + 11 * 3600 + 1800))
  track acme/web 7 $((midnight - 86400 + 9 * 3600)) $((midnight - 86400 + 9 * 3600 + 2700))
  track acme/web 8 $((midnight - 3 * 86400 - 3600)) $((midnight - 3 * 86400 + 1800))
  track tools/cli 3 $((midnight - 40 * 86400 + 8 * 3600)) $((midnight - 40 * 86400 + 10 * 3600))
  track acme/api 15 $((midnight + (now - midnight) / 4)) $((midnight + (now - midnight) / 2))
}

start_daemon
seed

# ---- 1. browser-driven e2e against the dev build ----
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
WORKTIME_EXPORT_DIR=$EXPORT_DIR "$ROOT/bin/worktime-dashboard-dev" -devserver "127.0.0.1:$PORT" -assetdir "$ROOT/frontend/dist" -loglevel Warning \
  >"$WORK/dashboard-dev.log" 2>&1 &
DEV_PID=$!
pids+=("$DEV_PID")
serving() { node -e "fetch('http://127.0.0.1:$PORT/').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"; }
if wait_for serving; then
  if (cd frontend && DASHBOARD_URL="http://127.0.0.1:$PORT" DAEMON_PID=$DAEMON_PID ARTIFACTS=$ROOT/test-artifacts node --import ./e2e/typescript.mjs --test --test-concurrency=1 e2e/); then
    ok "e2e: dashboard in Chromium matches worktimed (stats, drill-down, start/stop, export, daemon down)"
  else
    bad "e2e: see the node test output above"
    tail -n 30 "$WORK/dashboard-dev.log" || true
  fi
else
  bad "e2e: the dev build did not serve 127.0.0.1:$PORT"
  tail -n 30 "$WORK/dashboard-dev.log" || true
fi
kill "$DEV_PID" 2>/dev/null || true
wait "$DEV_PID" 2>/dev/null || true
# The device-flow sign-in in the page, against the real worker and the
# GitHub fake (a Go test starts them and approves the code the page shows).
if DASHBOARD_DEV_BIN=$ROOT/bin/worktime-dashboard-dev go test -count=1 -tags dashboardui -run TestSignInUI ./app/ >"$WORK/signin-ui.log" 2>&1; then
  ok "e2e: sign-in in the page shows the code, signs in once approved, Sync now syncs"
else
  bad "e2e: sign-in in the page"
  tail -n 60 "$WORK/signin-ui.log" || true
fi

# The e2e restarted the daemon through the dashboard; stop that one and
# start ours again for the window test.
for p in $(daemons_of_home); do kill "$p" 2>/dev/null || true; done
wait_for test ! -S "$WORKTIME_HOME/worktimed.sock" || true
start_daemon

# ---- 2. the production build's real window and tray ----
# A tray host, as a desktop with a tray has: the StatusNotifierWatcher.
watcher_up() {
  dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus.ListNames |
    grep -q '"org.kde.StatusNotifierWatcher"'
}
status-notifier-watcher >"$WORK/watcher.log" 2>&1 &
WATCHER_PID=$!
pids+=("$WATCHER_PID")
if wait_for watcher_up; then
  ok "tray host: a StatusNotifierWatcher owns its name on the session bus"
else
  bad "tray host: status-notifier-watcher did not start (apt-get install haskell-status-notifier-item-utils)"
fi

window_id() { xwininfo -root -tree | awk '/"worktime": \(/ && /1024x720/ {print $1; exit}'; }
map_state() { xwininfo -id "$1" | awk '/Map State/ {print $3}'; }
sni_name() {
  dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus.ListNames |
    grep -o "org.kde.StatusNotifierItem-$1-[0-9]*" | head -1
}
have_sni() { [ -n "$(sni_name "$1")" ]; }
is_viewable() { [ "$(map_state "$1")" = IsViewable ]; }
has_window() { [ -n "$(window_id)" ]; }

started=$(date +%s%N)
"$ROOT/bin/worktime-dashboard" --hidden >"$WORK/dashboard.log" 2>&1 &
APP_PID=$!
pids+=("$APP_PID")

if wait_for have_sni "$APP_PID"; then
  ok "tray: StatusNotifierItem registered on the session bus"
else
  bad "tray: no StatusNotifierItem for pid $APP_PID"
fi
SNI=$(sni_name "$APP_PID")

want_today=$("$WORKTIME_BIN" stats --json | python3 -c 'import json,sys; s=json.load(sys.stdin)["today_seconds"]; h,m=divmod(s//60,60); print(f"Today: {h}h {m:02d}m" if h else (f"Today: {m}m" if m else (f"Today: {s}s" if s else "Today: 0m")))')
layout_has() {
  dbus-send --session --print-reply --dest="$SNI" /StatusNotifierItem/menu com.canonical.dbusmenu.GetLayout int32:0 int32:-1 array:string: |
    grep -F -q "string \"$1\""
}
# The menu's items are relabelled one after another as the first refresh
# lands: wait until one layout holds all of them.
tray_items=("$want_today" "Open dashboard" "Sync now" "Quit" "Not tracking")
layout_has_all() {
  local layout item
  layout=$(dbus-send --session --print-reply --dest="$SNI" /StatusNotifierItem/menu com.canonical.dbusmenu.GetLayout int32:0 int32:-1 array:string:) || return 1
  for item in "${tray_items[@]}"; do
    grep -F -q "string \"$item\"" <<<"$layout" || return 1
  done
}
if [ -n "$SNI" ] && wait_for layout_has "$want_today"; then
  if wait_for layout_has_all; then
    ok "tray: GetLayout has '$want_today', the active state and Open/Start-Stop/Sync now/Quit"
  else
    bad "tray: the menu never held all of: ${tray_items[*]}"
    dbus-send --session --print-reply --dest="$SNI" /StatusNotifierItem/menu com.canonical.dbusmenu.GetLayout int32:0 int32:-1 array:string: | grep -o 'string "[^"]*"' | sort -u || true
  fi
else
  bad "tray: menu never showed '$want_today'"
fi

if wait_for has_window && ! is_viewable "$(window_id)"; then
  ok "window: started hidden in the tray (--hidden)"
else
  bad "window: expected a hidden window at start"
fi

if [ -n "$SNI" ] && dbus-send --session --print-reply --dest="$SNI" /StatusNotifierItem org.kde.StatusNotifierItem.Activate int32:0 int32:0 >/dev/null &&
  wait_for is_viewable "$(window_id)"; then
  ok "tray: Activate shows the window"
else
  bad "tray: Activate did not show the window"
fi

# WebKit paints some time after the window maps; retry the screenshot until
# it shows more than a blank page.
WIN=$(window_id)
painted() {
  import -window "$WIN" "$ROOT/test-artifacts/dashboard.png" &&
    [ "$(convert "$ROOT/test-artifacts/dashboard.png" -format %k info:)" -gt 300 ]
}
if [ -n "$WIN" ] && wait_for painted; then
  echo "info: launch to painted window $(( ($(date +%s%N) - started) / 1000000 )) ms; dashboard RSS $(( $(ps -o rss= -p "$APP_PID") / 1024 )) MiB (WebKit's web process apart)"
  ok "window: screenshot test-artifacts/dashboard.png ($(convert "$ROOT/test-artifacts/dashboard.png" -format %k info:) colours)"
else
  bad "window: no screenshot, or a blank one"
fi

# Every view of the real window: Alt+N opens the Nth view; the screenshot is
# retaken until it differs from the previous view's, then until two in a row
# are the same (the view's data arrives after it is drawn; WebKit paints with
# no signal to wait on).
prev_shot="$ROOT/test-artifacts/dashboard.png"
shot_changed() {
  local again="${1%.png}.again.png"
  import -window "$WIN" "$1" && ! cmp -s "$1" "$prev_shot" && sleep 0.5 &&
    import -window "$WIN" "$again" && cmp -s "$1" "$again" && rm -f "$again"
}
n=0
for name in today history sessions sync settings; do
  n=$((n + 1))
  shot="$ROOT/test-artifacts/window-$name.png"
  if [ -n "$WIN" ] && xdotool windowfocus --sync "$WIN" key "alt+$n" && { [ "$name" = today ] || wait_for shot_changed "$shot"; }; then
    [ "$name" = today ] && import -window "$WIN" "$shot"
    ok "window: $name view (Alt+$n) in test-artifacts/window-$name.png"
  else
    bad "window: Alt+$n did not show the $name view"
  fi
  prev_shot=$shot
done
# The Sessions view's edit form in the real window: the first row's Edit
# (right-aligned in the last column, at a fixed place in the 1024×720
# window) turns the row into the form (docs/dashboard-sessions-edit.png):
# the shot must differ from the Sessions view's. The view is shown again
# and left to settle (its rows arrive after it is drawn) before the click,
# and a click that came before the rows is repeated.
edit_form() {
  local try i
  prev_shot=$ROOT/test-artifacts/window-settings.png
  xdotool windowfocus --sync "$WIN" key alt+3 && wait_for shot_changed "$ROOT/test-artifacts/window-sessions-again.png" || return 1
  prev_shot=$ROOT/test-artifacts/window-sessions-again.png
  for try in 1 2 3 4 5; do
    xdotool mousemove --window "$WIN" 935 318 click 1 || return 1
    for i in $(seq 1 12); do
      shot_changed "$ROOT/test-artifacts/window-sessions-edit.png" && return 0
      sleep 0.25
    done
  done
  return 1
}
if [ -n "$WIN" ] && edit_form; then
  rm -f "$ROOT/test-artifacts/window-sessions-again.png"
  ok "window: a session's edit form in test-artifacts/window-sessions-edit.png"
else
  bad "window: Edit on the first session did not open the form"
fi
prev_shot=$ROOT/test-artifacts/window-sessions-edit.png
xdotool windowfocus --sync "$WIN" key alt+1 || true

# Closing the window (WM_DELETE_WINDOW, as a window manager sends it) hides
# it; the app and its tray stay, and Activate brings the window back.
cat >"$WORK/xclose.py" <<'PY'
# Sends WM_DELETE_WINDOW to the window given in argv[1] (libX11 via ctypes).
import ctypes, ctypes.util, sys
x = ctypes.cdll.LoadLibrary(ctypes.util.find_library("X11") or "libX11.so.6")
x.XOpenDisplay.restype = ctypes.c_void_p
x.XOpenDisplay.argtypes = [ctypes.c_char_p]
x.XInternAtom.restype = ctypes.c_ulong
x.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
class ClientMessage(ctypes.Structure):
    _fields_ = [("type", ctypes.c_int), ("serial", ctypes.c_ulong), ("send_event", ctypes.c_int),
                ("display", ctypes.c_void_p), ("window", ctypes.c_ulong), ("message_type", ctypes.c_ulong),
                ("format", ctypes.c_int), ("l", ctypes.c_long * 5)]
class XEvent(ctypes.Union):
    _fields_ = [("xclient", ClientMessage), ("pad", ctypes.c_long * 24)]
x.XSendEvent.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_long, ctypes.POINTER(XEvent)]
d = x.XOpenDisplay(None)
if not d:
    sys.exit("cannot open display")
win = int(sys.argv[1], 0)
ev = XEvent()
ev.xclient.type = 33  # ClientMessage
ev.xclient.window = win
ev.xclient.message_type = x.XInternAtom(d, b"WM_PROTOCOLS", 0)
ev.xclient.format = 32
ev.xclient.l[0] = x.XInternAtom(d, b"WM_DELETE_WINDOW", 0)
ev.xclient.l[1] = 0  # CurrentTime
if not x.XSendEvent(d, win, 0, 0, ctypes.byref(ev)):
    sys.exit("XSendEvent failed")
x.XFlush.argtypes = [ctypes.c_void_p]
x.XFlush(d)
x.XCloseDisplay.argtypes = [ctypes.c_void_p]
x.XCloseDisplay(d)
PY
is_unmapped() { [ "$(map_state "$1")" = IsUnMapped ]; }
if [ -n "$WIN" ] && python3 "$WORK/xclose.py" "$WIN" && wait_for is_unmapped "$WIN" && kill -0 "$APP_PID" 2>/dev/null &&
  have_sni "$APP_PID"; then
  ok "window: closing hides it to the tray, the app keeps running"
else
  bad "window: closing did not hide it (or ended the app)"
fi
if [ -n "$SNI" ] && dbus-send --session --print-reply --dest="$SNI" /StatusNotifierItem org.kde.StatusNotifierItem.Activate int32:0 int32:0 >/dev/null &&
  wait_for is_viewable "$WIN"; then
  ok "tray: Activate shows the closed window again"
else
  bad "tray: Activate after closing did not show the window"
fi

# A second launch exits and shows the first instance (SingleInstanceLock).
"$ROOT/bin/worktime-dashboard" >"$WORK/second.log" 2>&1 &
SECOND=$!
pids+=("$SECOND")
if wait_for bash -c "! kill -0 $SECOND 2>/dev/null" && kill -0 "$APP_PID" 2>/dev/null; then
  ok "single instance: a second launch exits, the first keeps running"
else
  bad "single instance: second launch still running"
fi

# Quit from the tray ends the app.
quit_id=$(dbus-send --session --print-reply --dest="$SNI" /StatusNotifierItem/menu com.canonical.dbusmenu.GetLayout int32:0 int32:-1 array:string: |
  python3 -c '
import re, sys
text = sys.stdin.read()
# Each item: "int32 ID" followed by its properties; find the one labelled Quit.
for m in re.finditer(r"int32 (\d+)\s+array \[(.*?)\]\s+array \[", text, re.S):
    if "\"Quit\"" in m.group(2):
        print(m.group(1)); break
')
if [ -n "$quit_id" ] &&
  dbus-send --session --print-reply --dest="$SNI" /StatusNotifierItem/menu com.canonical.dbusmenu.Event int32:"$quit_id" string:clicked variant:int32:0 uint32:0 >/dev/null &&
  wait_for bash -c "! kill -0 $APP_PID 2>/dev/null"; then
  ok "tray: Quit ends the dashboard"
else
  bad "tray: Quit (item ${quit_id:-not found}) did not end the dashboard"
fi

# ---- 3. no tray host (stock GNOME has no StatusNotifierWatcher) ----
kill "$WATCHER_PID" 2>/dev/null || true
wait "$WATCHER_PID" 2>/dev/null || true
if ! watcher_up; then
  ok "tray host: gone"
else
  bad "tray host: still on the bus"
fi
rm -f "$WORKTIME_HOME/dashboard-no-tray-notice"
"$ROOT/bin/worktime-dashboard" --hidden >"$WORK/dashboard-notray.log" 2>&1 &
APP_PID=$!
pids+=("$APP_PID")
if wait_for has_window && WIN=$(window_id) && wait_for is_viewable "$WIN"; then
  ok "no tray: --hidden is ignored, the window shows (it could not be reached otherwise)"
else
  bad "no tray: the window stayed hidden with no tray to show it"
fi
if [ -n "$WIN" ] && wait_for painted && wait_for test -f "$WORKTIME_HOME/dashboard-no-tray-notice"; then
  import -window "$WIN" "$ROOT/test-artifacts/window-no-tray.png"
  ok "no tray: the notice was given (and remembered); test-artifacts/window-no-tray.png"
else
  bad "no tray: no notice"
fi
if [ -n "$WIN" ] && python3 "$WORK/xclose.py" "$WIN" && wait_for bash -c "! kill -0 $APP_PID 2>/dev/null"; then
  ok "no tray: closing the window quits the dashboard"
else
  bad "no tray: closing the window did not quit"
fi

echo "dashboard: $passed passed, $failed failed"
[ "$failed" -eq 0 ]

#!/usr/bin/env bash
# In-process CPU profile of the plugins benchmark's data plane (key-auth + rate-limiting on 100 routes, 100
# consumers): `node --cpu-prof` on the proxy while wrk drives it, then the top self-time functions.
# Env: PLUGINS (default 1), POLICY (local), DURATION (s, default 5), CONNS (default 50), OUT (keep the profile here).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
DURATION=${DURATION:-5} CONNS=${CONNS:-50} PLUGINS=${PLUGINS:-1} POLICY=${POLICY:-local}
WORK=$(mktemp -d /tmp/tollgate-prof-plugins.XXXXXX)
export PREFIX="$WORK/prefix" # serve.ts/plugins-serve.ts: this run's own node prefix
UP_PORT=${UP_PORT:-18091} TG_PORT=${TG_PORT:-18011}
TG_PID=
cleanup() {
  [ -n "$TG_PID" ] && kill "$TG_PID" 2>/dev/null || true
  stop_upstream_nginx "$WORK/up"
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
# shellcheck source=upstream-nginx.sh
. "$ROOT/bench/proxy/upstream-nginx.sh"
node "$ROOT/bench/proxy/build.js" "$WORK/js"
mkdir -p "$WORK/prof"
start_upstream_nginx "$WORK/up" "$UP_PORT"
PLUGINS=$PLUGINS POLICY=$POLICY ROUTES=100 CONSUMERS=100 HTTP_PORT=$TG_PORT UPSTREAM_PORT=$UP_PORT \
  taskset -c 1 node --cpu-prof --cpu-prof-dir="$WORK/prof" "$WORK/js/bench/proxy/plugins-serve.js" >"$WORK/tg.out" 2>"$WORK/tg.err" &
TG_PID=$!
for _ in $(seq 1 200); do grep -q READY "$WORK/tg.out" 2>/dev/null && break; sleep 0.05; done
ROUTES=100 CONSUMERS=100 taskset -c 0 wrk -t1 -c"$CONNS" -d"${DURATION}s" -s "$ROOT/bench/proxy/plugins-wrk.lua" "http://127.0.0.1:$TG_PORT" | grep -E 'Requests/sec|Non-2xx' || true
kill -TERM "$TG_PID"; wait "$TG_PID" 2>/dev/null || true; TG_PID=
PROF=$(ls "$WORK"/prof/*.cpuprofile | head -1)
[ -n "${OUT:-}" ] && cp "$PROF" "$OUT"
node "$ROOT/bench/proxy/profile-summary.js" "$PROF"

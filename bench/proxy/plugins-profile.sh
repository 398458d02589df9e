#!/usr/bin/env bash
# In-process CPU profile of the plugins benchmark's data plane (key-auth + rate-limiting on 100 routes, 100
# consumers): `node --cpu-prof` on the proxy while wrk drives it, then the top self-time functions.
# Env: PLUGINS (default 1), POLICY (local), DURATION (s, default 5), CONNS (default 50), OUT (keep the profile here).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
DURATION=${DURATION:-5} CONNS=${CONNS:-50} PLUGINS=${PLUGINS:-1} POLICY=${POLICY:-local}
WORK=$(mktemp -d /tmp/tollgate-prof-plugins.XXXXXX)
UP_PORT=${UP_PORT:-18091} TG_PORT=${TG_PORT:-18011}
TG_PID=
cleanup() {
  [ -n "$TG_PID" ] && kill "$TG_PID" 2>/dev/null || true
  [ -f "$WORK/up/nginx.pid" ] && kill "$(cat "$WORK/up/nginx.pid")" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
node "$ROOT/bench/proxy/build.js" "$WORK/js"
mkdir -p "$WORK/up/logs" "$WORK/prof"
cat >"$WORK/up/nginx.conf" <<CONF
worker_processes 1; daemon on; pid $WORK/up/nginx.pid; error_log $WORK/up/logs/error.log warn;
events { worker_connections 4096; }
http { access_log off; client_body_temp_path $WORK/up; proxy_temp_path $WORK/up; fastcgi_temp_path $WORK/up; uwsgi_temp_path $WORK/up; scgi_temp_path $WORK/up;
  keepalive_requests 100000; server { listen 127.0.0.1:$UP_PORT reuseport backlog=16384; location / { return 200 'ok'; } } }
CONF
taskset -c 0 "$NGINX" -p "$WORK/up" -c "$WORK/up/nginx.conf" -e "$WORK/up/logs/error.log"
PLUGINS=$PLUGINS POLICY=$POLICY ROUTES=100 CONSUMERS=100 HTTP_PORT=$TG_PORT UPSTREAM_PORT=$UP_PORT \
  taskset -c 1 node --cpu-prof --cpu-prof-dir="$WORK/prof" "$WORK/js/bench/proxy/plugins-serve.js" >"$WORK/tg.out" 2>"$WORK/tg.err" &
TG_PID=$!
for _ in $(seq 1 200); do grep -q READY "$WORK/tg.out" 2>/dev/null && break; sleep 0.05; done
ROUTES=100 CONSUMERS=100 taskset -c 0 wrk -t1 -c"$CONNS" -d"${DURATION}s" -s "$ROOT/bench/proxy/plugins-wrk.lua" "http://127.0.0.1:$TG_PORT" | grep -E 'Requests/sec|Non-2xx' || true
kill -TERM "$TG_PID"; wait "$TG_PID" 2>/dev/null || true; TG_PID=
PROF=$(ls "$WORK"/prof/*.cpuprofile | head -1)
[ -n "${OUT:-}" ] && cp "$PROF" "$OUT"
node "$ROOT/bench/proxy/profile-summary.js" "$PROF"

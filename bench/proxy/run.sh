#!/usr/bin/env bash
# Tollgate data plane vs nginx proxy_pass, on loopback. One command: bench/proxy/run.sh
# Needs: wrk, nginx (Debian nginx-light). Proxies pinned to core 1, wrk and the upstream nginx on core 0.
# Env: DURATION (s, default 5), ROUNDS (interleaved rounds, default 2), PROFILE=1 (writes a .cpuprofile of the
# 1-route/50-connection case and prints its top functions).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
DURATION=${DURATION:-5}
ROUNDS=${ROUNDS:-2}
WORK=$(mktemp -d /tmp/tollgate-bench.XXXXXX)
UP_PORT=18080 NGX_PORT=18081 NGX_TLS=18444 TG_PORT=18000 TG_TLS=18443
PROXY_CPU=1 LOAD_CPU=0
command -v wrk >/dev/null || { echo "wrk missing: apt-get install -y wrk" >&2; exit 1; }
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || { echo "nginx missing: apt-get install -y nginx-light" >&2; exit 1; }

PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -f "$WORK/up/nginx.pid" ] && kill "$(cat "$WORK/up/nginx.pid")" 2>/dev/null || true
  [ -f "$WORK/ref/nginx.pid" ] && kill "$(cat "$WORK/ref/nginx.pid")" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap cleanup EXIT

node "$ROOT/bench/proxy/build.js" "$WORK/js"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$WORK/key.pem" -out "$WORK/cert.pem" -days 1 -subj /CN=localhost 2>/dev/null

nginx_conf() { # $1 dir, $2 body of the http block
  mkdir -p "$1/logs"
  cat >"$1/nginx.conf" <<CONF
worker_processes 1;
daemon on;
pid $1/nginx.pid;
error_log $1/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $1; proxy_temp_path $1; fastcgi_temp_path $1; uwsgi_temp_path $1; scgi_temp_path $1;
  keepalive_requests 100000;
  $2
}
CONF
}

nginx_conf "$WORK/up" "server { listen 127.0.0.1:$UP_PORT reuseport backlog=16384; location / { return 200 'ok'; } }"
nginx_conf "$WORK/ref" "upstream up { server 127.0.0.1:$UP_PORT; keepalive 512; }
  server {
    listen 127.0.0.1:$NGX_PORT backlog=16384;
    listen 127.0.0.1:$NGX_TLS ssl backlog=16384;
    ssl_certificate $WORK/cert.pem; ssl_certificate_key $WORK/key.pem;
    location / { proxy_pass http://up; proxy_http_version 1.1; proxy_set_header Connection ''; }
  }"
taskset -c $LOAD_CPU "$NGINX" -p "$WORK/up" -c "$WORK/up/nginx.conf" -e "$WORK/up/logs/error.log"
taskset -c $PROXY_CPU "$NGINX" -p "$WORK/ref" -c "$WORK/ref/nginx.conf" -e "$WORK/ref/logs/error.log"
sleep 0.3
NGX_WORKER=$(pgrep -P "$(cat "$WORK/ref/nginx.pid")" | head -1)

start_tollgate() { # $1 routes, $2 extra node flags, $3 access log path (empty: proxy_access_log = off)
  ACCESS_LOG=${3:-} ROUTES=$1 HTTP_PORT=$TG_PORT HTTPS_PORT=$TG_TLS UPSTREAM_PORT=$UP_PORT \
    taskset -c $PROXY_CPU node --expose-gc $2 "$WORK/js/bench/proxy/serve.js" >"$WORK/tg.out" 2>"$WORK/tg.err" &
  TG_PID=$!
  PIDS+=("$TG_PID")
  for _ in $(seq 1 200); do grep -q READY "$WORK/tg.out" 2>/dev/null && break; sleep 0.05; done
  read -r _ TG_COMPILE TG_RSS <"$WORK/tg.out"
}
stop_tollgate() { kill -TERM "$TG_PID" 2>/dev/null || true; wait "$TG_PID" 2>/dev/null || true; }

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
CLK_TCK=$(getconf CLK_TCK)

# run <pid> <url> <connections> -> "rps p50 p99 cpu_us_per_req"
run() {
  local pid=$1 url=$2 conns=$3
  taskset -c $LOAD_CPU wrk -t1 -c"$conns" -d1s "$url" >/dev/null 2>&1 # warm-up (JIT, pools)
  local t0; t0=$(cpu_ticks "$pid")
  local out; out=$(taskset -c $LOAD_CPU wrk -t1 -c"$conns" -d"${DURATION}s" --latency "$url")
  local t1; t1=$(cpu_ticks "$pid")
  local reqs; reqs=$(echo "$out" | awk '/requests in/ {print $1}')
  local rps; rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  local p50; p50=$(echo "$out" | awk '$1=="50%" {print $2}')
  local p99; p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  local errs; errs=$(echo "$out" | awk '/Non-2xx|Socket errors/ {print}' | tr '\n' ' ')
  [ -n "$errs" ] && echo "    ($errs)" >&2
  echo "$rps $p50 $p99 $(awk -v d=$((t1 - t0)) -v n="$reqs" -v hz="$CLK_TCK" 'BEGIN{printf "%.1f", d*1e6/hz/n}')"
}

to_ms() { awk -v v="$1" 'BEGIN{ if (v ~ /us$/) printf "%.3f", v/1000; else if (v ~ /ms$/) printf "%.3f", v+0; else if (v ~ /s$/) printf "%.3f", v*1000; else print v }'; }

declare -A RESULT
record() { # key proxy "rps p50 p99 cpu"
  RESULT["$1|$2"]="${RESULT["$1|$2"]:-} $3"
}

# name:routes:scheme:connections[:log] — `log` turns proxy_access_log on for Tollgate (nginx keeps access_log off,
# so that row shows what the access log costs). CASES="..." (space-separated) runs a subset.
ALL_CASES="1route-c50:1:http:50 1route-c50-log:1:http:50:log 1route-c1:1:http:1 10k-routes-c50:10000:http:50 https-c50:1:https:50"
read -r -a CASES <<<"${CASES:-$ALL_CASES}"
for round in $(seq 1 "$ROUNDS"); do
  for c in "${CASES[@]}"; do
    IFS=: read -r name routes scheme conns log <<<"$c"
    start_tollgate "$routes" "" "$([ "${log:-}" = log ] && echo "$WORK/access.log")"
    [ "$routes" = 10000 ] && echo "compile of 10000 routes: ${TG_COMPILE} ms, RSS after compile ${TG_RSS} MB" >&2
    if [ "$scheme" = https ]; then tg_url="https://127.0.0.1:$TG_TLS/api/v1/r$((routes / 2))/x"; ng_url="https://127.0.0.1:$NGX_TLS/api/v1/r0/x";
    else tg_url="http://127.0.0.1:$TG_PORT/api/v1/r$((routes / 2))/x"; ng_url="http://127.0.0.1:$NGX_PORT/api/v1/r0/x"; fi
    record "$name" tollgate "$(run "$TG_PID" "$tg_url" "$conns")"
    TG_RSS_AFTER=$(awk '/VmRSS/ {printf "%.1f", $2/1024}' "/proc/$TG_PID/status")
    [ "$routes" = 10000 ] && echo "RSS after load at 10000 routes: ${TG_RSS_AFTER} MB" >&2
    stop_tollgate
    record "$name" nginx "$(run "$NGX_WORKER" "$ng_url" "$conns")"
  done
done

avg() { echo "$1" | awk '{ n=NF/4; for(i=0;i<n;i++){ r+=$(i*4+1); c+=$(i*4+4) } ; printf "%.0f %.1f", r/n, c/n }'; }
last_lat() { echo "$1" | awk '{ print $(NF-2), $(NF-1) }'; }

printf '\n%-16s %-9s %10s %9s %9s %12s\n' case proxy req/s p50_ms p99_ms cpu_us/req
for c in "${CASES[@]}"; do
  IFS=: read -r name _ _ _ <<<"$c"
  for proxy in tollgate nginx; do
    read -r rps cpu <<<"$(avg "${RESULT["$name|$proxy"]}")"
    read -r p50 p99 <<<"$(last_lat "${RESULT["$name|$proxy"]}")"
    printf '%-16s %-9s %10s %9s %9s %12s\n' "$name" "$proxy" "$rps" "$(to_ms "$p50")" "$(to_ms "$p99")" "$cpu"
  done
  read -r trps tcpu <<<"$(avg "${RESULT["$name|tollgate"]}")"
  read -r nrps ncpu <<<"$(avg "${RESULT["$name|nginx"]}")"
  printf '%-16s %-9s %10s %30s\n' "$name" ratio "$(awk -v a="$trps" -v b="$nrps" 'BEGIN{printf "%.2f", a/b}')" "cpu x$(awk -v a="$tcpu" -v b="$ncpu" 'BEGIN{printf "%.2f", a/b}')"
done
if [ -n "${RESULT["1route-c50|tollgate"]:-}" ] && [ -n "${RESULT["10k-routes-c50|tollgate"]:-}" ]; then
read -r r1 _ <<<"$(avg "${RESULT["1route-c50|tollgate"]}")"
read -r r10k _ <<<"$(avg "${RESULT["10k-routes-c50|tollgate"]}")"
echo "throughput 10000 routes vs 1 route: $(awk -v a="$r10k" -v b="$r1" 'BEGIN{printf "%+.1f%%", (a/b-1)*100}')"
fi

if [ "${PROFILE:-0}" = 1 ]; then
  mkdir -p "$WORK/prof"
  start_tollgate 1 "--cpu-prof --cpu-prof-dir=$WORK/prof"
  taskset -c $LOAD_CPU wrk -t1 -c50 -d"${DURATION}s" "http://127.0.0.1:$TG_PORT/api/v1/r0/x" >/dev/null
  stop_tollgate
  node "$ROOT/bench/proxy/profile-summary.js" "$WORK"/prof/*.cpuprofile
fi

#!/usr/bin/env bash
# Tollgate data plane vs nginx proxy_pass, Caddy reverse_proxy and the Node floor (node-floor.js), on loopback. One command: bench/proxy/run.sh
# Needs: wrk, nginx (Debian nginx-light), caddy (Debian caddy). Proxies pinned to core 1, wrk and the upstream
# nginx on core 0. Nothing is downloaded: Caddy runs with admin off, automatic HTTPS off and a local certificate.
# CPU per request is the proxy process's utime + stime over the measured run; user_us/req is its utime alone (the
# kernel's share is the loopback TCP path and waking the peers, which every proxy pays, more on a VM the more often
# the load generator's core sleeps; the user share is the proxy's own work). Env: DURATION (s, default 5), ROUNDS (interleaved rounds, default 2), CASES (subset of ALL_CASES below),
# WARMUP (s of load before each measurement, default 3: on a busy machine V8 is still tiering up after 1 s, and a
# 1 s warm-up measured Tollgate at up to twice its steady CPU per request),
# PROFILE=1 (writes a .cpuprofile of the 1-route/50-connection case and prints its top functions after warm-up),
# PROFILE=perf (the same case under `perf record -e cpu-clock -g` with node --perf-basic-prof, Debian's linux-perf:
# kernel, native and JIT shares, and user-space time by innermost JS function, see perf-summary.js),
# BASELINE=<checkout> (another Tollgate checkout, e.g. a `git worktree` of an older commit, measured as a
# fourth proxy in the same run: a regression check under the same load), PORT_BASE (default 18000),
# TG_FLAGS (node flags of the Tollgate process; default: the ones `tollgate start` gives a data-plane worker,
# workerExecArgv, so that the figures are those of the product as shipped), BASELINE_FLAGS (the baseline's; default
# TG_FLAGS: BASELINE=. BASELINE_FLAGS=... measures a V8 setting against the shipped one on the same code).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
DURATION=${DURATION:-5}
WARMUP=${WARMUP:-3}
ROUNDS=${ROUNDS:-2}
BASELINE=${BASELINE:-}
WORK=$(mktemp -d /tmp/tollgate-bench.XXXXXX)
export PREFIX="$WORK/prefix" # serve.ts/plugins-serve.ts: this run's own node prefix
P=${PORT_BASE:-18000}
TG_PORT=$P TG_TLS=$((P + 443)) UP_PORT=$((P + 80)) NGX_PORT=$((P + 81)) NGX_TLS=$((P + 444)) CADDY_PORT=$((P + 82)) CADDY_TLS=$((P + 445)) FLOOR_PORT=$((P + 83)) FLOOR_TLS=$((P + 446))
PROXY_CPU=1 LOAD_CPU=0
command -v wrk >/dev/null || { echo "wrk missing: apt-get install -y wrk" >&2; exit 1; }
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || { echo "nginx missing: apt-get install -y nginx-light" >&2; exit 1; }
CADDY=$(command -v caddy || echo /usr/bin/caddy)
[ -x "$CADDY" ] || { echo "caddy missing: apt-get install -y caddy" >&2; exit 1; }
[ -z "$BASELINE" ] || [ -f "$BASELINE/bench/proxy/serve.ts" ] || { echo "BASELINE=$BASELINE: no bench/proxy/serve.ts there" >&2; exit 1; }

PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -f "$WORK/up/nginx.pid" ] && kill "$(cat "$WORK/up/nginx.pid")" 2>/dev/null || true
  [ -f "$WORK/ref/nginx.pid" ] && kill "$(cat "$WORK/ref/nginx.pid")" 2>/dev/null || true
  wait 2>/dev/null || true
  [ "${PROFILE:-0}" = 1 ] || rm -rf "$WORK" # PROFILE=1 keeps the .cpuprofile
  rm -f "/tmp/perf-${PERF_PID:-none}.map" # PROFILE=perf: node --perf-basic-prof writes its map there
}
trap cleanup EXIT

node "$ROOT/bench/proxy/build.js" "$WORK/js"
# shellcheck source=worker-flags.sh
. "$ROOT/bench/proxy/worker-flags.sh"
BASELINE_FLAGS=${BASELINE_FLAGS-$TG_FLAGS}
echo "tollgate node flags: ${TG_FLAGS:-none}${BASELINE:+; baseline: ${BASELINE_FLAGS:-none}}" >&2
[ -n "$BASELINE" ] && node "$BASELINE/bench/proxy/build.js" "$WORK/js-baseline"
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

# Caddy as nginx above: one route to the same upstream, plain and TLS listeners, an idle pool as large as nginx's
# `keepalive 512` (Caddy keeps 32 per host by default, so 50 connections would churn). Native JSON rather than a
# Caddyfile: no host matcher, and the admin endpoint, config autosave, automatic HTTPS and the local CA are all off.
caddy_server() { # $1 listen address, $2 extra JSON members
  cat <<JSON
{ "listen": ["$1"], "protocols": ["h1"], "automatic_https": { "disable": true }, $2
  "routes": [{ "handle": [{ "handler": "reverse_proxy", "upstreams": [{ "dial": "127.0.0.1:$UP_PORT" }],
    "transport": { "protocol": "http", "keep_alive": { "idle_timeout": 60000000000, "max_idle_conns": 512, "max_idle_conns_per_host": 512 } } }] }] }
JSON
}
mkdir -p "$WORK/caddy"
cat >"$WORK/caddy/caddy.json" <<JSON
{
  "admin": { "disabled": true, "config": { "persist": false } },
  "logging": { "logs": { "default": { "level": "ERROR" } } },
  "storage": { "module": "file_system", "root": "$WORK/caddy/data" },
  "apps": {
    "http": { "servers": {
      "plain": $(caddy_server "127.0.0.1:$CADDY_PORT" ""),
      "tls": $(caddy_server "127.0.0.1:$CADDY_TLS" '"tls_connection_policies": [{ "certificate_selection": { "any_tag": ["bench"] } }],')
    } },
    "tls": { "certificates": { "load_files": [{ "certificate": "$WORK/cert.pem", "key": "$WORK/key.pem", "tags": ["bench"] }] } }
  }
}
JSON
# HOME and XDG_* point into $WORK so that nothing lands in the user's Caddy directories
(cd "$WORK/caddy" && HOME="$WORK/caddy" XDG_DATA_HOME="$WORK/caddy" XDG_CONFIG_HOME="$WORK/caddy" \
  exec taskset -c $PROXY_CPU "$CADDY" run --config "$WORK/caddy/caddy.json" >"$WORK/caddy/out.log" 2>&1) &
CADDY_PID=$!
PIDS+=("$CADDY_PID")
for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$CADDY_PORT/" && break; sleep 0.05; done
curl -s -o /dev/null "http://127.0.0.1:$CADDY_PORT/" || { echo "caddy did not start:" >&2; cat "$WORK/caddy/out.log" >&2; exit 1; }
sleep 0.2
NGX_WORKER=$(pgrep -P "$(cat "$WORK/ref/nginx.pid")" | head -1)

# The Node floor (node-floor.js): bytes forwarded verbatim, nothing parsed but the framing. What it costs is what
# any Node proxy costs on this machine before it does a gateway's work; Tollgate's ratio to it is that work's price.
UPSTREAM_PORT=$UP_PORT HTTP_PORT=$FLOOR_PORT HTTPS_PORT=$FLOOR_TLS CERT="$WORK/cert.pem" KEY="$WORK/key.pem" \
  taskset -c $PROXY_CPU node "$ROOT/bench/proxy/node-floor.js" >"$WORK/floor.out" 2>&1 &
FLOOR_PID=$!
PIDS+=("$FLOOR_PID")
for _ in $(seq 1 100); do grep -q READY "$WORK/floor.out" 2>/dev/null && break; sleep 0.05; done
grep -q READY "$WORK/floor.out" || { echo "node-floor did not start:" >&2; cat "$WORK/floor.out" >&2; exit 1; }

start_tollgate() { # $1 routes, $2 extra node flags, $3 access log path (empty: proxy_access_log = off), $4 build dir (default $WORK/js)
  ACCESS_LOG=${3:-} ROUTES=$1 HTTP_PORT=$TG_PORT HTTPS_PORT=$TG_TLS UPSTREAM_PORT=$UP_PORT \
    taskset -c $PROXY_CPU node --expose-gc $2 "${4:-$WORK/js}/bench/proxy/serve.js" >"$WORK/tg.out" 2>"$WORK/tg.err" &
  TG_PID=$!
  PIDS+=("$TG_PID")
  for _ in $(seq 1 200); do grep -q READY "$WORK/tg.out" 2>/dev/null && break; sleep 0.05; done
  read -r _ TG_COMPILE TG_RSS <"$WORK/tg.out"
}
stop_tollgate() { kill -TERM "$TG_PID" 2>/dev/null || true; wait "$TG_PID" 2>/dev/null || true; }

# utime + stime of the whole process (every thread: Node's GC and libuv threads, Go's runtime threads), and utime
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
user_ticks() { awk '{print $14}' "/proc/$1/stat"; }
CLK_TCK=$(getconf CLK_TCK)

# run <pid> <url> <connections> -> "rps p50 p99 cpu_us_per_req user_us_per_req"
run() {
  local pid=$1 url=$2 conns=$3
  taskset -c $LOAD_CPU wrk -t1 -c"$conns" -d"${WARMUP}s" "$url" >/dev/null 2>&1 # warm-up (JIT, pools)
  local t0; t0=$(cpu_ticks "$pid")
  local u0; u0=$(user_ticks "$pid")
  local out; out=$(taskset -c $LOAD_CPU wrk -t1 -c"$conns" -d"${DURATION}s" --latency "$url")
  local t1; t1=$(cpu_ticks "$pid")
  local u1; u1=$(user_ticks "$pid")
  local reqs; reqs=$(echo "$out" | awk '/requests in/ {print $1}')
  local rps; rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  local p50; p50=$(echo "$out" | awk '$1=="50%" {print $2}')
  local p99; p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  local errs; errs=$(echo "$out" | awk '/Non-2xx|Socket errors/ {print}' | tr '\n' ' ')
  [ -n "$errs" ] && echo "    ($errs)" >&2
  echo "$rps $p50 $p99 $(awk -v d=$((t1 - t0)) -v u=$((u1 - u0)) -v n="$reqs" -v hz="$CLK_TCK" 'BEGIN{printf "%.1f %.1f", d*1e6/hz/n, u*1e6/hz/n}')"
}

to_ms() { awk -v v="$1" 'BEGIN{ if (v ~ /us$/) printf "%.3f", v/1000; else if (v ~ /ms$/) printf "%.3f", v+0; else if (v ~ /s$/) printf "%.3f", v*1000; else print v }'; }

declare -A RESULT
record() { # key proxy "rps p50 p99 cpu user"
  RESULT["$1|$2"]="${RESULT["$1|$2"]:-} $3"
}

# name:routes:scheme:connections[:log] — `log` turns proxy_access_log on for Tollgate (nginx and Caddy keep their
# access logs off, so that row shows what the access log costs). nginx and Caddy carry one route in every case:
# the 10000-route case measures what Tollgate's routes cost against a peer that has none to search.
# CASES="..." (space-separated names, or full name:routes:scheme:conns[:log] forms) runs a subset.
ALL_CASES="1route-c50:1:http:50 1route-c50-log:1:http:50:log 1route-c1:1:http:1 10k-routes-c50:10000:http:50 https-c50:1:https:50"
read -r -a WANTED <<<"${CASES:-$ALL_CASES}"
# a case may be named alone (CASES="1route-c50 https-c50"): its full form comes from ALL_CASES
CASES=()
for w in "${WANTED[@]}"; do
  full=$w
  [[ $w == *:* ]] || for a in $ALL_CASES; do [ "${a%%:*}" = "$w" ] && full=$a; done
  [[ $full == *:* ]] || { echo "CASES: unknown case '$w' (known: $(for a in $ALL_CASES; do printf '%s ' "${a%%:*}"; done))" >&2; exit 1; }
  CASES+=("$full")
done
PROXIES=(tollgate ${BASELINE:+baseline} nginx caddy node-floor)
for round in $(seq 1 "$ROUNDS"); do
  for c in "${CASES[@]}"; do
    IFS=: read -r name routes scheme conns log <<<"$c"
    if [ "$scheme" = https ]; then base=https; tg=$TG_TLS ngx=$NGX_TLS cdy=$CADDY_TLS flr=$FLOOR_TLS; else base=http; tg=$TG_PORT ngx=$NGX_PORT cdy=$CADDY_PORT flr=$FLOOR_PORT; fi
    for build in tollgate ${BASELINE:+baseline}; do
      start_tollgate "$routes" "$([ "$build" = baseline ] && echo "$BASELINE_FLAGS" || echo "$TG_FLAGS")" "$([ "${log:-}" = log ] && echo "$WORK/access.log")" "$WORK/js$([ "$build" = baseline ] && echo -baseline)"
      [ "$routes" = 10000 ] && echo "$build: compile of 10000 routes: ${TG_COMPILE} ms, RSS after compile ${TG_RSS} MB" >&2
      record "$name" "$build" "$(run "$TG_PID" "$base://127.0.0.1:$tg/api/v1/r$((routes / 2))/x" "$conns")"
      TG_RSS_AFTER=$(awk '/VmRSS/ {printf "%.1f", $2/1024}' "/proc/$TG_PID/status")
      [ "$routes" = 10000 ] && echo "$build: RSS after load at 10000 routes: ${TG_RSS_AFTER} MB" >&2
      stop_tollgate
    done
    record "$name" nginx "$(run "$NGX_WORKER" "$base://127.0.0.1:$ngx/api/v1/r0/x" "$conns")"
    record "$name" caddy "$(run "$CADDY_PID" "$base://127.0.0.1:$cdy/api/v1/r0/x" "$conns")"
    record "$name" node-floor "$(run "$FLOOR_PID" "$base://127.0.0.1:$flr/api/v1/r0/x" "$conns")"
  done
done

# RESULT entries: 5 fields per round (rps p50 p99 cpu user)
avg() { echo "$1" | awk '{ n=NF/5; for(i=0;i<n;i++){ r+=$(i*5+1); c+=$(i*5+4); u+=$(i*5+5) } ; printf "%.0f %.1f %.1f", r/n, c/n, u/n }'; }
last_lat() { echo "$1" | awk '{ print $(NF-3), $(NF-2) }'; }
# cpu_us/req per round, to show the spread behind the average
rounds_cpu() { echo "$1" | awk '{ s=""; for(i=4;i<=NF;i+=5) s=s (s==""?"":" ") $i; print s }'; }
ratio() { # $1 case, $2 proxy, $3 reference proxy -> "rps_ratio cpu xN (rounds min-max)"
  read -r arps acpu auser <<<"$(avg "${RESULT["$1|$2"]}")"
  read -r brps bcpu buser <<<"$(avg "${RESULT["$1|$3"]}")"
  # each round's ratio pairs two measurements taken minutes apart at most: its spread is the load's noise
  local spread; spread=$(echo "${RESULT["$1|$2"]} | ${RESULT["$1|$3"]}" | awk -F'|' '{ split($1, a, " "); split($2, b, " ");
    for (i = 4; i in a; i += 5) { r = a[i] / b[i]; if (lo == "" || r < lo) lo = r; if (r > hi) hi = r } printf "%.2f-%.2f", lo, hi }')
  awk -v a="$arps" -v b="$brps" -v c="$acpu" -v d="$bcpu" -v s="$spread" -v e="$auser" -v f="$buser" 'BEGIN{printf "%.2f cpu x%.2f (rounds %s), user x%.2f", a/b, c/d, s, e/f}'
}

printf '\n%-16s %-19s %10s %9s %9s %12s %11s  %s\n' case proxy req/s p50_ms p99_ms cpu_us/req user_us/req "(cpu per round)"
for c in "${CASES[@]}"; do
  IFS=: read -r name _ _ _ <<<"$c"
  for proxy in "${PROXIES[@]}"; do
    read -r rps cpu user <<<"$(avg "${RESULT["$name|$proxy"]}")"
    read -r p50 p99 <<<"$(last_lat "${RESULT["$name|$proxy"]}")"
    printf '%-16s %-19s %10s %9s %9s %12s %11s  (%s)\n' "$name" "$proxy" "$rps" "$(to_ms "$p50")" "$(to_ms "$p99")" "$cpu" "$user" "$(rounds_cpu "${RESULT["$name|$proxy"]}")"
  done
  for pair in tollgate/nginx tollgate/caddy caddy/nginx node-floor/nginx tollgate/node-floor ${BASELINE:+tollgate/baseline}; do
    read -r r cx <<<"$(ratio "$name" "${pair%/*}" "${pair#*/}")"
    printf '%-16s %-19s %10s %41s\n' "$name" "$pair" "$r" "$cx"
  done
done
if [ -n "${RESULT["1route-c50|tollgate"]:-}" ] && [ -n "${RESULT["10k-routes-c50|tollgate"]:-}" ]; then
read -r r1 _ <<<"$(avg "${RESULT["1route-c50|tollgate"]}")"
read -r r10k _ <<<"$(avg "${RESULT["10k-routes-c50|tollgate"]}")"
echo "throughput 10000 routes vs 1 route: $(awk -v a="$r10k" -v b="$r1" 'BEGIN{printf "%+.1f%%", (a/b-1)*100}')"
fi

if [ "${PROFILE:-0}" = perf ]; then
  command -v perf >/dev/null || { echo "PROFILE=perf: perf missing (apt-get install -y linux-perf)" >&2; exit 1; }
  start_tollgate 1 "$TG_FLAGS --perf-basic-prof"
  PERF_PID=$TG_PID
  taskset -c $LOAD_CPU wrk -t1 -c50 -d"${WARMUP}s" "http://127.0.0.1:$TG_PORT/api/v1/r0/x" >/dev/null
  taskset -c $LOAD_CPU wrk -t1 -c50 -d"$((DURATION + 2))s" "http://127.0.0.1:$TG_PORT/api/v1/r0/x" >/dev/null &
  WRK_PID=$!
  sleep 1
  perf record -q -e cpu-clock -F 5000 -g -p "$TG_PID" -o "$WORK/perf.data" -- sleep "$DURATION" >/dev/null 2>&1
  wait "$WRK_PID"
  perf script -i "$WORK/perf.data" -F ip,sym,dso 2>/dev/null | node "$ROOT/bench/proxy/perf-summary.js" 30
  stop_tollgate
fi

if [ "${PROFILE:-0}" = 1 ]; then
  mkdir -p "$WORK/prof"
  start_tollgate 1 "$TG_FLAGS --cpu-prof --cpu-prof-dir=$WORK/prof"
  taskset -c $LOAD_CPU wrk -t1 -c50 -d"$((WARMUP + DURATION))s" "http://127.0.0.1:$TG_PORT/api/v1/r0/x" >/dev/null
  stop_tollgate
  # the summary skips start-up and the warm-up: the measured window only
  node "$ROOT/bench/proxy/profile-summary.js" "$WORK"/prof/*.cpuprofile "$WARMUP"
  echo "profile: $(ls "$WORK"/prof/*.cpuprofile)"
fi

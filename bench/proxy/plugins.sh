#!/usr/bin/env bash
# key-auth + rate-limiting on 100 routes / 100 consumers vs the same routes without plugins, same run, same CPU
# pinning as run.sh (proxy on core 1, wrk + upstream nginx on core 0). Also the redis policy (REDIS=1, needs
# Redis on 127.0.0.1:6379). TRACING=1 (default) adds the per-request cost of opentelemetry (every request traced,
# spans exported as OTLP protobuf) and of http-log (one POST per request, Kong's default queue) against the same
# routes without plugins, both shipping to a second nginx on core 0.
# Issue #11's targets, printed against their limits: key-auth + rate-limiting (local) CPU per request <= 2x nginx
# proxy_pass (a second nginx on core 1, as in run.sh, measured in every round) and <= 1.25x the same routes without
# plugins. Local counters are node-wide in the shared file, as a worker of `tollgate start` has them, when the
# addon is built (native/transparent/build/Release/shm.node; TOLLGATE_SHM_ADDON overrides), else in process memory.
# Env: DURATION (s, default 5), ROUNDS (default 2), CONNS (default 50), REDIS (default 1), TRACING (default 1),
# WARMUP (s of load before each measurement, default 3: V8 still tiers up after 1 s on a busy machine), TG_FLAGS
# (node flags of the Tollgate process; default: those of a `tollgate start` data-plane worker, worker-flags.sh).
# SUITE=cache (npm run bench:cache): proxy-cache hits on the 100 routes vs plain proxying, the cache in the
# process and node-wide (supervisor + worker over IPC, as `tollgate start` runs it); CPU counts both processes.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
DURATION=${DURATION:-5} ROUNDS=${ROUNDS:-2} CONNS=${CONNS:-50} REDIS=${REDIS:-1} TRACING=${TRACING:-1} SUITE=${SUITE:-auth}
WARMUP=${WARMUP:-3}
WORK=$(mktemp -d /tmp/tollgate-bench-plugins.XXXXXX)
export PREFIX="$WORK/prefix" # serve.ts/plugins-serve.ts: this run's own node prefix
UP_PORT=${UP_PORT:-18090} TG_PORT=${TG_PORT:-18010} SINK_PORT=${SINK_PORT:-18091} NGX_PORT=${NGX_PORT:-18092}
export TOLLGATE_SHM_ADDON=${TOLLGATE_SHM_ADDON:-$ROOT/native/transparent/build/Release/shm.node}
SHM_FILE=; [ -f "$TOLLGATE_SHM_ADDON" ] && SHM_FILE=$WORK/counters
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  stop_upstream_nginx "$WORK/up"
  stop_upstream_nginx "$WORK/sink"
  stop_upstream_nginx "$WORK/ref"
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
# shellcheck source=upstream-nginx.sh
. "$ROOT/bench/proxy/upstream-nginx.sh"
# shellcheck source=worker-flags.sh
. "$ROOT/bench/proxy/worker-flags.sh"
echo "tollgate node flags: ${TG_FLAGS:-none}" >&2
node "$ROOT/bench/proxy/build.js" "$WORK/js"
start_upstream_nginx "$WORK/up" "$UP_PORT"
[ "$TRACING" = 1 ] && [ "$SUITE" != cache ] && start_upstream_nginx "$WORK/sink" "$SINK_PORT"
if [ "$SUITE" != cache ]; then
  # the reference: nginx proxy_pass to the same upstream on the proxy's core, with run.sh's settings
  mkdir -p "$WORK/ref/logs"
  cat >"$WORK/ref/nginx.conf" <<CONF
worker_processes 1; daemon on; pid $WORK/ref/nginx.pid; error_log $WORK/ref/logs/error.log warn;
events { worker_connections 4096; }
http { access_log off; client_body_temp_path $WORK/ref; proxy_temp_path $WORK/ref; fastcgi_temp_path $WORK/ref; uwsgi_temp_path $WORK/ref; scgi_temp_path $WORK/ref;
  keepalive_requests 100000; upstream up { server 127.0.0.1:$UP_PORT; keepalive 512; }
  server { listen 127.0.0.1:$NGX_PORT backlog=16384; location / { proxy_pass http://up; proxy_http_version 1.1; proxy_set_header Connection ''; } } }
CONF
  taskset -c 1 "$NGINX" -p "$WORK/ref" -c "$WORK/ref/nginx.conf" -e "$WORK/ref/logs/error.log"
  NGX_WORKER=
  for _ in $(seq 1 100); do
    [ -f "$WORK/ref/nginx.pid" ] && NGX_WORKER=$(pgrep -P "$(cat "$WORK/ref/nginx.pid")" | head -1 || true)
    [ -n "$NGX_WORKER" ] && break; sleep 0.05
  done
  [ -n "$NGX_WORKER" ] || { echo "the reference nginx did not start" >&2; cat "$WORK/ref/logs/error.log" >&2; exit 1; }
fi

start() { # $1 PLUGINS, $2 POLICY, $3 CACHE (empty, local or node), $4 TRACE (opentelemetry | http-log | empty)
  [ -n "$SHM_FILE" ] && rm -f "$SHM_FILE"
  SHM=$SHM_FILE CACHE=${3:-} TRACE=${4:-} SINK_PORT=$SINK_PORT PLUGINS=$1 POLICY=$2 ROUTES=100 CONSUMERS=100 HTTP_PORT=$TG_PORT UPSTREAM_PORT=$UP_PORT \
    taskset -c 1 node $TG_FLAGS "$WORK/js/bench/proxy/plugins-serve.js" >"$WORK/tg.out" 2>"$WORK/tg.err" &
  TG_PID=$!; PIDS+=("$TG_PID")
  for _ in $(seq 1 1200); do grep -q READY "$WORK/tg.out" 2>/dev/null && break; sleep 0.05; done
  grep -q READY "$WORK/tg.out" || { echo "the data plane did not start (PLUGINS=$1 POLICY=$2)" >&2; cat "$WORK/tg.err" >&2; exit 1; }
}
stop() { kill -TERM "$TG_PID" 2>/dev/null || true; wait "$TG_PID" 2>/dev/null || true; }
# utime + stime of the process and its children (CACHE=node runs a worker under the measured process)
ticks() {
  local t=0 p
  for p in "$1" $(cat /proc/"$1"/task/*/children 2>/dev/null); do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done
  echo "$t"
}
CLK=$(getconf CLK_TCK)
measure() { # [$1 pid, $2 port] -> "rps cpu_us_per_req" (the apikey header is ignored on the cache and tracing cases)
  local pid=${1:-$TG_PID} port=${2:-$TG_PORT}
  ROUTES=100 CONSUMERS=100 WITH_KEY=${WITH_KEY:-1} taskset -c 0 wrk -t1 -c"$CONNS" -d"${WARMUP}s" -s "$ROOT/bench/proxy/plugins-wrk.lua" "http://127.0.0.1:$port" >/dev/null 2>&1
  local t0; t0=$(ticks "$pid")
  local out; out=$(ROUTES=100 CONSUMERS=100 WITH_KEY=${WITH_KEY:-1} taskset -c 0 wrk -t1 -c"$CONNS" -d"${DURATION}s" -s "$ROOT/bench/proxy/plugins-wrk.lua" "http://127.0.0.1:$port")
  [ -e "/proc/$pid" ] || { echo "the process under test exited:" >&2; cat "$WORK/tg.err" >&2; exit 1; }
  local t1; t1=$(ticks "$pid")
  local reqs; reqs=$(echo "$out" | awk '/requests in/ {print $1}')
  local non2xx; non2xx=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
  [ -n "$non2xx" ] && { echo "unexpected non-2xx responses: $non2xx" >&2; exit 1; }
  echo "$(echo "$out" | awk '/Requests\/sec/ {print $2}') $(awk -v t="$((t1 - t0))" -v c="$CLK" -v r="$reqs" 'BEGIN { printf "%.1f", t * 1000000 / c / r }')"
}
probe() { curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$TG_PORT/api/v1/r0/x"; }

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
declare -A RPS CPU
if [ "$SUITE" = cache ]; then
  export WITH_KEY=0
  for round in $(seq 1 "$ROUNDS"); do
    for c in none cache-local cache-node; do
      if [ "$c" = none ]; then start 0 local; else start 0 local "${c#cache-}"; fi
      if [ "$c" != none ]; then
        curl -s -o /dev/null "http://127.0.0.1:$TG_PORT/api/v1/r0/x"
        hit=$(curl -s -D - -o /dev/null "http://127.0.0.1:$TG_PORT/api/v1/r0/x" | tr -d '\r' | awk -F': ' 'tolower($1) == "x-cache-status" {print $2}')
        [ "$hit" = Hit ] || { echo "proxy-cache does not answer from the cache ($c: '$hit')" >&2; cat "$WORK/tg.err" >&2; exit 1; }
      fi
      read -r rps cpu < <(measure) || { echo "the measurement failed ($c): see above" >&2; exit 1; }
      RPS[$c]="${RPS[$c]:-} $rps"; CPU[$c]="${CPU[$c]:-} $cpu"
      stop
    done
  done
  best() { echo "$1" | tr ' ' '\n' | grep -v '^$' | sort -g | tail -1; }
  low() { echo "$1" | tr ' ' '\n' | grep -v '^$' | sort -g | head -1; }
  printf '%-44s %10s %12s\n' 'case (100 routes)' best_rps cpu_us/req
  printf '%-44s %10s %12s\n' 'plain proxying (no plugin)' "$(best "${RPS[none]}")" "$(low "${CPU[none]}")"
  printf '%-44s %10s %12s\n' 'proxy-cache hit, cache in process' "$(best "${RPS[cache-local]}")" "$(low "${CPU[cache-local]}")"
  printf '%-44s %10s %12s\n' 'proxy-cache hit, node-wide (IPC)' "$(best "${RPS[cache-node]}")" "$(low "${CPU[cache-node]}")"
  awk -v p="$(low "${CPU[none]}")" -v l="$(low "${CPU[cache-local]}")" -v n="$(low "${CPU[cache-node]}")" \
    'BEGIN { printf "cpu per request vs plain proxying: hit in process %.2fx, node-wide hit %.2fx\n", l / p, n / p }'
  exit 0
fi
for round in $(seq 1 "$ROUNDS"); do
  cases="none local"; [ "$REDIS" = 1 ] && cases="$cases redis"; [ "$TRACING" = 1 ] && cases="$cases otel httplog"
  for c in $cases; do
    case $c in
      none) start 0 local ;;
      otel) start 1 local '' opentelemetry ;;
      httplog) start 1 local '' http-log ;;
      *) start 1 "$c" ;;
    esac
    if [ "$c" = otel ] || [ "$c" = httplog ]; then
      [ "$(probe)" = 200 ] || { echo "$c: the traced route does not answer 200" >&2; cat "$WORK/tg.err" >&2; exit 1; }
      if [ "$c" = otel ]; then
        tp=$(curl -s "http://127.0.0.1:$TG_PORT/api/v1/r0/x" -o /dev/null -w '%{http_code}' -H 'traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')
        [ "$tp" = 200 ] || { echo "otel: traced request failed" >&2; exit 1; }
      fi
    elif [ "$c" != none ]; then
      code=$(probe)
      [ "$code" = 401 ] || { echo "plugins are not active on the data plane (expected 401 without a key, got $code)" >&2; cat "$WORK/tg.err" >&2; exit 1; }
    fi
    if [ "$c" = local ] && [ -n "$SHM_FILE" ] && [ ! -s "$SHM_FILE" ]; then echo "the shared counter file was not mapped" >&2; cat "$WORK/tg.err" >&2; exit 1; fi
    read -r rps cpu < <(measure) || { echo "the measurement failed ($c): see above" >&2; exit 1; }
    RPS[$c]="${RPS[$c]:-} $rps"; CPU[$c]="${CPU[$c]:-} $cpu"
    stop
  done
  read -r rps cpu < <(measure "$NGX_WORKER" "$NGX_PORT") || { echo "the nginx measurement failed" >&2; exit 1; }
  RPS[nginx]="${RPS[nginx]:-} $rps"; CPU[nginx]="${CPU[nginx]:-} $cpu"
done
best() { echo "$1" | tr ' ' '\n' | sort -g | tail -1; }
low() { echo "$1" | tr ' ' '\n' | grep -v '^$' | sort -g | head -1; }
echo "load average (1, 5, 15 min) at start: $LOAD_BEFORE, at end: $(cut -d' ' -f1-3 /proc/loadavg) (2 cores: above ~1 the figures carry other work's noise)"
NONE=$(best "${RPS[none]}") LOCAL=$(best "${RPS[local]}")
printf '%-40s %10s %12s  %s\n' case rps cpu_us/req '(per round)'
printf '%-40s %10s %12s  (%s)\n' 'nginx proxy_pass (1 route)' "$(best "${RPS[nginx]}")" "$(low "${CPU[nginx]}")" "${CPU[nginx]# }"
printf '%-40s %10s %12s  (%s)\n' 'no plugins (100 routes)' "$NONE" "$(low "${CPU[none]}")" "${CPU[none]# }"
printf '%-40s %10s %12s  (%s)\n' "key-auth + rate-limiting local${SHM_FILE:+ (shm)}" "$LOCAL" "$(low "${CPU[local]}")" "${CPU[local]# }"
[ "$REDIS" = 1 ] && printf '%-40s %10s %12s  (%s)\n' 'key-auth + rate-limiting redis' "$(best "${RPS[redis]}")" "$(low "${CPU[redis]}")" "${CPU[redis]# }"
awk -v a="$NONE" -v b="$LOCAL" 'BEGIN { printf "throughput loss (local): %.1f%%\n", (1 - b / a) * 100 }'
# each round's ratio pairs measurements a minute apart at most; the spread over rounds is the machine's noise
per_round() { # $1 $2 cpu lists -> "lo-hi" of $1[i] / $2[i]
  awk -v a="$1" -v b="$2" 'BEGIN { n = split(a, x, " "); split(b, y, " "); for (i = 1; i <= n; i++) { r = x[i] / y[i]; if (lo == "" || r < lo) lo = r; if (r > hi) hi = r } printf "%.2f-%.2f", lo, hi }'
}
awk -v l="$(low "${CPU[local]}")" -v n="$(low "${CPU[nginx]}")" -v s="$(per_round "${CPU[local]}" "${CPU[nginx]}")" \
  'BEGIN { printf "cpu/request key-auth + rate-limiting local vs nginx proxy_pass: x%.2f (rounds %s; target <= 2.00) %s\n", l / n, s, l / n <= 2 ? "MET" : "NOT MET" }'
awk -v l="$(low "${CPU[local]}")" -v n="$(low "${CPU[none]}")" -v s="$(per_round "${CPU[local]}" "${CPU[none]}")" \
  'BEGIN { printf "plugins cost, cpu/request local vs no plugins: x%.2f (rounds %s; target <= 1.25) %s\n", l / n, s, l / n <= 1.25 ? "MET" : "NOT MET" }'
if [ "$TRACING" = 1 ]; then
  NCPU=$(low "${CPU[none]}") OCPU=$(low "${CPU[otel]}") HCPU=$(low "${CPU[httplog]}")
  printf '%-40s %10s %12s\n' 'opentelemetry (all spans, rate 1)' "$(best "${RPS[otel]}")" "$OCPU"
  printf '%-40s %10s %12s\n' 'http-log (batch 1)' "$(best "${RPS[httplog]}")" "$HCPU"
  for c in otel httplog; do
    awk -v name="$c" -v a="$NONE" -v b="$(best "${RPS[$c]}")" -v ca="$NCPU" -v cb="$(low "${CPU[$c]}")" \
      'BEGIN { printf "%s vs no plugins: throughput x%.2f, cpu/request x%.2f (+%d us)\n", name, b / a, cb / ca, cb - ca }'
  done
fi

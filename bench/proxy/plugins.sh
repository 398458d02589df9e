#!/usr/bin/env bash
# key-auth + rate-limiting on 100 routes / 100 consumers vs the same routes without plugins, same run, same CPU
# pinning as run.sh (proxy on core 1, wrk + upstream nginx on core 0). Also the redis policy (REDIS=1, needs
# Redis on 127.0.0.1:6379). TRACING=1 (default) adds the per-request cost of opentelemetry (every request traced,
# spans exported as OTLP protobuf) and of http-log (one POST per request, Kong's default queue) against the same
# routes without plugins, both shipping to a second nginx on core 0.
# Env: DURATION (s, default 5), ROUNDS (default 2), CONNS (default 50), REDIS (default 1), TRACING (default 1).
# SUITE=cache (npm run bench:cache): proxy-cache hits on the 100 routes vs plain proxying, the cache in the
# process and node-wide (supervisor + worker over IPC, as `tollgate start` runs it); CPU counts both processes.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
DURATION=${DURATION:-5} ROUNDS=${ROUNDS:-2} CONNS=${CONNS:-50} REDIS=${REDIS:-1} TRACING=${TRACING:-1} SUITE=${SUITE:-auth}
WORK=$(mktemp -d /tmp/tollgate-bench-plugins.XXXXXX)
UP_PORT=${UP_PORT:-18090} TG_PORT=${TG_PORT:-18010} SINK_PORT=${SINK_PORT:-18091}
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  stop_upstream_nginx "$WORK/up"
  stop_upstream_nginx "$WORK/sink"
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
# shellcheck source=upstream-nginx.sh
. "$ROOT/bench/proxy/upstream-nginx.sh"
node "$ROOT/bench/proxy/build.js" "$WORK/js"
start_upstream_nginx "$WORK/up" "$UP_PORT"
[ "$TRACING" = 1 ] && [ "$SUITE" != cache ] && start_upstream_nginx "$WORK/sink" "$SINK_PORT"

start() { # $1 PLUGINS, $2 POLICY, $3 CACHE (empty, local or node), $4 TRACE (opentelemetry | http-log | empty)
  CACHE=${3:-} TRACE=${4:-} SINK_PORT=$SINK_PORT PLUGINS=$1 POLICY=$2 ROUTES=100 CONSUMERS=100 HTTP_PORT=$TG_PORT UPSTREAM_PORT=$UP_PORT \
    taskset -c 1 node "$WORK/js/bench/proxy/plugins-serve.js" >"$WORK/tg.out" 2>"$WORK/tg.err" &
  TG_PID=$!; PIDS+=("$TG_PID")
  for _ in $(seq 1 200); do grep -q READY "$WORK/tg.out" 2>/dev/null && break; sleep 0.05; done
}
stop() { kill -TERM "$TG_PID" 2>/dev/null || true; wait "$TG_PID" 2>/dev/null || true; }
# utime + stime of the process and its children (CACHE=node runs a worker under the measured process)
ticks() {
  local t=0 p
  for p in "$1" $(cat /proc/"$1"/task/*/children 2>/dev/null); do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done
  echo "$t"
}
CLK=$(getconf CLK_TCK)
measure() { # -> "rps cpu_us_per_req" (the apikey header is ignored on the cache and tracing cases)
  ROUTES=100 CONSUMERS=100 WITH_KEY=${WITH_KEY:-1} taskset -c 0 wrk -t1 -c"$CONNS" -d1s -s "$ROOT/bench/proxy/plugins-wrk.lua" "http://127.0.0.1:$TG_PORT" >/dev/null 2>&1
  local t0; t0=$(ticks "$TG_PID")
  local out; out=$(ROUTES=100 CONSUMERS=100 WITH_KEY=${WITH_KEY:-1} taskset -c 0 wrk -t1 -c"$CONNS" -d"${DURATION}s" -s "$ROOT/bench/proxy/plugins-wrk.lua" "http://127.0.0.1:$TG_PORT")
  local t1; t1=$(ticks "$TG_PID")
  local reqs; reqs=$(echo "$out" | awk '/requests in/ {print $1}')
  local non2xx; non2xx=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
  [ -n "$non2xx" ] && { echo "unexpected non-2xx responses: $non2xx" >&2; exit 1; }
  echo "$(echo "$out" | awk '/Requests\/sec/ {print $2}') $(awk -v t="$((t1 - t0))" -v c="$CLK" -v r="$reqs" 'BEGIN { printf "%.1f", t * 1000000 / c / r }')"
}
probe() { curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$TG_PORT/api/v1/r0/x"; }

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
      read -r rps cpu < <(measure)
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
    read -r rps cpu < <(measure)
    RPS[$c]="${RPS[$c]:-} $rps"; CPU[$c]="${CPU[$c]:-} $cpu"
    stop
  done
done
best() { echo "$1" | tr ' ' '\n' | sort -g | tail -1; }
low() { echo "$1" | tr ' ' '\n' | grep -v '^$' | sort -g | head -1; }
NONE=$(best "${RPS[none]}") LOCAL=$(best "${RPS[local]}")
printf '%-34s %10s %12s\n' case rps cpu_us/req
printf '%-34s %10s %12s\n' 'no plugins (100 routes)' "$NONE" "$(low "${CPU[none]}")"
printf '%-34s %10s %12s\n' 'key-auth + rate-limiting local' "$LOCAL" "$(low "${CPU[local]}")"
[ "$REDIS" = 1 ] && printf '%-34s %10s %12s\n' 'key-auth + rate-limiting redis' "$(best "${RPS[redis]}")" "$(low "${CPU[redis]}")"
awk -v a="$NONE" -v b="$LOCAL" 'BEGIN { printf "throughput loss (local): %.1f%% (target <= 25%%)\n", (1 - b / a) * 100 }'
if [ "$TRACING" = 1 ]; then
  NCPU=$(low "${CPU[none]}") OCPU=$(low "${CPU[otel]}") HCPU=$(low "${CPU[httplog]}")
  printf '%-34s %10s %12s\n' 'opentelemetry (all spans, rate 1)' "$(best "${RPS[otel]}")" "$OCPU"
  printf '%-34s %10s %12s\n' 'http-log (batch 1)' "$(best "${RPS[httplog]}")" "$HCPU"
  for c in otel httplog; do
    awk -v name="$c" -v a="$NONE" -v b="$(best "${RPS[$c]}")" -v ca="$NCPU" -v cb="$(low "${CPU[$c]}")" \
      'BEGIN { printf "%s vs no plugins: throughput x%.2f, cpu/request x%.2f (+%d us)\n", name, b / a, cb / ca, cb - ca }'
  done
fi

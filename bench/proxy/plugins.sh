#!/usr/bin/env bash
# key-auth + rate-limiting on 100 routes / 100 consumers vs the same routes without plugins, same run, same CPU
# pinning as run.sh (proxy on core 1, wrk + upstream nginx on core 0). Also the redis policy (REDIS=1, needs
# Redis on 127.0.0.1:6379). Env: DURATION (s, default 5), ROUNDS (default 2), CONNS (default 50).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
DURATION=${DURATION:-5} ROUNDS=${ROUNDS:-2} CONNS=${CONNS:-50} REDIS=${REDIS:-1}
WORK=$(mktemp -d /tmp/tollgate-bench-plugins.XXXXXX)
UP_PORT=18090 TG_PORT=18010
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  stop_upstream_nginx "$WORK/up"
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
# shellcheck source=upstream-nginx.sh
. "$ROOT/bench/proxy/upstream-nginx.sh"
node "$ROOT/bench/proxy/build.js" "$WORK/js"
start_upstream_nginx "$WORK/up" "$UP_PORT"

start() { # $1 PLUGINS, $2 POLICY
  PLUGINS=$1 POLICY=$2 ROUTES=100 CONSUMERS=100 HTTP_PORT=$TG_PORT UPSTREAM_PORT=$UP_PORT \
    taskset -c 1 node "$WORK/js/bench/proxy/plugins-serve.js" >"$WORK/tg.out" 2>"$WORK/tg.err" &
  TG_PID=$!; PIDS+=("$TG_PID")
  for _ in $(seq 1 200); do grep -q READY "$WORK/tg.out" 2>/dev/null && break; sleep 0.05; done
}
stop() { kill -TERM "$TG_PID" 2>/dev/null || true; wait "$TG_PID" 2>/dev/null || true; }
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
CLK=$(getconf CLK_TCK)
measure() { # -> "rps cpu_us_per_req"
  ROUTES=100 CONSUMERS=100 taskset -c 0 wrk -t1 -c"$CONNS" -d1s -s "$ROOT/bench/proxy/plugins-wrk.lua" "http://127.0.0.1:$TG_PORT" >/dev/null 2>&1
  local t0; t0=$(ticks "$TG_PID")
  local out; out=$(ROUTES=100 CONSUMERS=100 taskset -c 0 wrk -t1 -c"$CONNS" -d"${DURATION}s" -s "$ROOT/bench/proxy/plugins-wrk.lua" "http://127.0.0.1:$TG_PORT")
  local t1; t1=$(ticks "$TG_PID")
  local reqs; reqs=$(echo "$out" | awk '/requests in/ {print $1}')
  local non2xx; non2xx=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
  [ -n "$non2xx" ] && { echo "unexpected non-2xx responses: $non2xx" >&2; exit 1; }
  echo "$(echo "$out" | awk '/Requests\/sec/ {print $2}') $(( (t1 - t0) * 1000000 / CLK / reqs ))"
}
probe() { curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$TG_PORT/api/v1/r0/x"; }

declare -A RPS CPU
for round in $(seq 1 "$ROUNDS"); do
  cases="none local"; [ "$REDIS" = 1 ] && cases="$cases redis"
  for c in $cases; do
    if [ "$c" = none ]; then start 0 local; else start 1 "$c"; fi
    if [ "$c" != none ]; then
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

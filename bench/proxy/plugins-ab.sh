#!/usr/bin/env bash
# A/B of the plugins benchmark against another checkout (BASELINE=<dir>, e.g. an export of the previous commit),
# interleaved round by round so machine noise hits both sides alike. Same pinning and load as plugins.sh.
# Prints per case the best rps and the lowest and median CPU µs/request of the proxy process.
# Local counters are node-wide in the shared file when the addon is built, as in plugins.sh.
# Env: BASELINE (required), DURATION (s, default 5), ROUNDS (default 3), CONNS (default 50), REDIS (default 1),
# WARMUP (s, default 3).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
: "${BASELINE:?set BASELINE to the checkout to compare with}"
DURATION=${DURATION:-5} ROUNDS=${ROUNDS:-3} CONNS=${CONNS:-50} REDIS=${REDIS:-1} WARMUP=${WARMUP:-3}
WORK=$(mktemp -d /tmp/tollgate-bench-plugins-ab.XXXXXX)
export PREFIX="$WORK/prefix" # serve.ts/plugins-serve.ts: this run's own node prefix
export TOLLGATE_SHM_ADDON=${TOLLGATE_SHM_ADDON:-$ROOT/native/transparent/build/Release/shm.node}
SHM_FILE=; [ -f "$TOLLGATE_SHM_ADDON" ] && SHM_FILE=$WORK/counters
UP_PORT=${UP_PORT:-18092} TG_PORT=${TG_PORT:-18012}
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
node "$ROOT/bench/proxy/build.js" "$WORK/after"
node "$BASELINE/bench/proxy/build.js" "$WORK/before"
start_upstream_nginx "$WORK/up" "$UP_PORT"

start() { # $1 build (before|after), $2 PLUGINS, $3 POLICY
  [ -n "$SHM_FILE" ] && rm -f "$SHM_FILE"
  SHM=$SHM_FILE PLUGINS=$2 POLICY=$3 ROUTES=100 CONSUMERS=100 HTTP_PORT=$TG_PORT UPSTREAM_PORT=$UP_PORT \
    taskset -c 1 node "$WORK/$1/bench/proxy/plugins-serve.js" >"$WORK/tg.out" 2>"$WORK/tg.err" &
  TG_PID=$!; PIDS+=("$TG_PID")
  for _ in $(seq 1 1200); do grep -q READY "$WORK/tg.out" 2>/dev/null && break; sleep 0.05; done
  grep -q READY "$WORK/tg.out" || { echo "the data plane did not start ($1 PLUGINS=$2 POLICY=$3)" >&2; cat "$WORK/tg.out" "$WORK/tg.err" >&2; ps -o pid,stat,etime,args -p "$TG_PID" >&2; ss -ltnp | grep ":$TG_PORT " >&2; exit 1; }
}
stop() { kill -TERM "$TG_PID" 2>/dev/null || true; wait "$TG_PID" 2>/dev/null || true; }
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
CLK=$(getconf CLK_TCK)
measure() { # -> "rps cpu_us_per_req" (one decimal)
  ROUTES=100 CONSUMERS=100 taskset -c 0 wrk -t1 -c"$CONNS" -d"${WARMUP}s" -s "$ROOT/bench/proxy/plugins-wrk.lua" "http://127.0.0.1:$TG_PORT" >/dev/null 2>&1
  local t0; t0=$(ticks "$TG_PID")
  local out; out=$(ROUTES=100 CONSUMERS=100 taskset -c 0 wrk -t1 -c"$CONNS" -d"${DURATION}s" -s "$ROOT/bench/proxy/plugins-wrk.lua" "http://127.0.0.1:$TG_PORT")
  local t1; t1=$(ticks "$TG_PID")
  local reqs; reqs=$(echo "$out" | awk '/requests in/ {print $1}')
  local non2xx; non2xx=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
  [ -n "$non2xx" ] && { echo "unexpected non-2xx responses: $non2xx" >&2; exit 1; }
  echo "$(echo "$out" | awk '/Requests\/sec/ {print $2}') $(awk -v t="$((t1 - t0))" -v c="$CLK" -v r="$reqs" 'BEGIN { printf "%.1f", t * 1000000 / c / r }')"
}

declare -A RPS CPU
cases="none:after none:before local:before local:after"
[ "$REDIS" = 1 ] && cases="$cases redis:before redis:after"
for round in $(seq 1 "$ROUNDS"); do
  for c in $cases; do
    policy=${c%%:*} build=${c##*:}
    if [ "$policy" = none ]; then start "$build" 0 local; else start "$build" 1 "$policy"; fi
    read -r rps cpu < <(measure) || { echo "the measurement failed ($c): see above" >&2; exit 1; }
    RPS[$c]="${RPS[$c]:-} $rps"; CPU[$c]="${CPU[$c]:-} $cpu"
    stop
  done
  # alternate which side goes first, so drift over time does not favour one
  cases=$(echo "$cases" | tr ' ' '\n' | awk -F: '{ print $1 ":" ($2 == "before" ? "after" : "before") }' | tr '\n' ' ')
done
best() { echo "$1" | tr ' ' '\n' | grep -v '^$' | sort -g | tail -1; }
low() { echo "$1" | tr ' ' '\n' | grep -v '^$' | sort -g | head -1; }
median() { echo "$1" | tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
printf '%-16s %10s %12s %12s   %s\n' case best_rps cpu_us_min cpu_us_med 'cpu samples'
for c in none:before none:after local:before local:after redis:before redis:after; do
  [ -n "${CPU[$c]:-}" ] || continue
  printf '%-16s %10s %12s %12s  %s\n' "$c" "$(best "${RPS[$c]}")" "$(low "${CPU[$c]}")" "$(median "${CPU[$c]}")" "${CPU[$c]}"
done

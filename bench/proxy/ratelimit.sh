#!/usr/bin/env bash
# rate-limiting `policy = local` at ONE route (every request on one counter: the most contended case), counters
# node-wide in the shared file vs the same table in process memory vs BASE_REF's rate-limiting plugin (main:
# per-worker maps; only that plugin's folder is taken from BASE_REF, so nothing else differs) vs no plugin,
# interleaved round by round, same pinning as plugins.sh (proxy on core 1, wrk + upstream nginx on core 0).
# One command: npm run bench:ratelimit. Env: DURATION (s, default 3), ROUNDS (default 2), CONNS (default 50),
# BASE_REF (default main; empty to skip the baseline).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
DURATION=${DURATION:-3} ROUNDS=${ROUNDS:-2} CONNS=${CONNS:-50} BASE_REF=${BASE_REF-main}
WORK=$(mktemp -d /tmp/tollgate-bench-ratelimit.XXXXXX)
export PREFIX="$WORK/prefix" # serve.ts/plugins-serve.ts: this run's own node prefix
UP_PORT=${UP_PORT:-18094} TG_PORT=${TG_PORT:-18014}
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
export TOLLGATE_SHM_ADDON="$ROOT/native/transparent/build/Release/shm.node"
[ -f "$TOLLGATE_SHM_ADDON" ] || { echo "build the addon first: npx node-gyp rebuild --directory native/transparent" >&2; exit 1; }
cases="none:after process:after shared:after"
if [ -n "$BASE_REF" ]; then
  mkdir -p "$WORK/base-src"
  cp -r "$ROOT/apps" "$ROOT/libs" "$ROOT/bench" "$ROOT/package.json" "$WORK/base-src/"
  RL=libs/plugins/src/bundled/rate-limiting
  rm -rf "${WORK:?}/base-src/$RL"
  mkdir -p "$WORK/base-src/$RL"
  git archive "$BASE_REF" "$RL" | tar -x -C "$WORK/base-src"
  ln -s "$ROOT/node_modules" "$WORK/base-src/node_modules"
  node "$WORK/base-src/bench/proxy/build.js" "$WORK/before"
  cases="$cases local:before"
fi
start_upstream_nginx "$WORK/up" "$UP_PORT"

start() { # $1 build, $2 PLUGINS, $3 SHM file or empty
  PLUGINS=$2 SHM=$3 KEYAUTH=0 POLICY=local ROUTES=1 CONSUMERS=1 HTTP_PORT=$TG_PORT UPSTREAM_PORT=$UP_PORT \
    taskset -c 1 node "$WORK/$1/bench/proxy/plugins-serve.js" >"$WORK/tg.out" 2>"$WORK/tg.err" &
  TG_PID=$!; PIDS+=("$TG_PID")
  for _ in $(seq 1 200); do grep -q READY "$WORK/tg.out" 2>/dev/null && break; sleep 0.05; done
}
stop() { kill -TERM "$TG_PID" 2>/dev/null || true; wait "$TG_PID" 2>/dev/null || true; }
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
CLK=$(getconf CLK_TCK)
measure() { # -> "rps cpu_us_per_req"
  ROUTES=1 WITH_KEY=0 taskset -c 0 wrk -t1 -c"$CONNS" -d1s -s "$ROOT/bench/proxy/plugins-wrk.lua" "http://127.0.0.1:$TG_PORT" >/dev/null 2>&1
  local t0; t0=$(ticks "$TG_PID")
  local out; out=$(ROUTES=1 WITH_KEY=0 taskset -c 0 wrk -t1 -c"$CONNS" -d"${DURATION}s" -s "$ROOT/bench/proxy/plugins-wrk.lua" "http://127.0.0.1:$TG_PORT")
  local t1; t1=$(ticks "$TG_PID")
  local reqs; reqs=$(echo "$out" | awk '/requests in/ {print $1}')
  local non2xx; non2xx=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
  [ -n "$non2xx" ] && { echo "unexpected non-2xx responses: $non2xx" >&2; exit 1; }
  echo "$(echo "$out" | awk '/Requests\/sec/ {print $2}') $(awk -v t="$((t1 - t0))" -v c="$CLK" -v r="$reqs" 'BEGIN { printf "%.1f", t * 1000000 / c / r }')"
}

declare -A RPS CPU
for round in $(seq 1 "$ROUNDS"); do
  for c in $cases; do
    kind=${c%%:*} build=${c##*:}
    case $kind in
      none) start "$build" 0 "" ;;
      shared) rm -f "$WORK/counters"; start "$build" 1 "$WORK/counters" ;;
      *) start "$build" 1 "" ;;
    esac
    if [ "$kind" != none ]; then
      limit=$(curl -s -D - -o /dev/null "http://127.0.0.1:$TG_PORT/api/v1/r0/x" | tr -d '\r' | awk -F': ' 'tolower($1) == "x-ratelimit-limit-hour" {print $2}')
      [ "$limit" = 1000000000 ] || { echo "rate-limiting is not active ($c)" >&2; cat "$WORK/tg.err" >&2; exit 1; }
    fi
    if [ "$kind" = shared ] && [ ! -s "$WORK/counters" ]; then echo "the shared counter file was not mapped" >&2; cat "$WORK/tg.err" >&2; exit 1; fi
    read -r rps cpu < <(measure)
    RPS[$c]="${RPS[$c]:-} $rps"; CPU[$c]="${CPU[$c]:-} $cpu"
    stop
  done
  cases=$(echo "$cases" | tr ' ' '\n' | tac | tr '\n' ' ')
done
best() { echo "$1" | tr ' ' '\n' | grep -v '^$' | sort -g | tail -1; }
low() { echo "$1" | tr ' ' '\n' | grep -v '^$' | sort -g | head -1; }
printf '%-44s %10s %12s\n' 'case (one route, one counter)' best_rps cpu_us_min
label() { case $1 in none:after) echo 'no plugin';; process:after) echo 'rate-limiting local, table in process memory';; shared:after) echo 'rate-limiting local, node-wide shared file';; local:before) echo "rate-limiting local, $BASE_REF (per-worker maps)";; esac; }
for c in none:after local:before process:after shared:after; do
  [ -n "${RPS[$c]:-}" ] || continue
  printf '%-44s %10s %12s\n' "$(label "$c")" "$(best "${RPS[$c]}")" "$(low "${CPU[$c]}")"
done
echo
echo "one counter decision without HTTP (ns, best of $ROUNDS alternating processes x 5 runs x 1e6 calls, core 1):"
micro=("process memory=$WORK/after" "shared file (mmap)=$WORK/after")
[ -n "$BASE_REF" ] && micro=("$BASE_REF per-worker maps=$WORK/before" "${micro[@]}")
declare -A NS
for round in $(seq 1 "$ROUNDS"); do
  # one process each: a process has one counter table
  for m in "${micro[@]}"; do
    ns=$(SHM="$WORK/micro-counters" taskset -c 1 node "$ROOT/bench/proxy/ratelimit-micro.js" "$m" | awk '{print $(NF-1)}')
    NS[$m]="${NS[$m]:-} $ns"
  done
done
for m in "${micro[@]}"; do printf '  %-42s %6s ns/decision\n' "${m%%=*}" "$(low "${NS[$m]}")"; done
if [ -n "${RPS[local:before]:-}" ]; then
  awk -v a="$(best "${RPS[local:before]}")" -v b="$(best "${RPS[shared:after]}")" -v x="$(low "${CPU[local:before]}")" -v y="$(low "${CPU[shared:after]}")" \
    'BEGIN { printf "shared vs %s: throughput %+.1f%%, cpu/request %+.1f%%\n", "'"$BASE_REF"'", (b / a - 1) * 100, (y / x - 1) * 100 }'
fi

#!/usr/bin/env bash
# Instructions per proxied request under callgrind, for the plugins benchmark's cases (no plugins, key-auth +
# rate-limiting local, node-wide counters as `tollgate start` has them): a count that the shared machine's load
# does not move, for A/B of per-request work (the CPU-time ratios in plugins.sh stay the targets). Each case:
# the data plane under valgrind, WARM requests with collection off (start-up, JIT tier-up), then N requests
# counted (fixed-count-client.js, 10 connections), every thread of the process included.
# Env: CASES (default "none local"), N (default 10000), WARM (default 12000), BUILD (a tree from build.js to reuse),
# KEEP=<dir> (keeps each case's callgrind.<case>.out there: callgrind_annotate shows the native and builtin part).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
N=${N:-10000} WARM=${WARM:-12000} CASES=${CASES:-none local}
WORK=$(mktemp -d /tmp/tollgate-callgrind.XXXXXX)
export PREFIX="$WORK/prefix" # serve.ts/plugins-serve.ts: this run's own node prefix
UP_PORT=${UP_PORT:-18096} TG_PORT=${TG_PORT:-18016}
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
BUILD=${BUILD:-}
if [ -z "$BUILD" ]; then BUILD=$WORK/js; node "$ROOT/bench/proxy/build.js" "$BUILD"; fi
export TOLLGATE_SHM_ADDON=${TOLLGATE_SHM_ADDON:-$ROOT/native/transparent/build/Release/shm.node}
SHM_FILE=; [ -f "$TOLLGATE_SHM_ADDON" ] && SHM_FILE=$WORK/counters
start_upstream_nginx "$WORK/up" "$UP_PORT"
for c in $CASES; do
  plugins=0; [ "$c" = local ] && plugins=1
  rm -f "$WORK/cg.out" "$WORK/tg.out" ${SHM_FILE:+"$SHM_FILE"}
  SHM=$([ "$plugins" = 1 ] && echo "$SHM_FILE") PLUGINS=$plugins POLICY=local ROUTES=100 CONSUMERS=100 HTTP_PORT=$TG_PORT UPSTREAM_PORT=$UP_PORT \
    valgrind --tool=callgrind --instr-atstart=no --smc-check=all-non-file --callgrind-out-file="$WORK/cg.out" \
    node "$BUILD/bench/proxy/plugins-serve.js" >"$WORK/tg.out" 2>"$WORK/tg.err" &
  TG_PID=$!
  for _ in $(seq 1 1200); do grep -q READY "$WORK/tg.out" 2>/dev/null && break; sleep 0.1; done
  grep -q READY "$WORK/tg.out" || { echo "$c: the data plane did not start under valgrind" >&2; tail "$WORK/tg.err" >&2; exit 1; }
  node "$ROOT/bench/proxy/fixed-count-client.js" "$TG_PORT" "$WARM" 10
  callgrind_control -i on "$TG_PID" >/dev/null 2>&1
  node "$ROOT/bench/proxy/fixed-count-client.js" "$TG_PORT" "$N" 10
  callgrind_control -i off "$TG_PID" >/dev/null 2>&1
  kill -TERM "$TG_PID"; wait "$TG_PID" 2>/dev/null || true; TG_PID=
  total=$(cat "$WORK"/cg.out* | awk '/^totals:/ {s += $2} END {print s}')
  [ -n "${KEEP:-}" ] && mkdir -p "$KEEP" && cp "$WORK/cg.out" "$KEEP/callgrind.$c.out"
  printf '%-34s %12.0f instructions/request\n' "$c" "$(awk -v t="$total" -v n="$N" 'BEGIN { print t / n }')"
done

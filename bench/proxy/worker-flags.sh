# Sourced by the bench/proxy scripts (after ROOT is set): TG_FLAGS, the node flags of the Tollgate process under
# benchmark. Default: the ones `tollgate start` gives a data-plane worker (workerExecArgv: its young-generation
# size), so that the figures are those of the product as shipped. TG_FLAGS="" runs with V8's defaults.
TG_FLAGS=${TG_FLAGS-$(node -r "$ROOT/tools/ts-register.js" -p "require('$ROOT/apps/cli/src/supervisor/workers').workerExecArgv([], undefined).join(' ')")}

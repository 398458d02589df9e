// One Lua VM per process (each proxy worker is a process): fengari, Lua 5.3 in JavaScript, chosen over wasmoon
// because a one-line snippet that calls the PDK costs ~5x less per request (bench/lua). Everything here is
// synchronous: a snippet runs to completion (or to its instruction budget) inside the phase that calls it.
import { setActive, setHostWorkCharger, type ActiveCall } from './active';
import { fromLua, lauxlib, lua, lualib, toLua, type LuaState } from './fengari';
import { buildPdk, EXIT_KEY } from './pdk';
import { PRELUDE } from './prelude';
import { luaSettings } from './settings';
import { errorText, pushString } from './values';

/**
 * Instructions one snippet or template call may run (fengari runs ~10M/s on an idle core): an endless loop stops
 * here instead of stalling the worker. Kong's snippets typically run a few hundred.
 */
export const INSTRUCTION_BUDGET = 250_000;
/** string.rep builds its result byte by byte in fengari (seconds for 100 MB, no Lua instruction counted). */
const MAX_REP_BYTES = 16 * 1024 * 1024;
const HOOK_EVERY = 1000;
/**
 * How much one snippet or template call may grow the worker's memory. fengari keeps Lua strings as byte arrays
 * outside V8's heap, where no heap limit applies: a loop concatenating 1 MB strings reached 23 GB within the
 * instruction budget. Checked with the budget (a resident-size read, ~10 µs per 1,000 instructions, so only
 * snippets that run that long pay it), from the first check on; LuaJIT's own limit ends such a request with
 * "not enough memory".
 */
export const MEMORY_GROWTH_LIMIT = 256 * 1024 * 1024;

export class LuaError extends Error {}

/** A phase handler that ended the request or its own phase (kong.response.exit, ngx.exit). */
export const EXITED = Symbol('exited');

// the VM is held with the ref: a ref must go back to the state that issued it
const released = new FinalizationRegistry<{ vm: LuaVm; ref: number }>(({ vm, ref }) => vm.unref(ref));

export class LuaVm {
  readonly L: LuaState;
  private budget = 0;
  /** Resident size at the current call's first budget check (MEMORY_GROWTH_LIMIT counts from it); 0 before. */
  private rssAtStart = 0;
  private readonly compileSnippetRef: number;
  private readonly compileTemplateRef: number;
  private readonly templateEnvRef: number;

  constructor() {
    const L = (this.L = lauxlib.luaL_newstate());
    lualib.luaL_openlibs(L);
    lua.lua_sethook(L, (S: LuaState) => {
      this.budget -= HOOK_EVERY;
      if (this.budget < 0) lauxlib.luaL_error(S, toLua(`instruction budget exceeded (${INSTRUCTION_BUDGET} Lua instructions)`));
      const rss = process.memoryUsage.rss();
      if (this.rssAtStart === 0) this.rssAtStart = rss;
      else if (rss - this.rssAtStart > MEMORY_GROWTH_LIMIT) {
        lauxlib.luaL_error(S, toLua(`not enough memory (a snippet may grow the worker by ${MEMORY_GROWTH_LIMIT >> 20} MiB)`));
      }
    }, lua.LUA_MASKCOUNT, HOOK_EVERY);
    this.replaceStringRep();
    setHostWorkCharger((S, units) => {
      this.budget -= units;
      if (this.budget < 0) lauxlib.luaL_error(S as LuaState, toLua(`instruction budget exceeded (${INSTRUCTION_BUDGET} Lua instructions)`));
    });
    const settings = luaSettings();
    if (lauxlib.luaL_loadbufferx(L, toLua(PRELUDE), null, toLua('=tollgate-prelude'), toLua('t')) !== lua.LUA_OK) throw new LuaError(errorText(L, -1));
    const strictPaths = buildPdk(L); // pushes the host table
    lua.lua_createtable(L, strictPaths.length, 0);
    strictPaths.forEach((p, i) => { pushString(L, p); lua.lua_rawseti(L, -2, i + 1); });
    lua.lua_createtable(L, settings.sandboxRequires.length, 0);
    settings.sandboxRequires.forEach((p, i) => { pushString(L, p); lua.lua_rawseti(L, -2, i + 1); });
    pushString(L, settings.untrustedLua);
    this.budget = Number.MAX_SAFE_INTEGER;
    if (lua.lua_pcall(L, 4, 3, 0) !== lua.LUA_OK) throw new LuaError(errorText(L, -1));
    this.templateEnvRef = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
    this.compileTemplateRef = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
    this.compileSnippetRef = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
    repackStack(L);
  }

  /** string.rep with Lua's semantics, built with Buffer and bounded: it is reachable from every string value. */
  private replaceStringRep(): void {
    const L = this.L;
    lua.lua_getglobal(L, 'string');
    lua.lua_pushcfunction(L, (S: LuaState) => {
      const s: Uint8Array = lauxlib.luaL_checklstring(S, 1);
      const n = lauxlib.luaL_checkinteger(S, 2);
      const sep: Uint8Array = lauxlib.luaL_optlstring(S, 3, toLua(''));
      if (n <= 0) {
        lua.lua_pushliteral(S, '');
        return 1;
      }
      const total = s.length * n + sep.length * (n - 1);
      if (total > MAX_REP_BYTES) return lauxlib.luaL_error(S, toLua('resulting string too large'));
      this.budget -= total >> 4;
      const out = new Uint8Array(total); // Lua keeps the bytes it is given: never a view of Node's shared pool
      let at = 0;
      for (let i = 0; i < n; i++) {
        if (i > 0 && sep.length > 0) { out.set(sep, at); at += sep.length; }
        out.set(s, at);
        at += s.length;
      }
      lua.lua_pushstring(S, out);
      return 1;
    });
    lua.lua_setfield(L, -2, 'rep');
    lua.lua_pop(L, 1);
  }

  /**
   * A new call's limits. The resident size its growth counts from is read at its first budget check, not here:
   * the read costs ~10 µs, and most snippets end before their first check.
   */
  private arm(): void {
    this.budget = INSTRUCTION_BUDGET;
    this.rssAtStart = 0;
  }

  /** Compiles a snippet in its own sandbox environment. Returns a registry ref, or throws LuaError (syntax). */
  compileSnippet(source: string): number {
    return this.compileWith(this.compileSnippetRef, source);
  }

  /** Compiles a request-transformer template value into a function of its environment. */
  compileTemplate(source: string): number {
    return this.compileWith(this.compileTemplateRef, source);
  }

  private compileWith(compilerRef: number, source: string): number {
    const L = this.L;
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, compilerRef);
    pushString(L, source);
    this.arm();
    if (lua.lua_pcall(L, 1, 2, 0) !== lua.LUA_OK) {
      const msg = errorText(L, -1);
      lua.lua_pop(L, 1);
      throw new LuaError(msg);
    }
    if (lua.lua_type(L, -2) !== lua.LUA_TFUNCTION) {
      const msg = errorText(L, -1);
      lua.lua_pop(L, 2);
      throw new LuaError(msg);
    }
    lua.lua_pop(L, 1);
    return lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
  }

  /** Frees `ref` once `owner` (a prepared config) is garbage: snippets live as long as their configuration. */
  releaseWith(owner: object, ref: number): void {
    released.register(owner, { vm: this, ref });
  }

  unref(ref: number): void {
    lauxlib.luaL_unref(this.L, lua.LUA_REGISTRYINDEX, ref);
  }

  /**
   * Calls the function `ref` for `call` with `nargs` arguments pushed by `push`. Returns the first result (left
   * on the stack only when keepResult), EXITED when the snippet ended its phase, and throws LuaError on an error.
   */
  invoke(ref: number, call: ActiveCall, push: ((L: LuaState) => number) | null, keepResult: boolean): typeof EXITED | 'ok' {
    const L = this.L;
    const base = lua.lua_gettop(L);
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, ref);
    const nargs = push ? push(L) : 0;
    this.arm();
    setActive(call);
    let status: number;
    try {
      status = lua.lua_pcall(L, nargs, keepResult ? 1 : 0, 0);
    } finally {
      setActive(null);
    }
    if (L.stack.length > STACK_SLOTS) repackStack(L);
    if (status === lua.LUA_OK) return 'ok';
    lua.lua_rawgetp(L, lua.LUA_REGISTRYINDEX, EXIT_KEY);
    const exited = lua.lua_rawequal(L, -1, -2);
    const msg = exited ? '' : errorText(L, -2);
    lua.lua_settop(L, base);
    if (exited) return EXITED;
    throw new LuaError(msg);
  }

  /** The template environment (one for every request: its views read the running call) on the stack top. */
  pushTemplateEnv(): number {
    lua.lua_rawgeti(this.L, lua.LUA_REGISTRYINDEX, this.templateEnvRef);
    return 1;
  }

  /** The string result an invoke(..., keepResult) left on the stack, popped. */
  popString(): string | null {
    const L = this.L;
    const t = lua.lua_type(L, -1);
    const out = t === lua.LUA_TSTRING || t === lua.LUA_TNUMBER ? fromLua(lua.lua_tolstring(L, -1)) : null;
    lua.lua_pop(L, 1);
    return out;
  }
}

/**
 * fengari grows its stack by setting the array's length and pops by `delete`: once the array is large and mostly
 * empty V8 turns it into a dictionary and every Lua call gets several times slower. After anything that grew it
 * (the prelude, a deep snippet) the stack is re-created small and fast.
 */
const STACK_SLOTS = 40;
const EXTRA_STACK = 5;

function repackStack(L: LuaState): void {
  const size = Math.max(STACK_SLOTS, L.top + 25);
  const stack = L.stack as unknown[];
  const fresh = new Array(size);
  for (let i = 0; i < L.top; i++) fresh[i] = stack[i];
  L.stack = fresh;
  L.stack_last = size - EXTRA_STACK;
}

let vmInstance: LuaVm | null = null;

/** The process's VM, created on first use (after configureLua: its settings shape the sandbox). */
export function luaVm(): LuaVm {
  return (vmInstance ??= new LuaVm());
}

/** Drops the VM so the next use builds one with the current settings (tests that change untrusted_lua). */
export function resetLuaVm(): void {
  vmInstance = null;
}

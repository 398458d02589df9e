// fengari (Lua 5.3 in JavaScript) has no type declarations: this is the one place that imports it.
// Loaded on first use, as the packages of libs/plugins/src/lazy-deps.ts are: a worker whose configuration runs no Lua
// (custom_fields_by_lua, templates, pre-/post-function) never pays for it, about 10 MiB of RSS per process (its
// 39 modules, and the node binary's pages its load touches; bench/memory). The exports below are getters on this
// module's exports object, which every importer reads at each use (`fengari_1.lua.…` in the CommonJS output), so
// no importer can hold a stale copy and none loads fengari by merely importing these names.
interface Fengari {
  lua: any;
  lauxlib: any;
  lualib: any;
  to_luastring(s: string): Uint8Array;
  to_jsstring(s: Uint8Array): string;
}

let loaded: Fengari | undefined;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const fengari = (): Fengari => (loaded ??= require('fengari') as Fengari);

export declare const lua: any;
export declare const lauxlib: any;
export declare const lualib: any;
export declare const toLua: (s: string) => Uint8Array;
export declare const fromLua: (s: Uint8Array) => string;
const getters: Record<string, () => unknown> = {
  lua: () => fengari().lua,
  lauxlib: () => fengari().lauxlib,
  lualib: () => fengari().lualib,
  toLua: () => fengari().to_luastring,
  fromLua: () => fengari().to_jsstring,
};
for (const [name, get] of Object.entries(getters)) Object.defineProperty(exports, name, { enumerable: true, get });

/** A Lua state (opaque). */
export type LuaState = any;
/** A host function as Lua calls it: reads its arguments from the stack, returns how many results it pushed. */
export type HostFunction = (L: LuaState) => number;

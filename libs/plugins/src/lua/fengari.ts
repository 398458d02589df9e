// fengari (Lua 5.3 in JavaScript) has no type declarations: this is the one place that imports it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const fengari = require('fengari') as { lua: any; lauxlib: any; lualib: any; to_luastring(s: string): Uint8Array; to_jsstring(s: Uint8Array): string };

export const lua = fengari.lua;
export const lauxlib = fengari.lauxlib;
export const lualib = fengari.lualib;
export const toLua = fengari.to_luastring;
export const fromLua = fengari.to_jsstring;
/** A Lua state (opaque). */
export type LuaState = any;
/** A host function as Lua calls it: reads its arguments from the stack, returns how many results it pushed. */
export type HostFunction = (L: LuaState) => number;

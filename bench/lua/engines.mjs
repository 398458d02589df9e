// Lua VM candidates side by side: the cost of calling a one-line snippet that reads a request header and sets
// another through two host functions, the shape of a typical pre-function. Same snippet, same host calls.
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);

const N = Number(process.env.N ?? 200000);
const SNIPPET = 'return function() set_header("x-a", get_header("host")) end';

function time(label, fn) {
  for (let i = 0; i < N / 10; i++) fn(); // warm-up
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) fn();
  const ns = Number(process.hrtime.bigint() - t0) / N;
  return { label, ns };
}

async function wasmoonCase() {
  const { LuaFactory } = await import('wasmoon');
  const lua = await new LuaFactory().createEngine();
  const headers = { host: 'example.test' };
  const out = {};
  lua.global.set('get_header', (name) => headers[name]);
  lua.global.set('set_header', (name, value) => { out[name] = value; });
  const fn = lua.doStringSync(SNIPPET);
  const r = time('wasmoon 1.16.0 (Lua 5.4, wasm)', () => fn());
  if (out['x-a'] !== 'example.test') throw new Error('wasmoon snippet did not run');
  lua.global.close();
  return r;
}

function fengariCase() {
  const { lua, lauxlib, lualib, to_luastring, to_jsstring } = require('fengari');
  const L = lauxlib.luaL_newstate();
  lualib.luaL_openlibs(L);
  const headers = { host: 'example.test' };
  const out = {};
  lua.lua_register(L, to_luastring('get_header'), (S) => {
    const v = headers[to_jsstring(lauxlib.luaL_checkstring(S, 1))];
    if (v === undefined) lua.lua_pushnil(S); else lua.lua_pushstring(S, to_luastring(v));
    return 1;
  });
  lua.lua_register(L, to_luastring('set_header'), (S) => {
    out[to_jsstring(lauxlib.luaL_checkstring(S, 1))] = to_jsstring(lauxlib.luaL_checkstring(S, 2));
    return 0;
  });
  if (lauxlib.luaL_loadstring(L, to_luastring(SNIPPET)) !== 0 || lua.lua_pcall(L, 0, 1, 0) !== 0) throw new Error('fengari load failed');
  const ref = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
  const r = time('fengari 0.1.5 (Lua 5.3, JS)', () => {
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, ref);
    if (lua.lua_pcall(L, 0, 0, 0) !== 0) throw new Error(to_jsstring(lua.lua_tostring(L, -1)));
  });
  if (out['x-a'] !== 'example.test') throw new Error('fengari snippet did not run');
  return r;
}

export async function compareEngines() {
  return [await wasmoonCase(), fengariCase()];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const { label, ns } of await compareEngines()) console.log(`${label.padEnd(34)} ${(ns / 1000).toFixed(2)} µs per call`);
}

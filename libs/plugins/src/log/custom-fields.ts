// custom_fields_by_lua of the log plugins: each value is a Lua chunk run in the log phase by the Lua VM of
// pre-function (same sandbox, same PDK); what it returns becomes that field of the serialized entry, exactly as
// kong.log.set_serialize_value would set it (dotted keys nest, nil removes).
import { lua } from '../lua/fengari';
import { luaVm, LuaError } from '../lua/vm';
import { luaSettings, LUA_DISABLED } from '../lua/settings';
import { toValue } from '../lua/values';
import type { PluginRun } from '../pipeline/plugin-run';
import type { PluginContext } from '../types';

export interface CustomFields {
  readonly pluginId: string;
  readonly fields: ReadonlyArray<readonly [string, number]>;
  /** Why the expressions cannot run (untrusted_lua = off, a syntax error): logged on each request. */
  readonly broken: string | null;
}

export function compileCustomFields(config: Record<string, unknown>, pluginId: string): CustomFields | null {
  const map = config.custom_fields_by_lua as Record<string, string> | null | undefined;
  if (!map || Object.keys(map).length === 0) return null;
  if (luaSettings().untrustedLua === 'off') return { pluginId, fields: [], broken: LUA_DISABLED };
  const vm = luaVm();
  const fields: Array<readonly [string, number]> = [];
  let broken: string | null = null;
  for (const [key, source] of Object.entries(map)) {
    try {
      fields.push([key, vm.compileSnippet(source)]);
    } catch (err) {
      if (!(err instanceof LuaError)) throw err;
      broken ??= `error parsing custom_fields_by_lua.${key}: ${err.message}`;
    }
  }
  const out = Object.freeze({ pluginId, fields, broken });
  for (const [, ref] of fields) vm.releaseWith(out, ref);
  return out;
}

/** Runs the expressions for this request; a failing one is logged and leaves its field alone. */
export function applyCustomFields(kong: PluginContext, custom: CustomFields | null): void {
  if (!custom) return;
  if (custom.broken) {
    kong.log.error(custom.broken);
    return;
  }
  const run = kong as PluginRun;
  const vm = luaVm();
  for (const [key, ref] of custom.fields) {
    try {
      if (vm.invoke(ref, { run, pluginId: custom.pluginId, phase: 'log', body: null }, null, true) !== 'ok') continue;
      const value = lua.lua_isnil(vm.L, -1) ? null : toValue(vm.L, -1);
      lua.lua_pop(vm.L, 1);
      (run.serializeValues ??= new Map()).set(key, value);
    } catch (err) {
      if (!(err instanceof LuaError)) throw err;
      kong.log.error(`custom_fields_by_lua.${key}: ${err.message}`);
    }
  }
}

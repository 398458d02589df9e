// Kong's template values: `$(lua expression)` inside a request-transformer value is evaluated per request in the
// Lua VM (penlight's template rules: `$(expr)` renders tostring(expr or ''), so a missing value renders as '').
// Compiled once per configuration; a value without `$(...)` stays a plain string and never touches Lua.
import type { ActiveCall } from '../../lua/active';
import { LUA_DISABLED, luaSettings } from '../../lua/settings';
import { LuaError, luaVm } from '../../lua/vm';
import type { PluginRun } from '../../pipeline/plugin-run';
import type { PluginContext } from '../../types';

export interface Template {
  readonly source: string;
  /** Registry ref of the compiled function, -1 when it could not be compiled (see error). */
  readonly ref: number;
  readonly error: string | null;
}

export type Value = string | Template;

/** Kong's test for "this value has an expression" (`%$%(.*%)`). */
const EXPRESSION = /\$\(.*\)/s;

/** Compiles `source` when it holds an expression; `owner` is the prepared config the compiled code lives with. */
export function compileValue(source: string, owner: object): Value {
  if (!EXPRESSION.test(source)) return source;
  if (luaSettings().untrustedLua === 'off') return { source, ref: -1, error: LUA_DISABLED };
  try {
    const vm = luaVm();
    const ref = vm.compileTemplate(source);
    vm.releaseWith(owner, ref);
    return { source, ref, error: null };
  } catch (err) {
    if (!(err instanceof LuaError)) throw err;
    return { source, ref: -1, error: err.message };
  }
}

/** Kong's schema check of a value: its template compiles. */
export function templateProblem(source: string): string | undefined {
  if (!EXPRESSION.test(source) || luaSettings().untrustedLua === 'off') return undefined;
  try {
    const vm = luaVm();
    vm.unref(vm.compileTemplate(source));
    return undefined;
  } catch (err) {
    if (!(err instanceof LuaError)) throw err;
    return `value '${source}' is not in supported format, error:${err.message}`;
  }
}

/** The templates of one plugin run: what headers and query_params read (the request as the plugin found it). */
export class TemplateScope {
  private readonly call: ActiveCall;

  constructor(kong: PluginContext, pluginId: string) {
    const run = kong as PluginRun;
    this.call = {
      run,
      pluginId,
      phase: 'template',
      body: null,
      template: { headers: run.request.upstreamHeaders() as Record<string, unknown>, query: run.request.getQuery() },
    };
  }

  render(value: Value): string {
    if (typeof value === 'string') return value;
    if (value.error !== null) throw new Error(`[request-transformer] failed to render the template ${value.source}, error:${value.error}`);
    const vm = luaVm();
    try {
      vm.invoke(value.ref, this.call, pushEnv, true);
    } catch (err) {
      throw new Error(`[request-transformer] failed to render the template ${value.source}, error:${(err as Error).message}`);
    }
    return vm.popString() ?? '';
  }
}

const pushEnv = (): number => luaVm().pushTemplateEnv();

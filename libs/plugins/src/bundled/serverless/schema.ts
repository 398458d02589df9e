// Config schema shared by pre-function and post-function (Kong's _schema.lua): one array of Lua snippets per phase.
import type { FieldDef } from '@tollgate/schema';
import { luaVm, LuaError } from '../../lua/vm';
import { LUA_DISABLED, luaSettings } from '../../lua/settings';
import { unknownPdkName } from '../../lua/surface-check';
import { atLeastOneOf, withConfigChecks } from '../../validate-config';
import type { PluginConfigFields } from '../../types';

export const PHASES = ['certificate', 'rewrite', 'access', 'header_filter', 'body_filter', 'log'] as const;
export type ServerlessPhase = (typeof PHASES)[number];

/** Kong's validate_function plus what Tollgate adds: untrusted_lua = off refuses, and unknown PDK names are named. */
export function snippetProblem(plugin: string, source: string): string | undefined {
  if (luaSettings().untrustedLua === 'off') return LUA_DISABLED;
  try {
    const vm = luaVm();
    vm.unref(vm.compileSnippet(source));
  } catch (err) {
    if (err instanceof LuaError) return `error parsing ${plugin}: ${err.message}`;
    throw err;
  }
  const missing = unknownPdkName(source);
  if (missing) return `error parsing ${plugin}: ${missing} is not available in Tollgate's PDK`;
  return undefined;
}

const DESCRIPTION =
  'Custom functions, which can be user-defined, are cached and executed sequentially during specific phases: `certificate`, `rewrite`, `access`, `header_filter`, `body_filter`, and `log`.';

export function serverlessSchema(plugin: string): PluginConfigFields {
  const phase = (): FieldDef => ({
    type: 'array',
    required: true,
    default: [],
    description: DESCRIPTION,
    elements: {
      type: 'string',
      custom: (v) => {
        if (typeof v !== 'string') return undefined;
        return snippetProblem(plugin, v);
      },
    },
  });
  return withConfigChecks(
    PHASES.map((p) => [p, phase()] as [string, FieldDef]),
    [atLeastOneOf(PHASES.map((p) => p))],
  );
}

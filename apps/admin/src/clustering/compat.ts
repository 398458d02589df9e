// Kong's compatibility rules (compat/init.lua), applied to each pull:
//   release: a different major, or a data plane minor newer than the control plane's, is refused;
//   plugins: every plugin the configuration uses must be available on the data plane, else it gets nothing.
// Patch levels and suffixes (-rc1, -enterprise-edition) are ignored.
import type { SyncStatus } from '@tollgate/protocol';

export type CompatVerdict = { readonly ok: true } | { readonly ok: false; readonly status: SyncStatus; readonly message: string };

const OK: CompatVerdict = { ok: true };

function majorMinor(version: string): [number, number] | null {
  const m = /^(\d+)\.(\d+)/.exec(version);
  return m ? [Number(m[1]), Number(m[2])] : null;
}

export function checkVersion(dpVersion: string, cpVersion: string): CompatVerdict {
  const dp = majorMinor(dpVersion);
  const cp = majorMinor(cpVersion);
  if (!dp || !cp) {
    return { ok: false, status: 'kong_version_incompatible', message: `data plane version ${dpVersion} is incompatible with control plane version ${cpVersion}` };
  }
  if (dp[0] !== cp[0]) {
    return {
      ok: false,
      status: 'kong_version_incompatible',
      message: `data plane version ${dpVersion} is incompatible with control plane version ${cpVersion} (${cp[0]}.x.y are accepted)`,
    };
  }
  if (dp[1] > cp[1]) {
    return {
      ok: false,
      status: 'kong_version_incompatible',
      message: `data plane version ${dpVersion} is incompatible with older control plane version ${cpVersion}`,
    };
  }
  return OK;
}

/**
 * `configured` are the plugin names the configuration uses; `available` what the data plane reported, where
 * `bundled` covers every name in `bundledOnControlPlane` (same release line, same bundle).
 */
export function checkPlugins(configured: Iterable<string>, available: readonly string[], bundledOnControlPlane: ReadonlySet<string>, cpVersion: string): CompatVerdict {
  const have = new Set(available);
  const bundled = have.has('bundled');
  for (const name of configured) {
    if (have.has(name) || (bundled && bundledOnControlPlane.has(name))) continue;
    return { ok: false, status: 'plugin_set_incompatible', message: `configured ${name} plugin ${cpVersion} is missing from data plane` };
  }
  return OK;
}

/** Names of the plugins a configuration uses (enabled or not: Kong checks every configured plugin). */
export function configuredPlugins(plugins: ReadonlyArray<{ readonly name?: unknown }> | undefined): Set<string> {
  const names = new Set<string>();
  for (const row of plugins ?? []) if (typeof row.name === 'string') names.add(row.name);
  return names;
}

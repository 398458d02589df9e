// Starts a real control plane on 127.0.0.1:0 with a fresh prefix (SQLite), for the shell's e2e suites.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSettings, type Settings } from '@tollgate/config';
import { startControlPlane, type ControlPlaneHandle, type ControlPlaneOptions } from '../../../apps/admin/src/main';
import type { PluginInfo } from '../../../apps/admin/src/custom/plugin-catalog';

export interface RunningControlPlane {
  readonly handle: ControlPlaneHandle;
  readonly settings: Settings;
  readonly prefix: string;
  /** http(s)://127.0.0.1:<port> of the first listener */
  readonly url: string;
  stop(): Promise<void>;
}

/** A stand-in plugin until libs/plugins registers real ones: enough to create and validate plugin entities. */
export const TEST_PLUGINS: readonly PluginInfo[] = [
  {
    name: 'key-auth',
    priority: 1250,
    configFields: [
      ['key_names', { type: 'array', elements: { type: 'string' }, required: true, default: ['apikey'] }],
      ['hide_credentials', { type: 'boolean', required: true, default: false }],
    ],
  },
];

export function testSettings(overrides: Record<string, string> = {}): { settings: Settings; prefix: string } {
  const prefix = mkdtempSync(join(tmpdir(), 'tollgate-admin-'));
  const settings = loadSettings({ prefix, cwd: prefix, env: {}, overrides: { admin_listen: '127.0.0.1:0', ...overrides } });
  return { settings, prefix };
}

export async function startTestControlPlane(
  overrides: Record<string, string> = {},
  opts: ControlPlaneOptions = {},
): Promise<RunningControlPlane> {
  const { settings, prefix } = testSettings(overrides);
  const handle = await startControlPlane(settings, { plugins: TEST_PLUGINS, shutdownTimeoutMs: 2000, ...opts });
  const first = handle.listeners[0];
  const scheme = settings.admin_listeners[0].ssl ? 'https' : 'http';
  return {
    handle,
    settings,
    prefix,
    url: `${scheme}://127.0.0.1:${first.port}`,
    async stop() {
      await handle.close();
      rmSync(prefix, { recursive: true, force: true });
    },
  };
}

// Starts a data plane on port 0 with a static provider; returns the handle, the provider and the port.
import type { Settings } from '@tollgate/config/types';
import type { VersionedSnapshot } from '@tollgate/declarative/snapshot';
import { startDataPlane, type DataPlaneHandle } from '../../../apps/proxy/src/main';
import type { ProxyLogger } from '../../../apps/proxy/src/forward/context';
import { StaticConfigProvider } from '../../../apps/proxy/src/provider';
import { testSettings } from './settings';

export interface TestDataPlane {
  readonly dp: DataPlaneHandle;
  readonly provider: StaticConfigProvider;
  readonly port: number;
  readonly ports: readonly number[];
}

export const quietLogger = { warn: () => undefined, error: () => undefined, info: () => undefined };

export async function startTestDataPlane(
  config: VersionedSnapshot,
  settings: Partial<Settings> = {},
  certificates?: { cert: string; key: string },
  logger: ProxyLogger = quietLogger,
): Promise<TestDataPlane> {
  const provider = new StaticConfigProvider(config);
  const dp = await startDataPlane(testSettings(settings), { provider, logger, certificates });
  return { dp, provider, port: dp.listeners[0].port, ports: dp.listeners.map((l) => l.port) };
}

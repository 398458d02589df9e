// The Tollgate side of the HTTP TPROXY end-to-end test, run with `node -r tools/ts-register.js gateway.ts <json>`
// inside the gateway network namespace: a data plane whose proxy_listen is the given (transparent) entry. Prints
// `READY <listeners>` once listening, or `FAILED <message>` if it cannot start (e.g. without CAP_NET_ADMIN).
import { parseListen } from '@tollgate/config';
import type { Snapshot } from '@tollgate/declarative/snapshot';
import { startDataPlane } from '../../../apps/proxy/src/main';
import { StaticConfigProvider } from '../../../apps/proxy/src/provider';
import { quietLogger } from '../support/data-plane';
import { testSettings } from '../support/settings';

async function main(): Promise<void> {
  const { listen, snapshot, accessLog } = JSON.parse(process.argv[2]) as { listen: string; snapshot: Snapshot; accessLog: string | null };
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const settings = testSettings({ proxy_listeners: parseListen('proxy_listen', listen, 'proxy').listeners, proxy_access_log: accessLog, proxy_access_log_format: 'json' });
  try {
    const provider = new StaticConfigProvider({ hash: 'tproxy-http', version: 1, config: snapshot });
    const dp = await startDataPlane(settings, { provider, logger: quietLogger });
    say(`READY ${dp.listeners.map((l) => `${l.address}:${l.port}`).join(',')}`);
    process.stdin.resume();
    process.stdin.on('end', () => void dp.close({ graceful: false }).then(() => process.exit(0)));
  } catch (err) {
    say(`FAILED ${(err as Error).message}`);
    process.exit(3);
  }
}

void main();

// The Tollgate side of the TPROXY end-to-end test, run with `node -r tools/ts-register.js gateway.ts <json>` inside
// the gateway network namespace. Prints `READY` once listening, one `LOG <json>` per access-log line, and
// `FAILED <message>` if the listeners cannot start (e.g. without CAP_NET_ADMIN).
import { parseListen } from '@tollgate/config';
import type { Snapshot } from '@tollgate/declarative/snapshot';
import { compileConfig } from '../../../apps/proxy/src/compile/compile-config';
import { startStreamListeners } from '../../../apps/proxy/src/server/stream-listeners';
import { createUpstreamRuntime } from '../../../apps/proxy/src/upstream';

async function main(): Promise<void> {
  const { listen, snapshot } = JSON.parse(process.argv[2]) as { listen: string; snapshot: Snapshot };
  const entries = parseListen('stream_listen', listen, 'stream').listeners;
  const config = compileConfig({ hash: 'tproxy', version: 1, config: snapshot }, { createUpstream: (row, targets, previous) => createUpstreamRuntime(row, targets, { previous }) }).config.stream;
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const logger = {
    info: (o: object, m: string) => say(`MSG info ${m}`),
    warn: (o: object, m: string) => say(`MSG warn ${m}`),
    error: (o: object, m: string) => say(`MSG error ${m}`),
  };
  try {
    const streams = await startStreamListeners(entries, { getConfig: () => config, logger, accessLog: { write: (e) => say(`LOG ${JSON.stringify(e)}`) } });
    say(`READY ${streams.listeners.map((l) => `${l.address}:${l.port}`).join(',')}`);
    process.stdin.resume();
    process.stdin.on('end', () => void streams.close({ graceful: false }).then(() => process.exit(0)));
  } catch (err) {
    say(`FAILED ${(err as Error).message}`);
    process.exit(3);
  }
}

void main();

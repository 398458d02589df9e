// A separate gateway process for the shared-Redis test: reads a snapshot from SNAPSHOT_FILE, serves it with the
// harness and prints its port on stdout.
import { readFileSync } from 'node:fs';
import { startHarness } from '@tollgate/plugins/testing';
import { closeRedisClients } from '@tollgate/plugins';

async function main(): Promise<void> {
  const snapshot = JSON.parse(readFileSync(process.env.SNAPSHOT_FILE!, 'utf8'));
  const gateway = await startHarness(snapshot);
  process.stdout.write(`PORT ${gateway.port}\n`);
  process.on('SIGTERM', () => {
    void Promise.all([gateway.close(), closeRedisClients()]).then(() => process.exit(0));
  });
}

void main();

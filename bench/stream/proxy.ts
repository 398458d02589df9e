// Child process of bench/stream/run.mjs: one plain stream listener routing everything to the sink on argv[2].
// Prints `READY <port>`; each line on stdin is answered with `CPU <user+system µs> <user µs> <system µs>` (process
// CPU so far); exits when stdin ends.
import { parseListen } from '@tollgate/config';
import { compileConfig } from '../../apps/proxy/src/compile/compile-config';
import { startStreamListeners } from '../../apps/proxy/src/server/stream-listeners';
import { createUpstreamRuntime } from '../../apps/proxy/src/upstream';

async function main(): Promise<void> {
  const sinkPort = Number(process.argv[2]);
  const snapshot = {
    _format_version: '3.0' as const,
    services: [{ id: 's', name: 'sink', protocol: 'tcp', host: '127.0.0.1', port: sinkPort, path: null, retries: 0, connect_timeout: 5000, read_timeout: 60000, write_timeout: 60000, enabled: true, tls_verify: null, tls_verify_depth: null, ca_certificates: null, client_certificate: null }],
    routes: [{ id: 'r', name: 'all', protocols: ['tcp'], sources: [{ ip: '127.0.0.1' }], service: { id: 's' } }],
  };
  const config = compileConfig({ hash: 'b', version: 1, config: snapshot as never }, { createUpstream: (row, targets, previous) => createUpstreamRuntime(row, targets, { previous }) }).config.stream;
  const quiet = { info() {}, warn() {}, error() {} };
  const streams = await startStreamListeners(parseListen('stream_listen', '127.0.0.1:0', 'stream').listeners, { getConfig: () => config, logger: quiet });
  process.stdout.write(`READY ${streams.listeners[0].port}\n`);
  process.stdin.on('data', (chunk: Buffer) => {
    for (let i = 0; i < chunk.length; i++) {
      if (chunk[i] !== 10) continue;
      const cpu = process.cpuUsage();
      process.stdout.write(`CPU ${cpu.user + cpu.system} ${cpu.user} ${cpu.system}\n`);
    }
  });
  process.stdin.on('end', () => process.exit(0));
}
void main();

// Child process of bench/stream/run.mjs: the smallest Node TCP proxy (accept, connect, a.pipe(b), b.pipe(a)) to the
// sink on argv[2]. What it reaches is the floor for any proxy in one Node process on this machine.
// Prints `READY <port>`; each line on stdin is answered with `CPU <user+system µs> <user µs> <system µs>` (process
// CPU so far); exits when stdin ends.
import { connect, createServer } from 'node:net';

const sinkPort = Number(process.argv[2]);
const server = createServer({ allowHalfOpen: true, noDelay: true }, (client) => {
  const upstream = connect({ port: sinkPort, host: '127.0.0.1', allowHalfOpen: true, noDelay: true });
  client.on('error', () => upstream.destroy());
  upstream.on('error', () => client.destroy());
  client.pipe(upstream);
  upstream.pipe(client);
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`READY ${server.address().port}\n`);
  process.stdin.on('data', (chunk) => {
    for (let i = 0; i < chunk.length; i++) {
      if (chunk[i] !== 10) continue;
      const cpu = process.cpuUsage();
      process.stdout.write(`CPU ${cpu.user + cpu.system} ${cpu.user} ${cpu.system}\n`);
    }
  });
  process.stdin.on('end', () => process.exit(0));
});

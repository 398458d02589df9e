// A tiny authoritative DNS server on a UDP port: answers A queries for the names it is given, and every other
// question with an empty NOERROR answer. Enough for a data plane to resolve upstream targets through dns_resolver.
import { createSocket, type Socket } from 'node:dgram';

export interface TestDnsServer {
  readonly port: number;
  /** Names asked, lower case, in order. */
  readonly asked: string[];
  close(): Promise<void>;
}

function questionEnd(msg: Buffer): { name: string; end: number } {
  const labels: string[] = [];
  let i = 12;
  while (msg[i] !== 0) {
    labels.push(msg.subarray(i + 1, i + 1 + msg[i]).toString('ascii'));
    i += msg[i] + 1;
  }
  return { name: labels.join('.').toLowerCase(), end: i + 5 }; // zero byte, QTYPE, QCLASS
}

export async function startDnsServer(records: Record<string, string>): Promise<TestDnsServer> {
  const socket: Socket = createSocket('udp4');
  const asked: string[] = [];
  socket.on('message', (msg, peer) => {
    const { name, end } = questionEnd(msg);
    const qtype = msg.readUInt16BE(end - 4);
    asked.push(name);
    const ip = qtype === 1 ? records[name] : undefined;
    const header = Buffer.alloc(12);
    header.writeUInt16BE(msg.readUInt16BE(0), 0); // id
    header.writeUInt16BE(0x8180, 2); // response, recursion desired + available, NOERROR
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(ip ? 1 : 0, 6);
    const answer = ip
      ? Buffer.concat([Buffer.from([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 30, 0, 4]), Buffer.from(ip.split('.').map(Number))])
      : Buffer.alloc(0);
    socket.send(Buffer.concat([header, msg.subarray(12, end), answer]), peer.port, peer.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    port: socket.address().port,
    asked,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

// A tiny authoritative DNS server on a UDP port: answers A and AAAA queries for the names it is given (IPv4
// addresses as A records, IPv6 ones as AAAA), SRV queries from its SRV table, and every other question with an
// empty NOERROR answer. Enough for a
// data plane to resolve upstream targets through dns_resolver.
import { isIPv6 } from 'node:net';
import { createSocket, type Socket } from 'node:dgram';

export interface TestDnsServer {
  readonly port: number;
  /** Names asked, lower case, in order. */
  readonly asked: string[];
  /** The same questions with their type: `A name`, `AAAA name`, `SRV name`, `CNAME name`, `TYPE<n> name`. */
  readonly questions: string[];
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

const TYPES: Record<number, string> = { 1: 'A', 28: 'AAAA', 33: 'SRV', 5: 'CNAME' };

function record(ip: string): Buffer {
  const v6 = isIPv6(ip);
  const rdata = v6 ? ipv6Bytes(ip) : Buffer.from(ip.split('.').map(Number));
  // name pointer to the question, type, class IN, TTL 30, rdata length
  return Buffer.concat([Buffer.from([0xc0, 0x0c, 0, v6 ? 28 : 1, 0, 1, 0, 0, 0, 30, 0, rdata.length]), rdata]);
}

function ipv6Bytes(ip: string): Buffer {
  const [head, tail = ''] = ip.split('::');
  const parts = (p: string) => (p === '' ? [] : p.split(':'));
  const h = parts(head);
  const t = ip.includes('::') ? parts(tail) : [];
  const groups = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}

function srvRecord(rec: SrvRecord): Buffer {
  const target = Buffer.concat([...rec.target.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'ascii')])), Buffer.from([0])]);
  const rdata = Buffer.alloc(6);
  rdata.writeUInt16BE(rec.priority ?? 10, 0);
  rdata.writeUInt16BE(rec.weight ?? 10, 2);
  rdata.writeUInt16BE(rec.port, 4);
  const all = Buffer.concat([rdata, target]);
  return Buffer.concat([Buffer.from([0xc0, 0x0c, 0, 33, 0, 1, 0, 0, 0, 30, all.length >> 8, all.length & 0xff]), all]);
}

export interface SrvRecord { readonly target: string; readonly port: number; readonly weight?: number; readonly priority?: number }

/** `delayMs`: names whose answers are sent that late (a slow name server); `srv`: SRV records by name. */
export async function startDnsServer(
  records: Record<string, string | string[]>,
  opts: { delayMs?: Record<string, number>; srv?: Record<string, SrvRecord[]> } = {},
): Promise<TestDnsServer> {
  const socket: Socket = createSocket('udp4');
  const asked: string[] = [];
  const questions: string[] = [];
  socket.on('message', (msg, peer) => {
    const { name, end } = questionEnd(msg);
    const qtype = msg.readUInt16BE(end - 4);
    asked.push(name);
    questions.push(`${TYPES[qtype] ?? `TYPE${qtype}`} ${name}`);
    const all = ([] as string[]).concat(records[name] ?? []);
    const ips = qtype === 1 ? all.filter((ip) => !isIPv6(ip)) : qtype === 28 ? all.filter((ip) => isIPv6(ip)) : [];
    const header = Buffer.alloc(12);
    header.writeUInt16BE(msg.readUInt16BE(0), 0); // id
    header.writeUInt16BE(0x8180, 2); // response, recursion desired + available, NOERROR
    header.writeUInt16BE(1, 4);
    const srv = qtype === 33 ? opts.srv?.[name] ?? [] : [];
    header.writeUInt16BE(ips.length + srv.length, 6);
    const reply = Buffer.concat([header, msg.subarray(12, end), ...ips.map(record), ...srv.map(srvRecord)]);
    setTimeout(() => socket.send(reply, peer.port, peer.address), opts.delayMs?.[name] ?? 0);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    port: socket.address().port,
    asked,
    questions,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

// PROXY protocol v2 headers as a balancer sends them, built byte by byte from the spec (haproxy's
// proxy-protocol.txt §2.2) so the tests do not share code with the parser they check.
const SIGNATURE = [0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a];

/** `addresses`: source then destination bytes (4+4 or 16+16; fewer to build a short, invalid block). */
export function v2Header(command: 'proxy' | 'local', family: 4 | 6, addresses: number[], sourcePort: number, destinationPort: number): Buffer {
  const block = [...addresses, sourcePort >> 8, sourcePort & 0xff, destinationPort >> 8, destinationPort & 0xff];
  const familyByte = (family === 4 ? 0x10 : 0x20) | 0x01; // AF_INET / AF_INET6, STREAM
  return Buffer.from([...SIGNATURE, command === 'proxy' ? 0x21 : 0x20, familyByte, block.length >> 8, block.length & 0xff, ...block]);
}

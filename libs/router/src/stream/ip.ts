// IPv4/IPv6 addresses and CIDR blocks as four 32-bit words (IPv4 is the last word with a v4 flag),
// for sources/destinations matching. IPv4-mapped IPv6 (`::ffff:1.2.3.4`, what dual-stack sockets report) is IPv4.

export interface IpBlock {
  readonly v6: boolean;
  readonly words: Uint32Array; // 1 word for v4, 4 for v6
  readonly prefixBits: number;
}

// Parsed once per connection (the peer address): a character loop, no split or regex.
function parseV4(text: string): number | null {
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || ++dots > 3) return null;
      value = value * 256 + part;
      part = 0;
      digits = 0;
      continue;
    }
    if (c < 48 || c > 57 || ++digits > 3) return null;
    part = part * 10 + (c - 48);
    if (part > 255) return null;
  }
  if (dots !== 3 || digits === 0) return null;
  return (value * 256 + part) >>> 0;
}

function parseV6(text: string): Uint32Array | null {
  let head = text;
  let v4Tail: number | null = null;
  const lastColon = text.lastIndexOf(':');
  if (text.indexOf('.', lastColon) >= 0) {
    v4Tail = parseV4(text.slice(lastColon + 1));
    if (v4Tail === null) return null;
    head = text.slice(0, lastColon + 1) + '0:0';
  }
  const halves = head.split('::');
  if (halves.length > 2) return null;
  const left = halves[0] === '' ? [] : halves[0].split(':');
  const right = halves.length === 2 && halves[1] !== '' ? halves[1].split(':') : [];
  const missing = 8 - left.length - right.length;
  if ((halves.length === 1 && missing !== 0) || missing < 0) return null;
  const groups = [...left, ...new Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...right];
  const words = new Uint32Array(4);
  for (let i = 0; i < 8; i++) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(groups[i])) return null;
    words[i >> 1] = (words[i >> 1] << 16) | parseInt(groups[i], 16);
  }
  if (v4Tail !== null) words[3] = v4Tail;
  return words;
}

function isV4Mapped(words: Uint32Array): boolean {
  return words[0] === 0 && words[1] === 0 && words[2] === 0xffff;
}

/** Parses `ip` or `ip/bits`; null when malformed. */
export function parseIpBlock(text: string): IpBlock | null {
  const slash = text.indexOf('/');
  const addr = slash >= 0 ? text.slice(0, slash) : text;
  const bitsText = slash >= 0 ? text.slice(slash + 1) : null;
  if (bitsText !== null && !/^\d{1,3}$/.test(bitsText)) return null;
  if (addr.includes(':')) {
    const words = parseV6(addr);
    if (words === null) return null;
    const bits = bitsText === null ? 128 : Number(bitsText);
    if (bits > 128) return null;
    return { v6: true, words, prefixBits: bits };
  }
  const v4 = parseV4(addr);
  if (v4 === null) return null;
  const bits = bitsText === null ? 32 : Number(bitsText);
  if (bits > 32) return null;
  return { v6: false, words: Uint32Array.of(v4), prefixBits: bits };
}

/** Parses a peer address as reported by a socket; IPv4-mapped IPv6 becomes IPv4. */
export function parseIp(text: string): IpBlock | null {
  const block = parseIpBlock(text);
  if (block === null || text.includes('/')) return null;
  if (block.v6 && isV4Mapped(block.words)) return { v6: false, words: Uint32Array.of(block.words[3]), prefixBits: 32 };
  return block;
}

function maskWord(bitsLeft: number): number {
  if (bitsLeft >= 32) return 0xffffffff;
  if (bitsLeft <= 0) return 0;
  return (0xffffffff << (32 - bitsLeft)) >>> 0;
}

export function blockContains(block: IpBlock, ip: IpBlock): boolean {
  if (block.v6 !== ip.v6) return false;
  for (let i = 0; i < block.words.length; i++) {
    const mask = maskWord(block.prefixBits - i * 32);
    if (mask === 0) return true;
    if (((block.words[i] & mask) >>> 0) !== ((ip.words[i] & mask) >>> 0)) return false;
  }
  return true;
}

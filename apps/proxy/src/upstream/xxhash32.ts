// xxHash32 (seed 0) over the UTF-8 bytes of a string: the ring hash Kong uses, so rings place points alike.
const P1 = 2654435761;
const P2 = 2246822519;
const P3 = 3266489917;
const P4 = 668265263;
const P5 = 374761393;

// Reused scratch buffer: hot path, no allocation unless a value is longer than anything seen before.
let scratch = Buffer.allocUnsafe(256);

function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

function round(acc: number, lane: number): number {
  acc = (acc + Math.imul(lane, P2)) | 0;
  return Math.imul(rotl(acc, 13), P1);
}

function readU32(b: Buffer, i: number): number {
  return b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24);
}

export function xxhash32(value: string): number {
  if (value.length * 3 > scratch.length) scratch = Buffer.allocUnsafe(value.length * 3 + 64);
  const len = scratch.write(value, 0, 'utf8');
  return xxhash32Bytes(scratch, len);
}

export function xxhash32Bytes(b: Buffer, len: number): number {
  let i = 0;
  let h: number;
  if (len >= 16) {
    let v1 = (P1 + P2) | 0;
    let v2 = P2 | 0;
    let v3 = 0;
    let v4 = -P1 | 0;
    const limit = len - 16;
    while (i <= limit) {
      v1 = round(v1, readU32(b, i));
      v2 = round(v2, readU32(b, i + 4));
      v3 = round(v3, readU32(b, i + 8));
      v4 = round(v4, readU32(b, i + 12));
      i += 16;
    }
    h = (rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18)) | 0;
  } else {
    h = P5 | 0;
  }
  h = (h + len) | 0;
  while (i + 4 <= len) {
    h = (h + Math.imul(readU32(b, i), P3)) | 0;
    h = Math.imul(rotl(h, 17), P4);
    i += 4;
  }
  while (i < len) {
    h = (h + Math.imul(b[i], P5)) | 0;
    h = Math.imul(rotl(h, 11), P1);
    i++;
  }
  h ^= h >>> 15;
  h = Math.imul(h, P2);
  h ^= h >>> 13;
  h = Math.imul(h, P3);
  h ^= h >>> 16;
  return h >>> 0;
}

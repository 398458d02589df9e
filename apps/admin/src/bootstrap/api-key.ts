import { createHash, timingSafeEqual } from 'node:crypto';

/** Compares a presented Kong-Admin-Token with the configured key in constant time (digests have equal length). */
export class ApiKeyCheck {
  private readonly expected: Buffer;

  constructor(apiKey: string) {
    this.expected = sha256(apiKey);
  }

  matches(presented: string | string[] | undefined): boolean {
    if (typeof presented !== 'string') return false;
    return timingSafeEqual(sha256(presented), this.expected);
  }
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
